// Package gitea implements core.Remote for Gitea on code.gitea.io/sdk/gitea:
// OAuth2 login, repositories with the user's permission, refs and files,
// webhooks (install, parse, verify), commit statuses and clone credentials.
package gitea

import (
	"crypto/tls"
	"math"
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
	// URL is the Gitea server's root, e.g. https://gitea.example.com.
	URL string
	// ClientID and ClientSecret identify Drover's OAuth2 application.
	ClientID     string
	ClientSecret string
	// SkipVerify disables TLS certificate checks (self-signed servers).
	SkipVerify bool
	// PageSize is the page size for listings; 0 asks the server for its
	// MAX_RESPONSE_ITEMS.
	PageSize int
}

// optionKeys are the keys New accepts, with what each one is.
var optionKeys = map[string]string{
	"url":                "the Gitea server's URL",
	"client_id":          "the OAuth2 application's client id",
	"client_secret":      "the OAuth2 application's client secret",
	"client_secret_file": "a file holding the OAuth2 client secret",
	"skip_verify":        "skip TLS certificate verification",
	"page_size":          "repositories per page (default: the server's MAX_RESPONSE_ITEMS)",
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
		case "page_size":
			o.PageSize, err = integer(k, v)
			if err == nil && (o.PageSize < 1 || o.PageSize > 1000) {
				err = core.Errorf(core.CodeInvalid, "gitea option page_size: %d is out of range 1..1000", o.PageSize)
			}
		default:
			err = core.Errorf(core.CodeInvalid, "gitea: unknown option %q (known: %s)", k, known())
		}
		if err != nil {
			return Options{}, err
		}
	}
	if o.URL == "" {
		return Options{}, core.Errorf(core.CodeInvalid, "gitea option url is required (the Gitea server's URL)")
	}
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Options{}, core.Errorf(core.CodeInvalid, "gitea option url: %q is not an http(s) URL", o.URL)
	}
	o.URL = strings.TrimSuffix(o.URL, "/")
	if o.ClientID == "" {
		return Options{}, core.Errorf(core.CodeInvalid, "gitea option client_id is required")
	}
	switch {
	case o.ClientSecret != "" && secretFile != "":
		return Options{}, core.Errorf(core.CodeInvalid, "gitea options client_secret and client_secret_file exclude each other")
	case secretFile != "":
		b, err := os.ReadFile(secretFile)
		if err != nil {
			return Options{}, core.Errorf(core.CodeInvalid, "gitea option client_secret_file: %w", err)
		}
		o.ClientSecret = strings.TrimSpace(string(b))
		if o.ClientSecret == "" {
			return Options{}, core.Errorf(core.CodeInvalid, "gitea option client_secret_file: %s is empty", secretFile)
		}
	case o.ClientSecret == "":
		return Options{}, core.Errorf(core.CodeInvalid, "gitea option client_secret or client_secret_file is required")
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
		return "", core.Errorf(core.CodeInvalid, "gitea option %s: want a string, got %T", key, v)
	}
	return strings.TrimSpace(s), nil
}

func boolean(key string, v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, core.Errorf(core.CodeInvalid, "gitea option %s: want true or false, got %T", key, v)
	}
	return b, nil
}

// integer accepts the number types TOML and JSON decoders produce.
func integer(key string, v any) (int, error) {
	switch n := v.(type) {
	case int:
		return n, nil
	case int64:
		return int(n), nil
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<31 {
			return int(n), nil
		}
	}
	return 0, core.Errorf(core.CodeInvalid, "gitea option %s: want a whole number, got %v", key, v)
}

// httpClient returns the client every call to the server uses.
func httpClient(skipVerify bool) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if skipVerify {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the admin asked for it
	}
	return &http.Client{Transport: t, Timeout: 60 * time.Second}
}
