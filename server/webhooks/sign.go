package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Headers of a delivery.
const (
	HeaderSignature = "X-Drover-Signature" // sha256=<hex HMAC-SHA256 of the body under the webhook's secret>
	HeaderEvent     = "X-Drover-Event"     // build or stage
	HeaderDelivery  = "X-Drover-Delivery"  // the delivery's id, the same for each of its attempts
	HeaderAttempt   = "X-Drover-Attempt"   // 1 for the first attempt
)

// Sign returns the signature header's value of body under secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether header is body's signature under secret, in
// constant time: what a receiver checks.
func Verify(secret string, body []byte, header string) bool {
	got, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	sum, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(sum, mac.Sum(nil))
}
