package gitremote

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
)

// gitConfig is git's configuration as the helper's git sees it (files,
// -c and GIT_CONFIG_* from the environment): values by lower-case key.
type gitConfig map[string][]string

// readConfig asks git for its configuration; none when git cannot say.
func readConfig(ctx context.Context) gitConfig {
	out, err := exec.CommandContext(ctx, "git", "config", "--list", "-z").Output()
	cfg := gitConfig{}
	if err != nil {
		return cfg
	}
	for _, entry := range bytes.Split(out, []byte{0}) {
		key, value, _ := strings.Cut(string(entry), "\n")
		if key != "" {
			cfg[strings.ToLower(key)] = append(cfg[strings.ToLower(key)], value)
		}
	}
	return cfg
}

// all returns every value of the key.
func (c gitConfig) all(key string) []string { return c[key] }

// last returns the value that wins ("" for none), lower-cased.
func (c gitConfig) last(key string) string {
	v := c[key]
	if len(v) == 0 {
		return ""
	}
	return strings.ToLower(v[len(v)-1])
}

// netrcLogin returns the login and password for host in home's .netrc
// (or its "default" entry).
func netrcLogin(home, host string) (login, password string, ok bool) {
	f, err := os.Open(home + "/.netrc")
	if err != nil {
		return "", "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Split(bufio.ScanWords)
	var words []string
	for sc.Scan() {
		words = append(words, sc.Text())
	}
	found := false
	for i := 0; i < len(words); i++ {
		switch w := words[i]; {
		case w == "machine" && i+1 < len(words):
			if found {
				return login, password, true
			}
			i++
			found = words[i] == host
		case w == "default":
			if found {
				return login, password, true
			}
			found = true // the entry for every other host, last by convention
		case found && (w == "login" || w == "password") && i+1 < len(words):
			i++
			if w == "login" {
				login = words[i]
			} else {
				password = words[i]
			}
		}
	}
	return login, password, found && (login != "" || password != "")
}
