// Package hostfake holds what the remote plugins' httptest fakes of their
// hosts' REST APIs share: injected failures and JSON answers. What each
// host answers (its error bodies, paging headers, fixtures) stays in its
// own fake.
package hostfake

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
)

// Failures makes chosen routes answer with an error status until cleared.
// The zero value is ready to use and safe for concurrent use.
type Failures struct {
	mu sync.Mutex
	m  map[string]failure
}

type failure struct {
	status int
	header http.Header
}

// Set makes route ("METHOD /path", no query) answer status with the
// headers; status 0 clears it.
func (f *Failures) Set(route string, status int, header http.Header) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if status == 0 {
		delete(f.m, route)
		return
	}
	if f.m == nil {
		f.m = map[string]failure{}
	}
	f.m[route] = failure{status, header}
}

// Wrap answers a request whose route (as key makes it) has a failure with
// its headers and body(status) as JSON, before next sees it.
func (f *Failures) Wrap(next http.Handler, key func(*http.Request) string, body func(status int) any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		fl, ok := f.m[key(r)]
		f.mu.Unlock()
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		for k, v := range fl.header {
			w.Header()[k] = v
		}
		WriteJSON(w, fl.status, body(fl.status))
	})
}

// Route is the usual failure key: "METHOD /path".
func Route(r *http.Request) string { return r.Method + " " + r.URL.Path }

// WriteJSON answers v as JSON with the status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Atoi parses s, or returns def when it is not a number (query parameters).
func Atoi(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}
