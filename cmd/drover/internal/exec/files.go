package exec

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// readKVFiles reads KEY=VALUE files into one map, later files winning.
func readKVFiles(paths []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, usageErr(err)
		}
		if err := parseKV(p, data, out); err != nil {
			return nil, usageErr(err)
		}
	}
	return out, nil
}

// parseKV reads lines of KEY=VALUE into out, as .env files are written:
// blank lines and lines starting with # are ignored, "export " before
// the key is allowed, and a value may be quoted — "..." with Go escapes
// (\n for a multi-line secret), '...' as written. An unquoted value is
// trimmed. Mistakes are reported as FILE:LINE: message.
func parseKV(name string, data []byte, out map[string]string) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(strings.TrimSuffix(sc.Text(), "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || !varName.MatchString(k) {
			// The line is not quoted: in a secret file it may be a secret.
			return fmt.Errorf("%s:%d: want KEY=VALUE (KEY: letters, digits, _ . -)", name, n)
		}
		v, err := unquote(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%s:%d: %s: %v", name, n, k, err)
		}
		out[k] = v
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func unquote(v string) (string, error) {
	switch {
	case len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"':
		s, err := strconv.Unquote(v)
		if err != nil {
			return "", fmt.Errorf("bad double-quoted value (escapes as in Go: \\n, \\\", \\\\)")
		}
		return s, nil
	case len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'':
		return v[1 : len(v)-1], nil
	case strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "'"):
		return "", fmt.Errorf("the quote is not closed on this line")
	}
	return v, nil
}
