package runner

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// MaskText replaces a secret in a log line.
const MaskText = "********"

// MinMaskLen is the shortest secret value (and line of a multi-line one)
// that is masked: hiding every "1" or "abc" of a log would garble it and,
// by the pattern of what was hidden, give the value away anyway.
const MinMaskLen = 4

// masker hides secret values in log lines before they leave the host.
type masker struct{ r *strings.Replacer }

// newMasker masks every secret value of at least MinMaskLen characters,
// each such line of a multi-line value (output is split into lines before
// masking), and their common encodings (see encodings), longest first so
// that a secret containing another is hidden whole. It returns, sorted,
// the names of the secrets too short to be masked.
func newMasker(secrets map[string]string) (*masker, []string) {
	seen := map[string]bool{}
	var vals, short []string
	add := func(v string) {
		if len(v) >= MinMaskLen && !seen[v] {
			seen[v] = true
			vals = append(vals, v)
		}
	}
	for name, v := range secrets {
		v = strings.TrimRight(v, "\r\n")
		if v != "" && len(v) < MinMaskLen {
			short = append(short, name)
			continue
		}
		for _, e := range encodings(v) {
			add(e)
		}
		if strings.Contains(v, "\n") {
			for _, line := range strings.Split(v, "\n") {
				line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
				for _, e := range encodings(line) {
					add(e)
				}
			}
		}
	}
	slices.Sort(short)
	if len(vals) == 0 {
		return &masker{}, short
	}
	sort.Slice(vals, func(i, j int) bool { return len(vals[i]) > len(vals[j]) })
	pairs := make([]string, 0, 2*len(vals))
	for _, v := range vals {
		pairs = append(pairs, v, MaskText)
	}
	return &masker{r: strings.NewReplacer(pairs...)}, short
}

// encodings returns v and the forms a step is likely to print it in:
// base64 (standard and URL alphabets, padded or not), URL query and path
// escaping, and JSON string escaping (with and without HTML escapes).
// Forms shorter than MinMaskLen are left to the caller to drop.
func encodings(v string) []string {
	if len(v) < MinMaskLen {
		return nil
	}
	out := []string{v, url.QueryEscape(v), url.PathEscape(v)}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		out = append(out, enc.EncodeToString([]byte(v)))
		out = append(out, base64Inner(enc.WithPadding(base64.NoPadding), v)...)
	}
	// base64(1) wraps its output at 76 columns, openssl at 64: each line
	// of a long secret's encoding is masked on its own.
	std := base64.StdEncoding.EncodeToString([]byte(v))
	for _, width := range []int{64, 76} {
		for rest := std; len(rest) > width; {
			out = append(out, rest[:width])
			if rest = rest[width:]; len(rest) <= width {
				out = append(out, rest)
			}
		}
	}
	if b, err := json.Marshal(v); err == nil {
		out = append(out, string(b[1:len(b)-1]))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) == nil {
		out = append(out, strings.TrimSuffix(strings.TrimSpace(buf.String()), `"`)[1:])
	}
	return out
}

// base64Inner returns, for each of the three alignments v can have inside
// a longer encoded text (base64 encodes 3 bytes at a time), the characters
// of the encoding that depend on v's bytes alone: so "user:<secret>" or
// "<secret>\n" encoded is masked too, up to a character or two at each end.
func base64Inner(enc *base64.Encoding, v string) []string {
	var out []string
	for k := 0; k < 3; k++ {
		text := enc.EncodeToString(append(make([]byte, k), v...))
		// Characters 0..skip-1 hold bits of the k bytes before v; the
		// character at 8(k+len)/6 and after, bits of the bytes after it.
		skip := []int{0, 2, 3}[k]
		end := 8 * (k + len(v)) / 6
		if end-skip >= MinMaskLen {
			out = append(out, text[skip:end])
		}
	}
	return out
}

// mask returns s with every secret replaced.
func (m *masker) mask(s string) string {
	if m == nil || m.r == nil {
		return s
	}
	return m.r.Replace(s)
}

// unwarned returns the names of short secrets not yet logged about by
// this agent, and notes them: the reason is said once, not every stage.
func (a *Agent) unwarned(names []string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, n := range names {
		if !a.warnedShort[n] {
			a.warnedShort[n] = true
			out = append(out, n)
		}
	}
	return out
}
