// Package auth holds the server's credential helpers: API and runner
// tokens, stored only as hashes.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// TokenPrefix starts every personal API token, so leaked tokens are easy
// to recognise (and to scan for).
const TokenPrefix = "drv_"

// RunnerTokenPrefix starts every runner token.
const RunnerTokenPrefix = "drvr_"

// RegistrationTokenPrefix starts every runner registration token.
const RegistrationTokenPrefix = "drvreg_"

// NewSecret returns a fresh random token with the given prefix, its hash
// for storage, and a short display prefix that tells tokens apart.
func NewSecret(prefix string) (secret, hash, display string) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		panic("crypto/rand failed: " + err.Error()) // the platform is broken; nothing sane remains
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(buf)
	return secret, Hash(secret), secret[:len(prefix)+6]
}

// Hash returns the hex sha256 of a token; tokens are random and long, so
// a fast hash is enough (no password stretching needed).
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return hex.EncodeToString(sum[:])
}
