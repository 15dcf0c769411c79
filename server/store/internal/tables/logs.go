package tables

import (
	"github.com/uptrace/bun"
)

// Log is a row of the logs table.
type Log struct {
	bun.BaseModel `bun:"table:logs,alias:log_row"`

	StepID int64  `bun:"step_id,pk"`
	Number int64  `bun:"number,pk"`
	Time   int64  `bun:"time"`
	Text   string `bun:"text"`
}
