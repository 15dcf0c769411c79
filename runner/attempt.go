package runner

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"

	"github.com/drover-ci/drover/core"
)

// attemptID is the stage id the engine is given for this run of the stage
// (core.Spec.StageID, and every call after Setup): the server's stage id
// with a random suffix. Engines label and name what they create with it,
// and Destroy removes what carries it; the server's id alone is a row
// number that another server, another runner on the host, or the next
// attempt of the same stage shares, whose steps a Destroy would then end.
// The suffix keeps it within the engines' id pattern
// ([A-Za-z0-9][A-Za-z0-9_.-]*).
func attemptID(d *core.StageDetails) string {
	base := ""
	if d.Spec != nil {
		base = d.Spec.StageID
	}
	if base == "" && d.Stage != nil {
		base = strconv.FormatInt(d.Stage.ID, 10)
	}
	var b [6]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return base + "-" + hex.EncodeToString(b[:])
}
