// Package trigger turns events (push, tag, pull request, manual, cron,
// restart, mirror) into builds: it resolves the commit, reads the pipeline
// file at it, compiles it, and creates the build with its stages and steps
// in one transaction, then wakes the runners.
package trigger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/pipeline"
	"github.com/drover-ci/drover/core/pipeline/convert"
	"github.com/drover-ci/drover/server/metrics"
)

// Queue is told when stages became pending.
type Queue interface {
	Enqueued(ctx context.Context)
}

// Trigger creates builds. Safe for concurrent use.
type Trigger struct {
	Store   core.Store
	Remotes core.Remotes
	Queue   Queue
	System  pipeline.System
	Status  *StatusReporter // optional: commit statuses on the remote
	Log     *slog.Logger
	// Metrics, when set, counts the builds created.
	Metrics *metrics.Metrics
	// Creds returns a user's usable remote credentials (refreshing expired
	// ones); nil uses the stored ones.
	Creds CredsFunc
	// Formats are the pipeline programs (.jsonnet, .star) evaluated.
	Formats convert.Enabled
	// Canceller, when set, cancels the builds a newer one supersedes in
	// repositories with cancel_previous.
	Canceller Canceller
	// OnCreated, when set, is told of every build stored (the event
	// stream); it must not block.
	OnCreated func(*core.Build)
}

// ErrSkipped is returned (wrapped, with the reason) when an event creates
// no build: a [ci skip] message, or no pipeline whose trigger matches.
var ErrSkipped = errors.New("no build")

// DefaultConfigPaths are tried in order when a repository names none.
var DefaultConfigPaths = []string{".drover.yml", ".drone.yml"}

// Trigger creates a build of repo for the event described by tmpl (event,
// ref, commit, message, author, params, delivery, …). A redelivered
// webhook (same delivery id) is core.ErrConflict and creates nothing.
func (t *Trigger) Trigger(ctx context.Context, repo *core.Repo, tmpl *core.Build) (*core.Build, error) {
	return t.TriggerStages(ctx, repo, tmpl, nil)
}

// TriggerStages is Trigger keeping only the stages (pipelines) named in
// only (all when nil), the rerun of some stages of a build: a kept
// stage's dependencies on stages left out count as satisfied, and kept
// stages keep the numbers they have in the whole build. A name that is
// not among the build's stages is core.ErrNotFound and creates nothing.
func (t *Trigger) TriggerStages(ctx context.Context, repo *core.Repo, tmpl *core.Build, only []string) (*core.Build, error) {
	b := *tmpl
	b.RepoID = repo.ID
	if skipRequested(&b) {
		return nil, fmt.Errorf("%w: the commit message asks to skip CI", ErrSkipped)
	}
	if err := ignored(repo, &b); err != nil {
		return nil, err
	}
	remote, creds, err := t.remoteFor(ctx, repo)
	if err != nil {
		return nil, err
	}
	if b.After == "" {
		commit, err := remote.Ref(ctx, creds, repo.Slug, b.Ref)
		if err != nil {
			return nil, fmt.Errorf("resolve %s of %s: %w", b.Ref, repo.Slug, err)
		}
		b.After = commit.SHA
		if b.Message == "" {
			b.Message, b.Author, b.Email, b.Link = commit.Message, commit.Author, commit.Email, commit.Link
		}
	}
	data, path, fileErr := t.pipelineFile(ctx, remote, creds, repo, b.After)
	var file *convert.Result
	if fileErr == nil {
		file, fileErr = t.convertFile(ctx, repo, &b, path, data)
	}
	if err := t.createNumbered(ctx, repo, &b, file, path, fileErr, only); err != nil {
		return nil, err
	}
	if !t.created(ctx, repo, &b) {
		return &b, nil
	}
	// Reported before runners are woken, so "pending" is queued first.
	t.Status.Report(repo, &b)
	if b.Status == core.StatusPending {
		t.Queue.Enqueued(ctx)
	}
	return &b, nil
}

func (t *Trigger) log() *slog.Logger {
	if t.Log == nil {
		return slog.Default()
	}
	return t.Log
}

// maxNumberRetries bounds how often a build is compiled again because
// concurrent builds of the repository took its number.
const maxNumberRetries = 50

// create compiles the pipeline file for b (numbered) and stores the build:
// an error build when the file is missing or broken, nothing (ErrSkipped)
// when no pipeline matches.
func (t *Trigger) create(ctx context.Context, repo *core.Repo, b *core.Build, file *convert.Result, path string, fileErr error, only []string) error {
	if fileErr != nil {
		return t.failed(ctx, repo, b, fileErr)
	}
	specs, err := t.compile(repo, b, file, path)
	if err != nil {
		err = file.Remap(err)
		return t.failed(ctx, repo, b, fmt.Errorf("%s: %w", path, err))
	}
	if len(specs) == 0 {
		return fmt.Errorf("%w: no pipeline in %s matches this %s event", ErrSkipped, path, b.Event)
	}
	specs, numbers, err := keepStages(specs, only)
	if err != nil {
		return err
	}
	blocked := needsApproval(repo, b)
	stages, err := stagesOf(specs, numbers, blocked)
	if err != nil {
		return t.failed(ctx, repo, b, fmt.Errorf("%s: %w", path, err))
	}
	b.Status = core.StatusPending
	if blocked {
		b.Status = core.StatusBlocked
	}
	return t.Store.Builds().Create(ctx, b, stages)
}

// remoteFor returns the repository's remote and its owner's credentials.
func (t *Trigger) remoteFor(ctx context.Context, repo *core.Repo) (core.Remote, core.Creds, error) {
	return RemoteFor(ctx, t.Store, t.Remotes, t.Creds, repo)
}

// pipelineFile reads the repository's configured pipeline file, or the
// first of the default names that exists.
func (t *Trigger) pipelineFile(ctx context.Context, remote core.Remote, creds core.Creds, repo *core.Repo, sha string) ([]byte, string, error) {
	paths := DefaultConfigPaths
	if repo.ConfigPath != "" {
		paths = []string{repo.ConfigPath}
	}
	for _, p := range paths {
		data, err := remote.File(ctx, creds, repo.Slug, sha, p)
		if errors.Is(err, core.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, p, fmt.Errorf("read %s at %.8s: %w", p, sha, err)
		}
		return data, p, nil
	}
	return nil, paths[0], core.Errorf(core.CodeNotFound, "no pipeline file (%s) at commit %.8s", strings.Join(paths, " or "), sha)
}

// compile parses, lints and compiles the pipeline file for b, and sets
// b's warnings.
func (t *Trigger) compile(repo *core.Repo, b *core.Build, file *convert.Result, path string) ([]*core.Spec, error) {
	m, err := pipeline.Parse(file.YAML)
	if err != nil {
		return nil, err
	}
	warnings, err := pipeline.Check(m, pipeline.LintOptions{Trusted: repo.Trusted})
	if err != nil {
		return nil, err
	}
	b.Warnings = nil
	// The conversion's warnings (0.8 files), then the file's own, both
	// positioned in the file as the repository has it.
	for _, w := range append(file.Warnings, pipeline.AsProblems(file.Remap(warnings))...) {
		b.Warnings = append(b.Warnings, core.Warning{File: path, Line: w.Line, Column: w.Column, Message: w.Message})
	}
	return pipeline.Compile(m, pipeline.Metadata{Repo: *repo, Build: *b, System: t.System})
}

// failed records a build that could not start (no file, a broken file) as
// an error with the reason, so the user sees why nothing ran.
func (t *Trigger) failed(ctx context.Context, repo *core.Repo, b *core.Build, cause error) error {
	if errors.Is(cause, context.Canceled) || core.ErrorCode(cause) == core.CodeUnavailable {
		return cause
	}
	b.Status, b.Error = core.StatusError, cause.Error()
	if err := t.Store.Builds().Create(ctx, b, nil); err != nil {
		return err
	}
	t.log().Info("build failed to start", "repo", repo.Slug, "build", b.Number, "reason", b.Error)
	t.Status.Report(repo, b)
	return nil
}

// stagesOf makes the build's stages from its specs, numbered with
// numbers (1, 2, … when nil): stages without dependencies are pending, the
// others wait; a build that needs approval has every stage blocked.
func stagesOf(specs []*core.Spec, numbers []int, blocked bool) ([]*core.Stage, error) {
	stages := make([]*core.Stage, len(specs))
	total := 0
	for i, spec := range specs {
		data, err := json.Marshal(spec)
		if err != nil {
			return nil, fmt.Errorf("encode spec %s: %w", spec.Name, err)
		}
		// Compile bounds the specs already; this holds the exact figure
		// to the same limit, so no stored build carries more.
		if total += len(data); total > pipeline.MaxSpecSize {
			return nil, core.Errorf(core.CodeInvalid, "the compiled pipelines take more than %d bytes (the limit), at pipeline %q", pipeline.MaxSpecSize, spec.Name)
		}
		number := i + 1
		if numbers != nil {
			number = numbers[i]
		}
		st := &core.Stage{
			Number: number, Name: spec.Name, Type: spec.Type, OS: spec.Platform.OS, Arch: spec.Platform.Arch,
			Labels: spec.Labels, DependsOn: spec.DependsOn, Limit: spec.Concurrency, RunPolicy: spec.RunPolicy,
			Status: core.StatusPending, Spec: data, Steps: pipeline.StepRecords(spec),
		}
		switch {
		case blocked:
			st.Status = core.StatusBlocked
		case len(spec.DependsOn) > 0:
			st.Status = core.StatusWaiting
		}
		stages[i] = st
	}
	return stages, nil
}

// skipRequested reports whether a push or pull request's message asks to
// skip CI; manual, cron and restart builds always run.
func skipRequested(b *core.Build) bool {
	if b.Event != core.EventPush && b.Event != core.EventPullRequest && b.Event != core.EventTag {
		return false
	}
	msg := strings.ToLower(b.Message)
	return strings.Contains(msg, "[ci skip]") || strings.Contains(msg, "[skip ci]")
}

// createNumbered creates the build under the repository's next number.
// The pipeline is compiled with the build's number (${DRONE_BUILD_NUMBER});
// if another build takes that number first, it is compiled again with the
// next.
func (t *Trigger) createNumbered(ctx context.Context, repo *core.Repo, b *core.Build, file *convert.Result, path string, fileErr error, only []string) error {
	for attempt := 1; ; attempt++ {
		fresh, err := t.Store.Repos().Find(ctx, repo.ID)
		if err != nil {
			return err
		}
		b.Number = fresh.Counter + 1
		err = t.create(ctx, repo, b, file, path, fileErr, only)
		if errors.Is(err, core.ErrNumberTaken) && attempt < maxNumberRetries {
			continue
		}
		return err
	}
}

// created tells of a created build and reports whether it will run (it
// did not end as error or skipped at creation); one that will has
// cancelled the builds it supersedes.
func (t *Trigger) created(ctx context.Context, repo *core.Repo, b *core.Build) bool {
	if t.OnCreated != nil {
		t.OnCreated(b)
	}
	if b.Status == core.StatusError || b.Status == core.StatusSkipped {
		return false
	}
	if t.Metrics != nil {
		t.Metrics.BuildsCreated.Inc()
	}
	t.log().Info("build created", "repo", repo.Slug, "build", b.Number, "event", b.Event, "status", b.Status)
	t.cancelPrevious(ctx, repo, b)
	return true
}
