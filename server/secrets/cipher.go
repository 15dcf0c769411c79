// Package secrets encrypts secrets at rest with AES-GCM under the server's
// secret key, and resolves the secrets a stage may see.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"github.com/drover-ci/drover/core"
)

// Cipher seals and opens secret values with AES-256-GCM. The key is
// derived from DROVER_SECRET_KEY with SHA-256, so any non-empty key works;
// each value gets a fresh random nonce, stored in front of the ciphertext.
type Cipher struct{ aead cipher.AEAD }

// NewCipher returns a cipher for the server's secret key.
func NewCipher(key string) (*Cipher, error) {
	if key == "" {
		return nil, core.Errorf(core.CodeInvalid, "secret key is empty")
	}
	sum := sha256.Sum256([]byte(key))
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, fmt.Errorf("secret cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret cipher: %w", err)
	}
	return &Cipher{aead: aead}, nil
}

// Seal encrypts a value; additional binds it to its owner (scope and
// name), so a ciphertext copied to another secret does not open.
func (c *Cipher) Seal(plain, additional []byte) []byte {
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return c.aead.Seal(nonce, nonce, plain, additional)
}

// Open decrypts a value sealed with the same key and additional data.
func (c *Cipher) Open(sealed, additional []byte) ([]byte, error) {
	n := c.aead.NonceSize()
	if len(sealed) < n {
		return nil, core.Errorf(core.CodeInvalid, "sealed secret is too short")
	}
	plain, err := c.aead.Open(nil, sealed[:n], sealed[n:], additional)
	if err != nil {
		return nil, core.Errorf(core.CodeInvalid, "secret does not decrypt with this server's key (was DROVER_SECRET_KEY changed?)")
	}
	return plain, nil
}
