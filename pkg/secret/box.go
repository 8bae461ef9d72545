package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// KeySize is the length of a Box's key: AES-256.
const KeySize = 32

// Box seals the secrets the platform must give back later (a SIP trunk's
// digest password), which a hash cannot keep: AES-256-GCM under the
// deployment's key, each sealed value bound to the row it belongs to, so a
// sealed password copied onto another row does not open there.
type Box struct {
	aead cipher.AEAD
}

// ParseKey reads a Box's key written in standard base64 (openssl rand
// -base64 32 makes one).
func ParseKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("the secret key is not base64: %w", err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("the secret key has %d bytes, it needs %d (openssl rand -base64 %d)", len(key), KeySize, KeySize)
	}
	return key, nil
}

// NewBox makes a Box on a KeySize-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("the secret key has %d bytes, it needs %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plain for the row named by owner: a random nonce, then the
// ciphertext and its tag.
func (b *Box) Seal(plain, owner []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on the platforms Go supports
	}
	return b.aead.Seal(nonce, nonce, plain, owner)
}

// Open decrypts what Seal made for the same owner; a value sealed under
// another key or for another owner, or altered, does not open.
func (b *Box) Open(sealed, owner []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return nil, errors.New("the sealed value is too short")
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], owner)
	if err != nil {
		return nil, errors.New("the sealed value does not open with this key (was the secret key changed?)")
	}
	return plain, nil
}
