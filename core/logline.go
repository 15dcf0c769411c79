package core

import (
	"context"
	"fmt"
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
}

// TruncatedMarker is the text of the line a queue stores in place of a
// step's lines past its cap of maxLines (see QueueReports.AppendLogs).
func TruncatedMarker(maxLines int64) string {
	return fmt.Sprintf("[drover: the log of this step was cut at %d lines; later lines are not kept]", maxLines)
}
