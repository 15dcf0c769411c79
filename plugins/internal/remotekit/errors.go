package remotekit

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/drover-ci/drover/core"
)

// Canceled wraps the context's error when a call failed because ctx ended,
// or returns nil.
func Canceled(ctx context.Context, name, op string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s %s: %w", name, op, ctx.Err())
	}
	return nil
}

// StatusErr codes a failed HTTP answer by its status; wait describes when
// a rate limit ends (see Until and RetryAfter), or is "".
func StatusErr(name, op string, code int, wait string, err error) error {
	switch {
	case code == http.StatusNotFound:
		return core.Errorf(core.CodeNotFound, "%s %s: not found: %w", name, op, err)
	case code == http.StatusUnauthorized:
		return core.Errorf(core.CodeUnauthenticated, "%s %s: unauthenticated: %w", name, op, err)
	case code == http.StatusForbidden:
		return core.Errorf(core.CodeForbidden, "%s %s: forbidden: %w", name, op, err)
	case code == http.StatusConflict:
		return core.Errorf(core.CodeConflict, "%s %s: %w", name, op, err)
	case code == http.StatusBadRequest || code == http.StatusUnprocessableEntity:
		return core.Errorf(core.CodeInvalid, "%s %s: %w", name, op, err)
	case code == http.StatusTooManyRequests:
		return core.Errorf(core.CodeUnavailable, "%s %s: rate limited%s: %w", name, op, wait, err)
	case code >= 500:
		return core.Errorf(core.CodeUnavailable, "%s %s: server error %d: %w", name, op, code, err)
	}
	return fmt.Errorf("%s %s: status %d: %w", name, op, code, err)
}

// RateLimited codes a rate-limited answer as unavailable with wait.
func RateLimited(name, op, wait string, err error) error {
	return StatusErr(name, op, http.StatusTooManyRequests, wait, err)
}

// Until describes the end of a rate limit from a header holding Unix
// seconds, or returns "".
func Until(h http.Header, key string) string {
	if v, err := strconv.ParseInt(h.Get(key), 10, 64); err == nil {
		return " until " + time.Unix(v, 0).UTC().Format(time.RFC3339)
	}
	return ""
}

// RetryAfter describes a Retry-After header (seconds or an HTTP date), or
// returns "".
func RetryAfter(h http.Header) string {
	v := h.Get("Retry-After")
	if v == "" {
		return ""
	}
	if t, err := http.ParseTime(v); err == nil {
		return " until " + t.UTC().Format(time.RFC3339)
	}
	return " for " + v + "s"
}
