package remotekit

import (
	"errors"
	"strings"
	"testing"

	"github.com/drover-ci/drover/core"
)

type testOptions struct {
	Options
	Scopes   List `json:"scopes"`
	PageSize int  `json:"page_size"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		options map[string]any
		wantErr string
		check   func(testOptions) bool
	}{
		{"embedded and own fields", map[string]any{"url": " https://x.example ", "client_id": "id", "skip_verify": true, "page_size": float64(20)}, "",
			func(o testOptions) bool {
				return o.URL == "https://x.example" && o.ClientID == "id" && o.SkipVerify && o.PageSize == 20
			}},
		{"scopes as a string", map[string]any{"scopes": "repo, read:org user"}, "",
			func(o testOptions) bool { return len(o.Scopes) == 3 && o.Scopes[1] == "read:org" }},
		{"scopes as a list", map[string]any{"scopes": []any{"a", "b"}}, "", func(o testOptions) bool { return len(o.Scopes) == 2 }},
		{"unknown key", map[string]any{"colour": "blue"}, `host: unknown option "colour" (known: client_id, client_secret, client_secret_file, page_size, scopes, skip_verify, url)`, nil},
		{"wrong string", map[string]any{"url": 3}, "host option url: want a string, got int 3", nil},
		{"wrong bool", map[string]any{"skip_verify": "yes"}, "host option skip_verify: want true or false, got string", nil},
		{"fraction", map[string]any{"page_size": 2.5}, "host option page_size: want a whole number, got float64 2.5", nil},
		{"wrong list", map[string]any{"scopes": []any{1}}, "host option scopes: want a list of strings", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o testOptions
			err := Decode("host", tt.options, &o)
			if tt.wantErr != "" {
				if !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want invalid %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(o) {
				t.Fatalf("got %+v, %v", o, err)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name       string
		o          Options
		defaultURL string
		wantErr    string
		wantURL    string
	}{
		{"default url", Options{ClientID: "id", ClientSecret: "s"}, "https://host.example", "", "https://host.example"},
		{"trailing slash", Options{URL: "http://h:3000/", ClientID: "id", ClientSecret: "s"}, "", "", "http://h:3000"},
		{"url required", Options{ClientID: "id", ClientSecret: "s"}, "", "url is required", ""},
		{"not http", Options{URL: "ftp://h", ClientID: "id", ClientSecret: "s"}, "", "not an http(s) URL", ""},
		{"no client id", Options{URL: "http://h", ClientSecret: "s"}, "", "client_id is required", ""},
		{"no secret", Options{URL: "http://h", ClientID: "id"}, "", "client_secret or client_secret_file is required", ""},
		{"both secrets", Options{URL: "http://h", ClientID: "id", ClientSecret: "s", ClientSecretFile: "/f"}, "", "exclude each other", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			err := o.Check("host", tt.defaultURL)
			if tt.wantErr != "" {
				if !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want invalid %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || o.URL != tt.wantURL {
				t.Fatalf("got %+v, %v", o, err)
			}
		})
	}
}
