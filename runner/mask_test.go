package runner

import (
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/drover-ci/drover/sdk/engine/enginetest"
)

func TestMaskHidesSecretsAndTheirEncodings(t *testing.T) {
	const secret = "p@ss w/rd+\"x\"?&=k" // base64, URL and JSON escaping all change it
	const multi = "-----BEGIN KEY-----\nMIIEowIBAAKCAQEA\nsecond-line-of-key\n-----END KEY-----"
	jsonOf := func(s string) string { b, _ := json.Marshal(s); return strings.Trim(string(b), `"`) }
	m, _ := newMasker(map[string]string{"pass": secret, "key": multi, "pin": "ab1"})
	cases := []struct {
		name, line string
		leak       []string // what must not survive
	}{
		{"plain", "password is " + secret, []string{secret}},
		{"twice in one line", secret + secret, []string{secret}},
		{"base64 std", "b64: " + base64.StdEncoding.EncodeToString([]byte(secret)), []string{base64.StdEncoding.EncodeToString([]byte(secret))}},
		{"base64 std raw", base64.RawStdEncoding.EncodeToString([]byte(secret)), []string{base64.RawStdEncoding.EncodeToString([]byte(secret))}},
		{"base64 url", base64.URLEncoding.EncodeToString([]byte(secret)) + " end", []string{base64.URLEncoding.EncodeToString([]byte(secret))}},
		{"base64 url raw", base64.RawURLEncoding.EncodeToString([]byte(secret)), []string{base64.RawURLEncoding.EncodeToString([]byte(secret))}},
		{"base64 of the secret and a newline (echo | base64)", base64.StdEncoding.EncodeToString([]byte(secret + "\n")),
			[]string{base64.StdEncoding.EncodeToString([]byte(secret))[:20]}},
		{"base64 with the secret inside (basic auth)", "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+secret)),
			[]string{base64.StdEncoding.EncodeToString([]byte("admin:" + secret))[8:24]}},
		{"query escaped", "https://x.test/?p=" + url.QueryEscape(secret), []string{url.QueryEscape(secret)}},
		{"path escaped", "https://x.test/" + url.PathEscape(secret), []string{url.PathEscape(secret)}},
		{"json escaped", `{"password":"` + jsonOf(secret) + `"}`, []string{jsonOf(secret)}},
		{"a line of a multi-line secret", "   MIIEowIBAAKCAQEA", []string{"MIIEowIBAAKCAQEA"}},
		{"another line of it", "x second-line-of-key y", []string{"second-line-of-key"}},
		{"multi-line secret json escaped", jsonOf(multi), []string{jsonOf(multi), "MIIEowIBAAKCAQEA"}},
		{"a line of the base64 of a multi-line secret, wrapped at 76 (base64)", wrapped(multi, 76)[1], []string{wrapped(multi, 76)[1]}},
		{"a line of it wrapped at 64 (openssl base64)", wrapped(multi, 64)[0], []string{wrapped(multi, 64)[0]}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := m.mask(tc.line)
			if !strings.Contains(got, MaskText) {
				t.Errorf("mask(%q) = %q: nothing masked", tc.line, got)
			}
			for _, l := range tc.leak {
				if strings.Contains(got, l) {
					t.Errorf("mask(%q) = %q still holds %q", tc.line, got, l)
				}
			}
		})
	}
}

func TestMaskLeavesShortValuesAndPlainText(t *testing.T) {
	m, short := newMasker(map[string]string{"pin": "ab1", "flag": "1", "empty": "", "token": "t0k3n-value"})
	if len(short) != 2 || short[0] != "flag" || short[1] != "pin" {
		t.Fatalf("short secrets reported %v, want [flag pin]", short)
	}
	for _, line := range []string{"ab1 is a pin", "exit code 1", "build 1 of 10 ok", "nothing secret here: abcdefgh"} {
		if got := m.mask(line); got != line {
			t.Errorf("mask(%q) = %q, want it unchanged", line, got)
		}
	}
}

// wrapped returns the lines of v's base64 wrapped at width, as base64(1)
// and openssl print it.
func wrapped(v string, width int) []string {
	enc := base64.StdEncoding.EncodeToString([]byte(v))
	var out []string
	for len(enc) > width {
		out = append(out, enc[:width])
		enc = enc[width:]
	}
	return append(out, enc)
}

// The reason short secrets are not masked is logged once per secret, not
// at every stage.
func TestShortSecretsLoggedOnce(t *testing.T) {
	logs := &syncWriter{w: &strings.Builder{}}
	c := newFakeClient()
	eng := enginetest.NewFake()
	for id := int64(1); id <= 3; id++ {
		c.add(id, spec("fake", step("build")), false, map[string]string{"pin": "ab1", "token": "long-enough-token"})
	}
	start(t, Options{Client: c, Engines: StaticEngines{"fake": eng}, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	c.waitFinished(t, 3)
	if n := strings.Count(logs.String(), "not masked"); n != 1 {
		t.Fatalf("the short secret was logged about %d times, want once:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "pin") || strings.Contains(logs.String(), "ab1") {
		t.Fatalf("the log should name the secret, never show its value:\n%s", logs.String())
	}
}

// syncWriter serialises writes to w and reads of what was written.
type syncWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
