package build

import (
	"context"
	"time"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
)

// streamSafety is how often a watched build is read again even though
// the event stream said nothing (an event lost on the way costs no more).
const streamSafety = 30 * time.Second

// watchBuild reads b again whenever the event stream reports a change of
// it (or a resync), calling show with each reading, until it is done.
// Once the stream cannot be followed (an older server, a proxy cutting
// it) the build is read every interval instead.
func watchBuild(ctx context.Context, c *client.Client, ref client.Ref, b *client.BuildView, interval time.Duration, show func(*client.BuildView)) (*client.BuildView, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changed := make(chan struct{}, 1)
	poke := func() {
		select {
		case changed <- struct{}{}:
		default: // a reading is due already
		}
	}
	id := b.ID
	ended := make(chan error, 1)
	go func() {
		ended <- c.Events(ctx, poke, func(e *client.Event) error { // opened: read what changed meanwhile
			if e.Type == client.EventResync || e.BuildID == id {
				poke()
			}
			return nil
		})
	}()
	wait := streamSafety
	for {
		show(b)
		if b.Status.Done() {
			return b, nil
		}
		timer := time.NewTimer(wait)
		select {
		case <-changed:
		case <-ended: // followed no longer: poll from now on
			ended, wait = nil, interval
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		}
		timer.Stop()
		var err error
		if b, err = c.Builds.Get(ctx, ref, b.Number); err != nil {
			return nil, err
		}
	}
}
