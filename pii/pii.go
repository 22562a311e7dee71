// Package pii protects personal identifiers at rest: it encrypts them with AES-256-GCM and
// makes a keyed blind index (HMAC-SHA256) by which equal values can be found and kept unique
// without ever storing the value itself.
package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// Box seals and opens values and computes their blind index, with two keys derived from one
// master key (FUGONG_DATA_KEY), so that the index reveals nothing about the encryption key.
type Box struct {
	aead     cipher.AEAD
	indexKey []byte
}

// New derives the box's keys from a 32-byte master key.
func New(master []byte) (*Box, error) {
	if len(master) != 32 {
		return nil, fmt.Errorf("pii: master key is %d bytes, want 32", len(master))
	}
	encKey, err := hkdf.Key(sha256.New, master, nil, "fugong pii encryption v1", 32)
	if err != nil {
		return nil, err
	}
	indexKey, err := hkdf.Key(sha256.New, master, nil, "fugong pii blind index v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, indexKey: indexKey}, nil
}

// Seal encrypts plain with a fresh random nonce. purpose (say "id_number") is bound to the
// ciphertext as associated data, so a value sealed for one column cannot be passed off as
// another's.
func (b *Box) Seal(plain, purpose string) string {
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read does not fail (Go 1.24+)
	sealed := b.aead.Seal(nonce, nonce, []byte(plain), []byte(purpose))
	return base64.RawStdEncoding.EncodeToString(sealed)
}

// ErrTampered reports a sealed value that was altered, sealed under another key or for
// another purpose.
var ErrTampered = errors.New("pii: sealed value cannot be opened")

// Open decrypts what Seal sealed for the same purpose.
func (b *Box) Open(sealed, purpose string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", ErrTampered
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(purpose))
	if err != nil {
		return "", ErrTampered
	}
	return string(plain), nil
}

// Index returns the blind index of a value for a purpose: equal values give equal indexes, and
// without the key no index can be computed or reversed by trying all ID numbers.
func (b *Box) Index(plain, purpose string) string {
	m := hmac.New(sha256.New, b.indexKey)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(plain))
	return hex.EncodeToString(m.Sum(nil))
}
