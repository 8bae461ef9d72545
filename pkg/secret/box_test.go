package secret_test

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/plateau-bpo/plateau/pkg/secret"
)

func TestBoxSealsForOneOwnerUnderOneKey(t *testing.T) {
	key := bytes.Repeat([]byte{7}, secret.KeySize)
	box, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	plain, owner := []byte("trunk-password"), []byte("trunk-1")
	sealed := box.Seal(plain, owner)
	if bytes.Contains(sealed, plain) {
		t.Fatal("the sealed value holds the plain text")
	}
	if again := box.Seal(plain, owner); bytes.Equal(again, sealed) {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	got, err := box.Open(sealed, owner)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := box.Open(sealed, []byte("trunk-2")); err == nil {
		t.Error("a value sealed for one owner opens for another")
	}
	other, _ := secret.NewBox(bytes.Repeat([]byte{8}, secret.KeySize))
	if _, err := other.Open(sealed, owner); err == nil {
		t.Error("a value opens under another key")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := box.Open(sealed, owner); err == nil {
		t.Error("an altered value opens")
	}
	if _, err := box.Open(sealed[:5], owner); err == nil {
		t.Error("a truncated value opens")
	}
}

func TestParseKey(t *testing.T) {
	key := bytes.Repeat([]byte{1}, secret.KeySize)
	got, err := secret.ParseKey(base64.StdEncoding.EncodeToString(key))
	if err != nil || !bytes.Equal(got, key) {
		t.Fatalf("ParseKey = %x, %v", got, err)
	}
	for _, bad := range []string{"not base64!", base64.StdEncoding.EncodeToString(key[:16])} {
		if _, err := secret.ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	if _, err := secret.NewBox(key[:16]); err == nil {
		t.Error("NewBox accepted a 16-byte key")
	}
}
