package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is a failed call: the server's answer (Status, Code and Message
// of its {"error", "code"} body) or, with Status 0, a transport error Err.
// Its message is one line and, where there is something to do, says what.
type Error struct {
	Server  string
	Method  string
	Path    string
	Status  int
	Code    string // the body's code: invalid, not_found, ...
	Message string // the body's error
	Err     error  // the transport's error when Status is 0
	// RetryAfter is the answer's Retry-After in seconds (429, 503), or 0.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("cannot reach %s: %v (is the server running? see drover context ls)", e.Server, rootCause(e.Err))
	}
	msg := e.Message
	if msg == "" {
		msg = strings.ToLower(http.StatusText(e.Status))
	}
	switch e.Status {
	case http.StatusUnauthorized:
		return fmt.Sprintf("%s (401): run drover login %s", msg, e.Server)
	case http.StatusForbidden:
		return fmt.Sprintf("%s (403): your account may not do this", msg)
	case http.StatusNotFound:
		return fmt.Sprintf("%s (404): check the name, number and --remote (a private repository you may not read is not found either)", msg)
	case http.StatusMethodNotAllowed:
		return fmt.Sprintf("%s %s: this server does not support it (405); is it older than this drover?", e.Method, e.Path)
	}
	return fmt.Sprintf("%s (%d)", msg, e.Status)
}

func (e *Error) Unwrap() error { return e.Err }

// rootCause is the innermost error of a transport failure (connection
// refused rather than the whole URL again).
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// StatusOf is err's HTTP status when it is an *Error from the server, else 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// readError reads an error answer.
func readError(server, method, path string, resp *http.Response) error {
	e := &Error{Server: server, Method: method, Path: path, Status: resp.StatusCode}
	if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
		e.RetryAfter = time.Duration(secs) * time.Second
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Error string `json:"error"`
		Code  string `json:"code"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.Message, e.Code = body.Error, body.Code
	} else if s := strings.TrimSpace(string(data)); s != "" && len(s) < 200 && !strings.Contains(s, "\n") {
		e.Message = s
	}
	return e
}
