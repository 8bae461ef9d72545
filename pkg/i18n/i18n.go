// Package i18n translates the platform's words. Catalogs are flat JSON
// files named after their language (web/i18n/fr.json, en.json), optionally
// split by area (portal.fr.json, center.en.json) and merged; a key missing
// from a catalog falls back to English, then to the key itself, so a gap
// shows rather than breaks a page.
//
// It imports only the standard library.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Catalog holds every language's messages.
type Catalog struct {
	messages map[string]map[string]string
}

// Load reads every *.json file of dir in fsys. The last dotted part of the
// file name is the locale ("portal.fr.json" is French); a key defined by two
// files of one locale is an error.
func Load(fsys fs.FS, dir string) (*Catalog, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	c := &Catalog{messages: map[string]map[string]string{}}
	for _, f := range files {
		raw, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", f, err)
		}
		name := strings.TrimSuffix(path.Base(f), ".json")
		locale := name[strings.LastIndex(name, ".")+1:]
		if c.messages[locale] == nil {
			c.messages[locale] = map[string]string{}
		}
		for k, v := range m {
			if _, dup := c.messages[locale][k]; dup {
				return nil, fmt.Errorf("catalog %s: %q is already defined for %s", f, k, locale)
			}
			c.messages[locale][k] = v
		}
	}
	if _, ok := c.messages["en"]; !ok {
		return nil, fmt.Errorf("no English catalog in %s", dir)
	}
	return c, nil
}

// T translates key into locale, formatting args into the message.
func (c *Catalog) T(locale, key string, args ...any) string {
	msg, ok := c.messages[locale][key]
	if !ok {
		if msg, ok = c.messages["en"][key]; !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Lookup says key in locale, formatting args into it, or reports that the
// locale's catalog has no such key (no fallback: the caller has its own).
func (c *Catalog) Lookup(locale, key string, args ...any) (string, bool) {
	msg, ok := c.messages[locale][key]
	if !ok {
		return "", false
	}
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	return msg, true
}

// In is the locale's Lookup, for a caller that translates many messages.
func (c *Catalog) In(locale string) func(key string, args ...any) (string, bool) {
	return func(key string, args ...any) (string, bool) { return c.Lookup(locale, key, args...) }
}

// Keys returns the keys of a locale's catalog, for tests that check every
// catalog has every key.
func (c *Catalog) Keys(locale string) []string {
	keys := make([]string, 0, len(c.messages[locale]))
	for k := range c.messages[locale] {
		keys = append(keys, k)
	}
	return keys
}
