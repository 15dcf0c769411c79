package core

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// LogLine is one line of a step's output. Number is the line's offset in the
// step's log, so a retried batch is recognised and not stored twice.
type LogLine struct {
	Number int64  `json:"pos"`
	Time   int64  `json:"time"` // milliseconds since the step started
	Text   string `json:"out"`
}

// LogStore persists step logs. Safe for concurrent use.
type LogStore interface {
	// Append stores lines whose numbers are past what is stored, ignoring
	// the ones already stored.
	Append(ctx context.Context, stepID int64, lines []*LogLine) error
	// Read returns the step's lines from offset on, at most limit.
	Read(ctx context.Context, stepID int64, offset int64, limit int) ([]*LogLine, error)
	// ReadAttempt returns the lines of an earlier attempt of the step, kept
	// when its stage was requeued (attempts count from 1), from offset on,
	// at most limit; none when that attempt left no lines.
	ReadAttempt(ctx context.Context, stepID int64, attempt int, offset int64, limit int) ([]*LogLine, error)
	// PurgeBuild deletes the lines of every step of the build, earlier
	// attempts' too, and records at as the build's LogsPurged (kept when
	// it was purged before), in one transaction. It returns the number of
	// lines deleted; ErrNotFound when there is no such build.
	PurgeBuild(ctx context.Context, buildID int64, at time.Time) (int64, error)
}

// TruncatedMarker is the text of the line a queue stores in place of a
// step's lines past its cap of maxLines (see QueueReports.AppendLogs).
func TruncatedMarker(maxLines int64) string {
	return fmt.Sprintf("[drover: the log of this step was cut at %d lines; later lines are not kept]", maxLines)
}

// LogLimits bound what a step's log stores (see QueueReports.AppendLogs);
// a zero field is no cap.
type LogLimits struct {
	Lines     int64 // lines kept; the next one is a marker, later ones are dropped
	Bytes     int64 // bytes of text kept; the line past them becomes a marker
	LineBytes int64 // bytes of one line; a longer line is cut, with a marker
}

// BytesMarker is the text of the line a queue stores in place of the line
// that would take a step's log past its cap of maxBytes.
func BytesMarker(maxBytes int64) string {
	return fmt.Sprintf("[drover: the log of this step was cut at %d bytes; later lines are not kept]", maxBytes)
}

// CutLine returns text cut to at most maxBytes bytes (on a character
// boundary) followed by a marker saying so; shorter text is returned as
// it is, and so is any text when maxBytes is 0.
func CutLine(text string, maxBytes int64) string {
	if maxBytes <= 0 || int64(len(text)) <= maxBytes {
		return text
	}
	cut := int(maxBytes)
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + fmt.Sprintf(" [drover: line cut at %d bytes]", maxBytes)
}
