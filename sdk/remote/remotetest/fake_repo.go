package remotetest

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/drover-ci/drover/core"
)

func splitSlug(slug string) (string, string) {
	owner, name, _ := strings.Cut(slug, "/")
	return owner, name
}

// visible returns the repository if the user may see it; f is locked.
func (f *Fake) visible(c core.Creds, slug string) (*core.RemoteRepo, error) {
	if _, err := f.user(c); err != nil {
		return nil, err
	}
	if _, ok := f.Repositories[slug]; !ok || f.Perms[c.Token][slug] == nil {
		return nil, core.Errorf(core.CodeNotFound, "fake: repository %s not found", slug)
	}
	return f.repoFor(c.Token, slug), nil
}

// Repo implements core.RemoteRepos.
func (f *Fake) Repo(_ context.Context, c core.Creds, slug string) (*core.RemoteRepo, error) {
	f.Lock()
	defer f.Unlock()
	if err := f.call("Repo"); err != nil {
		return nil, err
	}
	return f.visible(c, slug)
}

// Ref implements core.RemoteRepos.
func (f *Fake) Ref(_ context.Context, c core.Creds, slug, ref string) (*core.Commit, error) {
	f.Lock()
	defer f.Unlock()
	if err := f.call("Ref"); err != nil {
		return nil, err
	}
	if _, err := f.visible(c, slug); err != nil {
		return nil, err
	}
	cm, ok := f.Refs[slug+"@"+ref]
	if !ok {
		return nil, core.Errorf(core.CodeNotFound, "fake: ref %s of %s not found", ref, slug)
	}
	cp := *cm
	return &cp, nil
}

// File implements core.RemoteRepos.
func (f *Fake) File(_ context.Context, c core.Creds, slug, sha, path string) ([]byte, error) {
	f.Lock()
	defer f.Unlock()
	if err := f.call("File"); err != nil {
		return nil, err
	}
	if _, err := f.visible(c, slug); err != nil {
		return nil, err
	}
	b, ok := f.Files[slug+"@"+sha+":"+path]
	if !ok {
		return nil, core.Errorf(core.CodeNotFound, "fake: %s not found at %s in %s", path, sha, slug)
	}
	return append([]byte(nil), b...), nil
}

// Netrc implements core.RemoteRepos.
func (f *Fake) Netrc(_ context.Context, c core.Creds, slug string) (*core.Netrc, error) {
	f.Lock()
	defer f.Unlock()
	if err := f.call("Netrc"); err != nil {
		return nil, err
	}
	if _, err := f.visible(c, slug); err != nil {
		return nil, err
	}
	return &core.Netrc{Machine: "fake.test", Login: "oauth2", Password: c.Token}, nil
}

// Activate implements core.RemoteHooks.
func (f *Fake) Activate(_ context.Context, c core.Creds, slug, url, secret string) error {
	f.Lock()
	defer f.Unlock()
	if err := f.call("Activate"); err != nil {
		return err
	}
	if _, err := f.visible(c, slug); err != nil {
		return err
	}
	if p := f.Perms[c.Token][slug]; !p.Admin {
		return core.Errorf(core.CodeForbidden, "fake: admin permission on %s needed to install a webhook", slug)
	}
	if f.Hooks[slug] == nil {
		f.Hooks[slug] = map[string]string{}
	}
	f.Hooks[slug][url] = secret
	return nil
}

// Deactivate implements core.RemoteHooks.
func (f *Fake) Deactivate(_ context.Context, c core.Creds, slug, url string) error {
	f.Lock()
	defer f.Unlock()
	if err := f.call("Deactivate"); err != nil {
		return err
	}
	if _, err := f.visible(c, slug); err != nil {
		return err
	}
	delete(f.Hooks[slug], url)
	return nil
}

// ParseHook implements core.RemoteHooks: the body is a JSON core.Event.
func (f *Fake) ParseHook(_ context.Context, req *core.HookRequest) (*core.Event, error) {
	f.Lock()
	defer f.Unlock()
	if err := f.call("ParseHook"); err != nil {
		return nil, err
	}
	kind := header(req, HeaderEvent)
	if kind == "" {
		return &core.Event{Kind: core.EventIgnored, Reason: "no " + HeaderEvent + " header"}, nil
	}
	var ev core.Event
	if err := json.Unmarshal(req.Body, &ev); err != nil {
		return nil, core.Errorf(core.CodeInvalid, "fake: malformed webhook body: %v", err)
	}
	if ev.Kind != kind {
		return nil, core.Errorf(core.CodeInvalid, "fake: webhook body is a %q event, header says %q", ev.Kind, kind)
	}
	if d := header(req, HeaderDelivery); d != "" {
		ev.Delivery = d
	}
	return &ev, nil
}

// VerifyHook implements core.RemoteHooks.
func (f *Fake) VerifyHook(_ context.Context, req *core.HookRequest, secret string) error {
	f.Lock()
	defer f.Unlock()
	if err := f.call("VerifyHook"); err != nil {
		return err
	}
	sig := header(req, HeaderSignature)
	if sig == "" || secret == "" || sig != Sign(req.Body, secret) {
		return core.Errorf(core.CodeUnauthenticated, "fake: webhook signature missing or wrong")
	}
	return nil
}

// Status implements core.RemoteHooks.
func (f *Fake) Status(_ context.Context, c core.Creds, slug string, st *core.CommitStatus) error {
	f.Lock()
	defer f.Unlock()
	if err := f.call("Status"); err != nil {
		return err
	}
	if _, err := f.visible(c, slug); err != nil {
		return err
	}
	cp := *st
	f.Statuses = append(f.Statuses, &cp)
	return nil
}

// header returns the first value of a header, matched case-insensitively.
func header(req *core.HookRequest, name string) string {
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}
