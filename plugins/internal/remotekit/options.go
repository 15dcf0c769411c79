// Package remotekit holds what Drover's remote plugins (GitHub, Gitea,
// GitLab) share, as enginekit does for engines: option decoding with the
// OAuth2 client secret or its file, the OAuth2 login, the HTTP client,
// error coding by status, webhook helpers and the install-or-edit flow of
// a repository webhook. What each host speaks stays in its plugin.
package remotekit

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/sdk/remote"
)

// Options are the settings every remote takes from its [[remote]] table.
// A host's options struct embeds them and adds its own json-tagged fields.
type Options struct {
	// URL is the host's web root.
	URL string `json:"url"`
	// ClientID and ClientSecret identify Drover's OAuth2 application.
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	// ClientSecretFile names a file holding ClientSecret instead.
	ClientSecretFile string `json:"client_secret_file"`
	// SkipVerify disables TLS certificate checks (self-signed servers).
	SkipVerify bool `json:"skip_verify"`
}

// Decode decodes options into v, a pointer to a struct of json-tagged
// fields (strings, booleans, whole numbers, List), with
// sdk/remote.DecodeOptions one key at a time so that an unknown key or a
// wrong type is an ErrInvalid naming the key; strings are trimmed.
func Decode(name string, options map[string]any, v any) error {
	fields := jsonFields(reflect.TypeOf(v).Elem())
	keys := make([]string, 0, len(options))
	for k := range options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := fields[k]
		if !ok {
			return core.Errorf(core.CodeInvalid, "%s: unknown option %q (known: %s)", name, k, known(fields))
		}
		if err := remote.DecodeOptions(map[string]any{k: options[k]}, v); err != nil {
			return core.Errorf(core.CodeInvalid, "%s option %s: want %s, got %s", name, k, want(f), got(options[k]))
		}
	}
	trimStrings(reflect.ValueOf(v).Elem())
	return nil
}

// Check completes the common options after Decode: the URL (defaultURL
// when empty, required when that is "" too) must be http(s) and loses its
// trailing slash; the client id and exactly one of the secret and its
// file are required, the file read and trimmed.
func (o *Options) Check(name, defaultURL string) error {
	if o.URL == "" {
		if defaultURL == "" {
			return core.Errorf(core.CodeInvalid, "%s option url is required (the server's URL)", name)
		}
		o.URL = defaultURL
	}
	if err := CheckURL(name, "url", o.URL); err != nil {
		return err
	}
	o.URL = strings.TrimSuffix(o.URL, "/")
	if o.ClientID == "" {
		return core.Errorf(core.CodeInvalid, "%s option client_id is required", name)
	}
	switch file := o.ClientSecretFile; {
	case o.ClientSecret != "" && file != "":
		return core.Errorf(core.CodeInvalid, "%s options client_secret and client_secret_file exclude each other", name)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return core.Errorf(core.CodeInvalid, "%s option client_secret_file: %w", name, err)
		}
		if o.ClientSecret = strings.TrimSpace(string(b)); o.ClientSecret == "" {
			return core.Errorf(core.CodeInvalid, "%s option client_secret_file: %s is empty", name, file)
		}
	case o.ClientSecret == "":
		return core.Errorf(core.CodeInvalid, "%s option client_secret or client_secret_file is required", name)
	}
	return nil
}

// CheckURL reports raw as ErrInvalid naming key unless it is an http(s) URL
// with a host.
func CheckURL(name, key, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return core.Errorf(core.CodeInvalid, "%s option %s: %q is not an http(s) URL", name, key, raw)
	}
	return nil
}

// List is a list of strings written as a list or as one space- or
// comma-separated string (OAuth2 scopes).
type List []string

// UnmarshalJSON accepts a string or a list of strings.
func (l *List) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*l = strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return errors.New("want a list of strings")
	}
	*l = list
	return nil
}

// jsonFields maps the json keys of t's fields, embedded structs included,
// to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k, ft := range jsonFields(f.Type) {
				out[k] = ft
			}
			continue
		}
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag != "" && tag != "-" {
			out[tag] = f.Type
		}
	}
	return out
}

func known(fields map[string]reflect.Type) string {
	ks := make([]string, 0, len(fields))
	for k := range fields {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// want says what a field of type t accepts.
func want(t reflect.Type) string {
	switch {
	case t == reflect.TypeOf(List(nil)):
		return "a list of strings"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		return "a whole number"
	}
	return t.String()
}

// got describes a rejected value: its type, and the value for numbers.
func got(v any) string {
	switch v.(type) {
	case float64, float32, int, int64:
		return fmt.Sprintf("%T %v", v, v)
	}
	return fmt.Sprintf("%T", v)
}

// trimStrings trims the string fields of v, embedded structs included.
func trimStrings(v reflect.Value) {
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.String:
			f.SetString(strings.TrimSpace(f.String()))
		case reflect.Struct:
			trimStrings(f)
		}
	}
}
