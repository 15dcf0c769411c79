package remotekit

import (
	"context"
	"errors"

	"github.com/drover-ci/drover/core"
)

// Webhooks are the operations on one repository's webhooks that Activate
// and Deactivate compose; H is the host's hook type. Each function reports
// its error already coded.
type Webhooks[H any] struct {
	// List returns the repository's hooks that deliver to the url.
	List func() ([]H, error)
	// Create installs a new hook; Edit points an existing one at the url
	// with the secret; Delete removes one, op naming why in its error (a
	// not-found error is no error for Deactivate).
	Create func() error
	Edit   func(H) error
	Delete func(h H, op string) error
}

// Installer gives a remote its Activate and Deactivate from its webhook
// operations on one repository.
type Installer[H any] struct {
	// Name prefixes messages.
	Name string
	// Webhooks returns the operations on the repository's hooks to url
	// (secret is "" for Deactivate), or the error of a bad slug or client.
	Webhooks func(ctx context.Context, creds core.Creds, slug, url, secret string) (Webhooks[H], error)
}

// Activate installs the repository's webhook to url with secret, editing
// an existing hook to the same url and removing duplicates of it.
func (i Installer[H]) Activate(ctx context.Context, creds core.Creds, slug, url, secret string) error {
	if url == "" || secret == "" {
		return core.Errorf(core.CodeInvalid, "%s: a webhook needs a url and a secret", i.Name)
	}
	w, err := i.Webhooks(ctx, creds, slug, url, secret)
	if err != nil {
		return err
	}
	return w.Activate()
}

// Deactivate removes every webhook of the repository to url.
func (i Installer[H]) Deactivate(ctx context.Context, creds core.Creds, slug, url string) error {
	w, err := i.Webhooks(ctx, creds, slug, url, "")
	if err != nil {
		return err
	}
	return w.Deactivate()
}

// Activate leaves exactly one hook to the url: the first existing one
// edited, its duplicates deleted, or a new one.
func (w Webhooks[H]) Activate() error {
	existing, err := w.List()
	if err != nil {
		return err
	}
	if len(existing) == 0 {
		return w.Create()
	}
	if err := w.Edit(existing[0]); err != nil {
		return err
	}
	for _, h := range existing[1:] {
		if err := w.Delete(h, "delete duplicate webhook"); err != nil {
			return err
		}
	}
	return nil
}

// Deactivate deletes every hook to the url.
func (w Webhooks[H]) Deactivate() error {
	existing, err := w.List()
	if err != nil {
		return err
	}
	for _, h := range existing {
		if err := w.Delete(h, "delete webhook"); err != nil && !errors.Is(err, core.ErrNotFound) {
			return err
		}
	}
	return nil
}

// Collect gathers the items of up to 100 pages that keep accepts; fetch
// returns a page's items and the next page, 0 after the last.
func Collect[T any](fetch func(page int) ([]T, int, error), keep func(T) bool) ([]T, error) {
	var out []T
	for page, i := 1, 0; page != 0 && i < 100; i++ {
		items, next, err := fetch(page)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if keep(it) {
				out = append(out, it)
			}
		}
		page = next
	}
	return out, nil
}

// Build parses a remote's options and builds it: the body of every
// remote's New.
func Build[O, R any](options map[string]any, parse func(map[string]any) (O, error), build func(O) R) (R, error) {
	o, err := parse(options)
	if err != nil {
		var zero R
		return zero, err
	}
	return build(o), nil
}
