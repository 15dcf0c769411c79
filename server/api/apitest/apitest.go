// Package apitest checks, in tests, that the API answers as its OpenAPI
// document says: Handler validates every request a test makes and every
// response it gets against the document (kin-openapi's openapi3filter).
package apitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// DocPath is where the server serves its document.
const DocPath = "/api/openapi.json"

func init() {
	// Server-sent events are text; validate them as their declared string.
	openapi3filter.RegisterBodyDecoder("text/event-stream", openapi3filter.PlainBodyDecoder)
}

// Handler wraps h (the API) so that every request served through it and
// its response are validated against the document h serves at DocPath
// (read at the first request). A mismatch fails t:
//   - a response that does not match its operation's declared responses;
//   - a request the document refuses that h answered with a success;
//   - a request of no documented operation that h did not answer 404/405.
//
// Requests the document refuses and h refuses too (4xx) are bad-input
// tests doing their job and pass.
func Handler(t testing.TB, h http.Handler) http.Handler {
	return &validator{t: t, h: h}
}

type validator struct {
	t      testing.TB
	h      http.Handler
	once   sync.Once
	router routers.Router
	err    error
}

func (v *validator) load() {
	w := httptest.NewRecorder()
	v.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, DocPath, nil))
	if w.Code != http.StatusOK {
		v.err = fmt.Errorf("GET %s = %d %s", DocPath, w.Code, w.Body.String())
		return
	}
	doc, err := openapi3.NewLoader().LoadFromData(w.Body.Bytes())
	if err != nil {
		v.err = fmt.Errorf("load the document: %w", err)
		return
	}
	if err := doc.Validate(context.Background()); err != nil {
		v.err = fmt.Errorf("the document is not valid: %w", err)
		return
	}
	doc.Servers = nil // match every host of test requests
	v.router, v.err = gorillamux.NewRouter(doc)
}

func (v *validator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v.t.Helper()
	v.once.Do(v.load)
	if v.err != nil {
		v.t.Errorf("apitest: %v", v.err)
		v.h.ServeHTTP(w, r)
		return
	}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	rec := httptest.NewRecorder()
	v.h.ServeHTTP(rec, r)
	v.check(r, body, rec)
	for k, vals := range rec.Header() {
		w.Header()[k] = vals
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// check validates the request (its body as it was sent) and the response.
func (v *validator) check(r *http.Request, body []byte, rec *httptest.ResponseRecorder) {
	v.t.Helper()
	what := r.Method + " " + r.URL.RequestURI()
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		if rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
			v.t.Errorf("apitest: %s answered %d but is in no operation of the document: %v", what, rec.Code, err)
		}
		return
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && rec.Code < 400 {
		v.t.Errorf("apitest: %s was answered %d although the document refuses it: %v", what, rec.Code, err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: rec.Code, Header: rec.Header(),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		v.t.Errorf("apitest: the answer %d to %s does not match the document: %v\nbody: %.2000s", rec.Code, what, err, rec.Body.String())
	}
}
