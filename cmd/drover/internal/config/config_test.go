package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSaveLoadMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "drover", "config.json")
	f, err := Load(path)
	if err != nil || len(f.Contexts) != 0 {
		t.Fatalf("missing file: %v %v", f, err)
	}
	f.Contexts["a"] = &Context{Server: "http://a", Token: "ta", User: "admin"}
	f.Current = "a"
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	g, err := Load(path)
	if err != nil || g.Current != "a" || g.Contexts["a"].Token != "ta" {
		t.Fatalf("reloaded %+v %v", g, err)
	}
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Error("a broken file loaded")
	}
}

func TestResolve(t *testing.T) {
	f := &File{Current: "a", Contexts: map[string]*Context{
		"a": {Server: "http://a", Token: "ta"}, "b": {Server: "http://b", Token: "tb"}}}
	for _, tt := range []struct {
		name string
		env  map[string]string
		want Target
	}{
		{"current context", nil, Target{"http://a", "ta", "a"}},
		{"server picks its context", map[string]string{"DROVER_SERVER": "http://b"}, Target{"http://b", "tb", "b"}},
		{"token overrides", map[string]string{"DROVER_TOKEN": "x"}, Target{"http://a", "x", "a"}},
		{"unknown server, no token", map[string]string{"DROVER_SERVER": "http://c"}, Target{"http://c", "", ""}},
		{"both from the environment", map[string]string{"DROVER_SERVER": "http://c", "DROVER_TOKEN": "y"}, Target{"http://c", "y", ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := f.Resolve(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Errorf("Resolve = %+v, want %+v", got, tt.want)
			}
		})
	}
}
