package exec

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/runtime"
	"github.com/drover-ci/drover/runner"
)

// printer writes the steps' output, each line behind a [step] prefix
// ([pipeline/step] when several pipelines run), masked, whole lines at a
// time so that concurrent steps do not garble each other; colours only
// when the output allows them.
type printer struct {
	mu     sync.Mutex
	w      io.Writer
	color  bool
	mask   *runner.Masker
	long   bool // several pipelines: prefixes name the pipeline too
	colors map[string]string
}

var palette = []string{"36", "33", "35", "34", "32", "96", "93", "95", "94", "92"}

const reset = "\x1b[0m"

func newPrinter(w io.Writer, color bool, mask *runner.Masker, pipelines int) *printer {
	return &printer{w: w, color: color, mask: mask, long: pipelines > 1, colors: map[string]string{}}
}

// prefix returns the coloured [name] of a step.
func (p *printer) prefix(pipeline, step string) string {
	name := step
	if p.long && pipeline != "" {
		name = pipeline + "/" + step
	}
	if !p.color {
		return "[" + name + "]"
	}
	c, ok := p.colors[name]
	if !ok {
		c = palette[len(p.colors)%len(palette)]
		p.colors[name] = c
	}
	return "\x1b[" + c + "m[" + name + "]" + reset
}

// line prints one line of a step.
func (p *printer) line(pipeline, step, text string) {
	text = p.mask.Mask(text)
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s %s\n", p.prefix(pipeline, step), text)
}

// logs returns the writer of a step's output (closed at its end).
func (p *printer) logs(pipeline, step string) io.Writer {
	return runtime.NewLineWriter(func(l *core.LogLine) { p.line(pipeline, step, l.Text) })
}

// result prints how a step ended.
func (p *printer) result(pipeline string, r *runtime.StepResult) {
	var took string
	if !r.Started.IsZero() && !r.Finished.IsZero() {
		took = " in " + r.Finished.Sub(r.Started).Round(time.Millisecond).String()
	}
	var msg string
	switch r.Status {
	case core.StatusSuccess:
		msg = p.paint("32", "✓ success") + took
	case core.StatusSkipped:
		msg = p.paint("90", "- skipped")
	case core.StatusKilled:
		msg = p.paint("31", "✗ killed") + took
	case core.StatusFailure:
		msg = p.paint("31", fmt.Sprintf("✗ failure: exit code %d", r.ExitCode)) + took
	default:
		msg = p.paint("31", fmt.Sprintf("✗ %s: %s", r.Status, r.Error)) + took
	}
	p.line(pipeline, r.Name, msg)
}

// stage prints how a pipeline ended when several run.
func (p *printer) stage(name string, status core.Status, msg string) {
	if !p.long && msg == "" {
		return
	}
	text := "pipeline " + name + ": " + string(status)
	if msg != "" {
		text += ": " + msg
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w, p.paint(statusColor(status), p.mask.Mask(text)))
}

func statusColor(s core.Status) string {
	switch s {
	case core.StatusSuccess:
		return "32"
	case core.StatusSkipped:
		return "90"
	}
	return "31"
}

// paint colours s when colours are on.
func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return "\x1b[" + code + "m" + s + reset
}
