// Package gitlab implements core.Remote for GitLab.com and self-managed
// GitLab on gitlab.com/gitlab-org/api/client-go: OAuth2 login, projects
// with the user's access level, refs and files, project webhooks and
// system hooks (parse, verify), commit statuses and clone credentials.
package gitlab

import (
	"crypto/tls"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/drover-ci/drover/core"
)

// Options are an instance's settings, from its [[remote]] table.
type Options struct {
	// URL is the web root: https://gitlab.com or a self-managed server.
	URL string
	// Scopes are the OAuth2 scopes asked for.
	Scopes []string
	// ClientID and ClientSecret identify Drover's OAuth2 application.
	ClientID     string
	ClientSecret string
	// SkipVerify disables TLS certificate checks (self-signed servers).
	SkipVerify bool
}

// optionKeys are the keys New accepts, with what each one is.
var optionKeys = map[string]string{
	"url":                "GitLab's URL (default https://gitlab.com)",
	"client_id":          "the OAuth2 application's client id",
	"client_secret":      "the OAuth2 application's client secret",
	"client_secret_file": "a file holding the OAuth2 client secret",
	"skip_verify":        "skip TLS certificate verification",
	"scopes":             "OAuth2 scopes, a list or a space-separated string",
}

// ParseOptions validates an instance's option map: unknown keys, wrong
// types and missing settings are ErrInvalid errors that name the key.
func ParseOptions(options map[string]any) (Options, error) {
	var o Options
	keys := make([]string, 0, len(options))
	for k := range options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var secretFile string
	for _, k := range keys {
		v := options[k]
		var err error
		switch k {
		case "url":
			o.URL, err = str(k, v)
		case "client_id":
			o.ClientID, err = str(k, v)
		case "client_secret":
			o.ClientSecret, err = str(k, v)
		case "client_secret_file":
			secretFile, err = str(k, v)
		case "skip_verify":
			o.SkipVerify, err = boolean(k, v)
		case "scopes":
			o.Scopes, err = list(k, v)
		default:
			err = core.Errorf(core.CodeInvalid, "gitlab: unknown option %q (known: %s)", k, known())
		}
		if err != nil {
			return Options{}, err
		}
	}
	if o.URL == "" {
		o.URL = "https://gitlab.com"
	}
	if u, err := url.Parse(o.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Options{}, core.Errorf(core.CodeInvalid, "gitlab option url: %q is not an http(s) URL", o.URL)
	}
	o.URL = strings.TrimSuffix(o.URL, "/")
	if o.Scopes == nil {
		o.Scopes = defaultScopes
	}
	if o.ClientID == "" {
		return Options{}, core.Errorf(core.CodeInvalid, "gitlab option client_id is required")
	}
	switch {
	case o.ClientSecret != "" && secretFile != "":
		return Options{}, core.Errorf(core.CodeInvalid, "gitlab options client_secret and client_secret_file exclude each other")
	case secretFile != "":
		b, err := os.ReadFile(secretFile)
		if err != nil {
			return Options{}, core.Errorf(core.CodeInvalid, "gitlab option client_secret_file: %w", err)
		}
		o.ClientSecret = strings.TrimSpace(string(b))
		if o.ClientSecret == "" {
			return Options{}, core.Errorf(core.CodeInvalid, "gitlab option client_secret_file: %s is empty", secretFile)
		}
	case o.ClientSecret == "":
		return Options{}, core.Errorf(core.CodeInvalid, "gitlab option client_secret or client_secret_file is required")
	}
	return o, nil
}

func known() string {
	ks := make([]string, 0, len(optionKeys))
	for k := range optionKeys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

func str(key string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", core.Errorf(core.CodeInvalid, "gitlab option %s: want a string, got %T", key, v)
	}
	return strings.TrimSpace(s), nil
}

func boolean(key string, v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, core.Errorf(core.CodeInvalid, "gitlab option %s: want true or false, got %T", key, v)
	}
	return b, nil
}

// defaultScopes: "api" covers projects, hooks and statuses; read_repository
// lets the token clone over HTTP.
var defaultScopes = []string{"api", "read_user", "read_repository"}

// list accepts a list of strings or a space- or comma-separated string.
func list(key string, v any) ([]string, error) {
	switch l := v.(type) {
	case string:
		return strings.FieldsFunc(l, func(r rune) bool { return r == ' ' || r == ',' }), nil
	case []string:
		return l, nil
	case []any:
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, core.Errorf(core.CodeInvalid, "gitlab option %s: want strings, got %T", key, e)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, core.Errorf(core.CodeInvalid, "gitlab option %s: want a list of strings, got %T", key, v)
}

// httpClient returns the client every call to the server uses.
func httpClient(skipVerify bool) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if skipVerify {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the admin asked for it
	}
	return &http.Client{Transport: t, Timeout: 60 * time.Second}
}
