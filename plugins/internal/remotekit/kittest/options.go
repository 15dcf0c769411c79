package kittest

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

// OptionCase is one option map and the invalid error it gives ("" for none).
type OptionCase struct {
	Name    string
	Options map[string]any
	WantErr string
}

// ValidateOptions runs newFn on the cases every remote shares, built on
// ok (a valid map with url https://<host>/), and on the host's extra
// cases; it returns ok with client_secret_file for the host's own checks.
func ValidateOptions(t *testing.T, ok map[string]any, newFn func(map[string]any) error, extra ...OptionCase) map[string]any {
	t.Helper()
	secretFile := SecretFile(t)
	host := strings.TrimSuffix(strings.TrimPrefix(ok["url"].(string), "https://"), "/")
	tests := append([]OptionCase{
		{"valid", ok, ""},
		{"secret file", With(ok, "client_secret", nil), "client_secret or client_secret_file is required"},
		{"bad url", With(ok, "url", host), "not an http(s) URL"},
		{"missing client id", With(ok, "client_id", nil), "client_id is required"},
		{"unknown key", With(ok, "colour", "blue"), `unknown option "colour"`},
		{"wrong type", With(ok, "skip_verify", "yes"), "skip_verify: want true or false"},
		{"both secrets", With(ok, "client_secret_file", secretFile), "exclude each other"},
		{"missing secret file", With(With(ok, "client_secret", nil), "client_secret_file", filepath.Join(t.TempDir(), "nope")), "client_secret_file"},
	}, extra...)
	for _, tt := range tests {
		t.Run(tt.Name, func(t *testing.T) {
			err := newFn(tt.Options)
			if tt.WantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.WantErr) || !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("New: got %v, want invalid error containing %q", err, tt.WantErr)
			}
		})
	}
	return With(With(ok, "client_secret", nil), "client_secret_file", secretFile)
}

// Scopes checks that scopes given as one string split on spaces; parse
// returns the scopes of an option map.
func Scopes(t *testing.T, ok map[string]any, parse func(map[string]any) []string) {
	t.Helper()
	if scopes := parse(With(ok, "scopes", "repo read:org")); len(scopes) != 2 || scopes[1] != "read:org" {
		t.Fatalf("scopes: %+v", scopes)
	}
}
