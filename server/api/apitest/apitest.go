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
	"sort"
	"strings"
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
	// Badges (SVG) and CCTray feeds (XML) are text too.
	openapi3filter.RegisterBodyDecoder("image/svg+xml", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/xml", openapi3filter.PlainBodyDecoder)
}

// Handler wraps h (the API) so that every request served through it and
// its response are validated against the document h serves at DocPath
// (read at the first request), as Checker.Check does.
func Handler(t testing.TB, h http.Handler) http.Handler {
	return &validator{t: t, h: h}
}

type validator struct {
	t    testing.TB
	h    http.Handler
	once sync.Once
	c    *Checker
	err  error
}

func (v *validator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v.t.Helper()
	v.once.Do(func() { v.c, v.err = Load(v.h) })
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
	tee := &tee{ResponseWriter: w, code: http.StatusOK}
	v.h.ServeHTTP(tee, r)
	v.c.Check(v.t, r, body, tee.code, w.Header(), tee.body.Bytes())
}

// tee passes an answer on as it is written (streams stay live) and keeps
// its status and body to be checked once it is complete.
type tee struct {
	http.ResponseWriter
	code  int
	wrote bool
	body  bytes.Buffer
}

func (t *tee) WriteHeader(code int) {
	if !t.wrote {
		t.code, t.wrote = code, true
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *tee) Write(b []byte) (int, error) {
	t.wrote = true
	t.body.Write(b)
	return t.ResponseWriter.Write(b)
}

// Flush sends what was written so far (server-sent events).
func (t *tee) Flush() {
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Checker validates exchanges against an OpenAPI document.
type Checker struct {
	router routers.Router
}

// Load reads the document h serves at DocPath, validates it, and
// returns its Checker.
func Load(h http.Handler) (*Checker, error) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, DocPath, nil))
	if w.Code != http.StatusOK {
		return nil, fmt.Errorf("GET %s = %d %s", DocPath, w.Code, w.Body.String())
	}
	doc, err := openapi3.NewLoader().LoadFromData(w.Body.Bytes())
	if err != nil {
		return nil, fmt.Errorf("load the document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("the document is not valid: %w", err)
	}
	doc.Servers = nil // match every host of test requests
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route the document: %w", err)
	}
	return &Checker{router: router}, nil
}

// Check validates one exchange: the request r with the body it was sent
// with, and the answer (status, header, body). A mismatch fails t:
//   - an answer that does not match its operation's declared responses;
//   - a request the document refuses that was answered with a success;
//   - a request under /api/ of no documented operation that was not
//     answered 404/405 (other paths are the web UI's pages).
//
// Requests the document refuses and the API refuses too (4xx) are
// bad-input tests doing their job and pass.
func (c *Checker) Check(t testing.TB, r *http.Request, body []byte, status int, header http.Header, answer []byte) {
	t.Helper()
	what := r.Method + " " + r.URL.RequestURI()
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			return // a web page, outside the document
		}
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			t.Errorf("apitest: %s answered %d but is in no operation of the document: %v", what, status, err)
		}
		return
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && status < 400 {
		t.Errorf("apitest: %s was answered %d although the document refuses it: %v", what, status, err)
	}
	if name := undeclaredQuery(route, req); name != "" && status < 400 {
		t.Errorf("apitest: %s was answered %d with the query parameter %q the document does not name", what, status, name)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(answer)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("apitest: the answer %d to %s does not match the document: %v\nbody: %.2000s", status, what, err, answer)
	}
}

// undeclaredQuery returns a query parameter of req its operation does
// not declare, or "" (openapi3filter ignores them; the docs must not).
func undeclaredQuery(route *routers.Route, req *http.Request) string {
	declared := map[string]bool{}
	for _, params := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range params {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				declared[p.Value.Name] = true
			}
		}
	}
	names := make([]string, 0, len(req.URL.Query()))
	for name := range req.URL.Query() {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !declared[name] {
			return name
		}
	}
	return ""
}
