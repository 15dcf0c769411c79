package runner

import (
	"errors"
	"fmt"

	"github.com/drover-ci/drover/core"
)

// MaxRefusals is how many calls in a row the server may refuse the
// runner's token (revoked, or never valid) before Run gives up.
const MaxRefusals = 3

// ErrRevoked is what Run returns when the server refused the runner's
// token MaxRefusals times in a row: retrying cannot fix it.
var ErrRevoked = core.Errorf(core.CodeUnauthenticated,
	"the server refused this runner's token %d times in a row (the runner was revoked, or the token is wrong): register the runner again with `drover-runner register`", MaxRefusals)

// answered counts the server's answers: a refused token adds to the run of
// refusals, any other answer ends it (an unreachable server says nothing
// about the token). At MaxRefusals the agent stops.
func (a *Agent) answered(err error) {
	switch {
	case err == nil || permanent(err) && !errors.Is(err, core.ErrUnauthenticated):
		a.refusals.Store(0)
	case errors.Is(err, core.ErrUnauthenticated):
		if a.refusals.Add(1) == MaxRefusals {
			a.log.Error(ErrRevoked.Error(), "err", err)
			a.giveUp(fmt.Errorf("%w (last: %v)", ErrRevoked, err))
		}
	}
}
