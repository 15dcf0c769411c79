package apitest_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/drover-ci/drover/server/api/apitest"
)

const doc = `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
  "/api/things/{id}": {"post": {
    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
    "requestBody": {"required": true, "content": {"application/json": {"schema": {
      "type": "object", "additionalProperties": false, "required": ["name"], "properties": {"name": {"type": "string"}}}}}},
    "responses": {
      "200": {"description": "ok", "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": false, "required": ["id"], "properties": {"id": {"type": "integer"}}}}}},
      "default": {"description": "error", "content": {"application/json": {"schema": {
        "type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}}}}}}}}}`

// recorder is a testing.TB that keeps the errors reported to it.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// api serves the document, and answers POST /api/things/{id} with status
// and answer whatever the request.
func api(status int, answer string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == apitest.DocPath {
			io.WriteString(w, doc)
			return
		}
		if r.URL.Path == "/api/nothing" {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":"no"}`)
			return
		}
		w.WriteHeader(status)
		io.WriteString(w, answer)
	})
}

func TestHandlerValidates(t *testing.T) {
	for _, tc := range []struct {
		name, path, body string
		status           int
		answer           string
		wantErr          string // "" : no error reported
	}{
		{"valid exchange", "/api/things/1", `{"name":"a"}`, 200, `{"id":1}`, ""},
		{"answer with a wrong type", "/api/things/1", `{"name":"a"}`, 200, `{"id":"one"}`, "does not match the document"},
		{"answer with an unknown field", "/api/things/1", `{"name":"a"}`, 200, `{"id":1,"extra":true}`, "does not match the document"},
		{"error without its message", "/api/things/1", `{"name":"a"}`, 500, `{}`, "does not match the document"},
		{"bad request accepted", "/api/things/1", `{"nom":"a"}`, 200, `{"id":1}`, "although the document refuses it"},
		{"bad path parameter accepted", "/api/things/x", `{"name":"a"}`, 200, `{"id":1}`, "although the document refuses it"},
		{"bad request refused", "/api/things/1", `{"nom":"a"}`, 400, `{"error":"unknown field nom"}`, ""},
		{"undocumented query parameter used", "/api/things/1?secret=1", `{"name":"a"}`, 200, `{"id":1}`, "does not name"},
		{"undocumented route answered", "/api/other", `{}`, 200, `{"id":1}`, "is in no operation"},
		{"undocumented route refused", "/api/nothing", `{}`, 404, ``, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			h := apitest.Handler(rec, api(tc.status, tc.answer))
			req := httptest.NewRequest("POST", tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tc.status || w.Body.String() != tc.answer && tc.path != "/api/nothing" {
				t.Errorf("the answer reached the test as %d %q, want %d %q", w.Code, w.Body, tc.status, tc.answer)
			}
			got := strings.Join(rec.errs, "\n")
			if tc.wantErr == "" && got != "" || !strings.Contains(got, tc.wantErr) {
				t.Errorf("reported %q, want %q", got, tc.wantErr)
			}
		})
	}
}
