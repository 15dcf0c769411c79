// Package httpreq is the one place that decodes requests for every gin
// handler of the server (the API and the runner protocol): a cap on the
// body, strict JSON bodies and numeric path parameters, each refusal a
// core.CodeInvalid error (or an *http.MaxBytesError) for server/httperr.
package httpreq

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/drover-ci/drover/core"
)

// LimitBody caps every request body of the routes it guards at n bytes;
// reading beyond it fails with an *http.MaxBytesError (answered 413).
func LimitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		c.Next()
	}
}

// BindJSON decodes the request body into v, rejecting unknown fields and
// trailing data, with errors that say what is wrong.
func BindJSON(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if err == io.EOF {
			return core.Errorf(core.CodeInvalid, "request body is empty; send a JSON value")
		}
		return core.Errorf(core.CodeInvalid, "request body is not valid JSON: %v", err)
	}
	if dec.More() {
		return core.Errorf(core.CodeInvalid, "request body has data after the JSON value")
	}
	return nil
}

// PathID parses the path parameter name as a positive id: the whole
// segment must be decimal digits ("999abc", "1e5", "-1", "+1", "0x10",
// "0", an empty segment and values beyond int64 are refused, naming the
// parameter).
func PathID(c *gin.Context, name string) (int64, error) {
	return ParseID(name, c.Param(name))
}

// ParseID parses s, the value of the parameter name, as PathID does.
func ParseID(name, s string) (int64, error) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, core.Errorf(core.CodeInvalid, "%s %q is not a positive whole number", name, s)
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		return 0, core.Errorf(core.CodeInvalid, "%s %q is too large", name, s)
	}
	if err != nil || id <= 0 {
		return 0, core.Errorf(core.CodeInvalid, "%s %q is not a positive whole number", name, s)
	}
	return id, nil
}
