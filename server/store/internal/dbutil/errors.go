// Package dbutil holds what the entity stores (server/store) and the queue
// (server/store/queue) both need of the database: driver errors mapped to
// core's coded errors, and what a statement that changed no row means.
package dbutil

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/drover-ci/drover/core"
)

// MapErr turns driver errors into core's coded errors: no rows → not found,
// a unique or foreign-key violation → conflict. what names the thing, for
// the message.
func MapErr(err error, what string) error {
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

// NoRowOr is what a statement that changed no row means: err when
// counting the rows failed, else a coded error saying why.
func NoRowOr(err error, code core.Code, format string, args ...any) error {
	if err != nil {
		return err
	}
	return core.Errorf(code, format, args...)
}

// Affected returns how many rows a statement changed.
func Affected(res sql.Result) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}
