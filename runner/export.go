package runner

import (
	"context"
	"io"

	"github.com/drover-ci/drover/core"
)

// What `drover exec` shares with the agent: the same secret masking and
// the same clone, for stages run without a server.

// Masker hides secret values, and their common encodings, in log lines.
type Masker struct{ m *masker }

// NewMasker masks the values of secrets (name → value) as the agent does
// before log lines leave the host; it returns, sorted, the names of the
// secrets shorter than MinMaskLen, which are not masked.
func NewMasker(secrets map[string]string) (*Masker, []string) {
	m, short := newMasker(secrets)
	return &Masker{m: m}, short
}

// Mask returns s with every secret replaced by MaskText.
func (m *Masker) Mask(s string) string {
	if m == nil {
		return s
	}
	return m.m.mask(s)
}

// CloneOptions say what Clone fetches, and where.
type CloneOptions struct {
	Dir   string // the workspace directory, created when missing
	Home  string // HOME for git (its .netrc); outside Dir
	URL   string // the repository; a local path works too
	Ref   string // e.g. refs/heads/main
	SHA   string // the commit; empty: the ref's tip
	Clone core.Clone
	Netrc *core.Netrc
}

// Clone fetches the commit into o.Dir with the git binary as the agent
// clones a stage's workspace (commit first, then the ref, then a full
// fetch), writing the commands and their output to out.
func Clone(ctx context.Context, o CloneOptions, out io.Writer) error {
	return clone(ctx, cloneJob(o), out)
}
