package remotekit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/drover-ci/drover/core"
)

// ZeroSHA is the commit id hosts send for "no commit" (a new or deleted ref).
const ZeroSHA = "0000000000000000000000000000000000000000"

// Header returns the first value of the named header, whatever the case
// of the keys (they may have crossed a plugin boundary).
func Header(h map[string][]string, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// Ignored is an event Drover does not act on, with the reason.
func Ignored(reason string) *core.Event { return &core.Event{Kind: core.EventIgnored, Reason: reason} }

// Events is how a host tells its webhooks apart and parses them.
type Events struct {
	// Headers name the event kind, the first one present wins.
	Headers []string
	// Host is the host's name in messages ("GitHub").
	Host string
	// Kinds parse the bodies of the event kinds Drover handles; any other
	// kind is ignored with a reason.
	Kinds map[string]func(body []byte) (*core.Event, error)
	// Delivery returns the delivery's id from the headers.
	Delivery func(headers map[string][]string) string
}

// parse checks that req is a webhook of the host with a JSON object body
// and parses it by its kind; name prefixes messages.
func (e Events) parse(name string, req *core.HookRequest) (*core.Event, error) {
	if req == nil {
		return nil, core.Errorf(core.CodeInvalid, "%s: no webhook request", name)
	}
	var kind string
	for _, h := range e.Headers {
		if kind = Header(req.Headers, h); kind != "" {
			break
		}
	}
	if kind == "" {
		return nil, core.Errorf(core.CodeInvalid, "%s: not a %s webhook: no %s header", name, e.Host, e.Headers[0])
	}
	var obj map[string]json.RawMessage
	if err := DecodeHook(name, kind, req.Body, &obj); err != nil {
		return nil, err
	}
	ev := Ignored(fmt.Sprintf("%s event %q is not handled", name, kind))
	if parse, ok := e.Kinds[kind]; ok {
		var err error
		if ev, err = parse(req.Body); err != nil {
			return nil, err
		}
	}
	ev.Delivery = e.Delivery(req.Headers)
	return ev, nil
}

// DecodeHook unmarshals a webhook body of the given kind; a malformed body
// is ErrInvalid.
func DecodeHook(name, kind string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return core.Errorf(core.CodeInvalid, "%s: %s: malformed body: %w", name, kind, err)
	}
	return nil
}

// Push completes a push event by its ref: a push to refs/tags/ is a tag
// event, one to refs/heads/ a push with the branch as source and target,
// and anything else is ignored. A before of ZeroSHA (a new ref) is cleared.
func Push(name string, ev *core.Event) *core.Event {
	h := ev.Commit
	if h.Before == ZeroSHA {
		h.Before = ""
	}
	switch {
	case strings.HasPrefix(h.Ref, "refs/tags/"):
		ev.Kind = core.EventTag
	case strings.HasPrefix(h.Ref, "refs/heads/"):
		h.Source = strings.TrimPrefix(h.Ref, "refs/heads/")
		h.Target = h.Source
	default:
		return Ignored(name + ": push to " + h.Ref + " is neither a branch nor a tag")
	}
	return ev
}

// Deleted reports whether a push's new commit says the ref was deleted.
func Deleted(after string) bool { return after == "" || after == ZeroSHA }

// VerifyHMAC checks that the header holds prefix and the hex HMAC-SHA256
// of the body keyed with secret, in constant time.
func VerifyHMAC(name string, req *core.HookRequest, secret, header, prefix string) error {
	if err := CheckSecret(name, req, secret); err != nil {
		return err
	}
	sig := Header(req.Headers, header)
	if sig == "" {
		return core.Errorf(core.CodeUnauthenticated, "%s: webhook signature missing (%s)", name, header)
	}
	hexSig, ok := strings.CutPrefix(sig, prefix)
	got, err := hex.DecodeString(hexSig)
	if !ok || err != nil {
		return core.Errorf(core.CodeUnauthenticated, "%s: webhook signature is not %shex", name, prefix)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(req.Body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return core.Errorf(core.CodeUnauthenticated, "%s: webhook signature does not match", name)
	}
	return nil
}

// CheckSecret refuses a missing request or an empty secret.
func CheckSecret(name string, req *core.HookRequest, secret string) error {
	if req == nil {
		return core.Errorf(core.CodeUnauthenticated, "%s: no webhook request", name)
	}
	if secret == "" {
		return core.Errorf(core.CodeUnauthenticated, "%s: the repository has no webhook secret", name)
	}
	return nil
}

// Split parses an owner/name slug.
func Split(name, slug string) (owner, repo string, err error) {
	owner, repo, ok := strings.Cut(slug, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return "", "", core.Errorf(core.CodeInvalid, "%s: %q is not owner/name", name, slug)
	}
	return owner, repo, nil
}

// Truncate cuts s to n runes, the last one an ellipsis.
func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
