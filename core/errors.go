package core

import (
	"errors"
	"fmt"
)

// Code classifies an error so that every layer (store, API, plugin boundary)
// can react to it without knowing where it came from.
type Code string

// The error codes. Each maps to exactly one HTTP status (server/api) and one
// gRPC code (sdk), in one place each.
const (
	CodeNotFound        Code = "not_found"
	CodeConflict        Code = "conflict"
	CodeInvalid         Code = "invalid"
	CodeForbidden       Code = "forbidden"
	CodeUnauthenticated Code = "unauthenticated"
	CodeUnavailable     Code = "unavailable"
)

// Sentinel errors, one per code. Test with errors.Is(err, core.ErrNotFound):
// any *Error carrying the same code matches, however deeply it is wrapped.
var (
	ErrNotFound        = &Error{Code: CodeNotFound}
	ErrConflict        = &Error{Code: CodeConflict}
	ErrInvalid         = &Error{Code: CodeInvalid}
	ErrForbidden       = &Error{Code: CodeForbidden}
	ErrUnauthenticated = &Error{Code: CodeUnauthenticated}
	ErrUnavailable     = &Error{Code: CodeUnavailable}
)

// Error is a coded error with a message meant for the user who caused it.
type Error struct {
	Code    Code   // what kind of failure
	Message string // human-readable, safe to show to the caller; includes the cause's text
	Err     error  // optional cause, reachable through Unwrap
}

// Error implements error.
func (e *Error) Error() string {
	switch {
	case e.Message != "":
		return e.Message
	case e.Err != nil:
		return string(e.Code) + ": " + e.Err.Error()
	default:
		return string(e.Code)
	}
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is a coded error with the same code, so that
// errors.Is(err, ErrNotFound) holds for every not-found error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errorf returns a coded error whose message is formatted like fmt.Sprintf.
// A %w verb in format keeps the wrapped error reachable through Unwrap.
func Errorf(code Code, format string, args ...any) error {
	wrapped := fmt.Errorf(format, args...)
	return &Error{Code: code, Message: wrapped.Error(), Err: errors.Unwrap(wrapped)}
}

// ErrorCode returns the code of the first coded error in err's chain, or ""
// when there is none (an internal error).
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
