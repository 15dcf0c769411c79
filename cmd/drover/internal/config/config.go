// Package config is the drover command's configuration file: the servers
// you logged in to (contexts) and which one is in use. It lives at
// os.UserConfigDir()/drover/config.json, mode 0600 (DROVER_CONFIG names
// another file); DROVER_SERVER and DROVER_TOKEN override it.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Context is one server logged in to.
type Context struct {
	Server string `json:"server"`
	Token  string `json:"token"`
	User   string `json:"user,omitempty"` // the login the token belongs to
}

// File is the configuration file's content.
type File struct {
	Current  string              `json:"current,omitempty"`
	Contexts map[string]*Context `json:"contexts,omitempty"`
}

// DefaultPath is DROVER_CONFIG, else drover/config.json in the user's
// configuration directory.
func DefaultPath(getenv func(string) string) (string, error) {
	if p := getenv("DROVER_CONFIG"); p != "" {
		return p, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory (set DROVER_CONFIG): %w", err)
	}
	return filepath.Join(dir, "drover", "config.json"), nil
}

// Load reads the file at path; a missing file is an empty one.
func Load(path string) (*File, error) {
	f := &File{Contexts: map[string]*Context{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the configuration: %w", err)
	}
	if err := json.Unmarshal(data, f); err != nil {
		return nil, fmt.Errorf("the configuration %s is not valid JSON: %w", path, err)
	}
	if f.Contexts == nil {
		f.Contexts = map[string]*Context{}
	}
	return f, nil
}

// Save writes the file to path, mode 0600 (its folder 0700), replacing
// it at once so that a reader never sees half of it.
func (f *File) Save(path string) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the configuration: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save the configuration: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.json")
	if err != nil {
		return fmt.Errorf("save the configuration: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save the configuration: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save the configuration: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save the configuration: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save the configuration: %w", err)
	}
	return nil
}

// Names are the contexts' names, sorted.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.Contexts))
	for n := range f.Contexts {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ByServer returns the name of a context of the server, or "".
func (f *File) ByServer(server string) string {
	for _, n := range f.Names() {
		if f.Contexts[n].Server == server {
			return n
		}
	}
	return ""
}

// Target is the server and token a command uses, and where they came from.
type Target struct {
	Server, Token string
	Context       string // the context's name; empty when the environment gave both
}

// Resolve picks the server and token: DROVER_SERVER and DROVER_TOKEN
// first, then the current context (or, for DROVER_SERVER alone, the
// context of that server).
func (f *File) Resolve(getenv func(string) string) Target {
	t := Target{Server: getenv("DROVER_SERVER"), Token: getenv("DROVER_TOKEN")}
	name := f.Current
	if t.Server != "" {
		name = f.ByServer(t.Server)
	}
	if c := f.Contexts[name]; c != nil {
		t.Context = name
		if t.Server == "" {
			t.Server = c.Server
		}
		if t.Token == "" {
			t.Token = c.Token
		}
	}
	return t
}
