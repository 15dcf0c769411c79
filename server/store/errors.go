package store

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/drover-ci/drover/core"
)

// mapErr turns driver errors into core's coded errors: no rows → not found,
// a unique or foreign-key violation → conflict. what names the thing, for
// the message.
func mapErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return core.Errorf(core.CodeNotFound, "%s not found", what)
	case isUniqueViolation(err):
		return core.Errorf(core.CodeConflict, "%s already exists", what)
	case isForeignKeyViolation(err):
		return core.Errorf(core.CodeConflict, "%s refers to something that does not exist", what)
	}
	return err
}

func isUniqueViolation(err error) bool {
	var pg pgdriver.Error
	if errors.As(err, &pg) {
		return pg.Field('C') == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func isForeignKeyViolation(err error) bool {
	var pg pgdriver.Error
	if errors.As(err, &pg) {
		return pg.Field('C') == "23503"
	}
	return strings.Contains(err.Error(), "FOREIGN KEY constraint failed")
}
