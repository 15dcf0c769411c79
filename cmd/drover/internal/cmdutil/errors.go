package cmdutil

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1 // the command failed: an API error, a failed build, invalid input files
	ExitUsage = 2 // the command line is wrong
)

// UsageError is a wrong command line: exit 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef is a UsageError.
func Usagef(format string, a ...any) error { return &UsageError{fmt.Errorf(format, a...)} }

// SilentError exits with Code having printed what there was to say already.
type SilentError struct{ Code int }

func (e *SilentError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Exit is a SilentError: exit with code, printing nothing more.
func Exit(code int) error {
	if code == 0 {
		return nil
	}
	return &SilentError{Code: code}
}

// Code is err's exit code.
func Code(err error) int {
	var silent *SilentError
	var usage *UsageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &silent):
		return silent.Code
	case errors.As(err, &usage), strings.HasPrefix(err.Error(), "unknown command "):
		return ExitUsage
	}
	return ExitError
}

// OneLine is err's message on one line.
func OneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

// Args checks the positional arguments: between min and max of them
// (max -1: any), named in use (OWNER/NAME NUMBER) for the message.
func Args(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) >= min && (max < 0 || len(args) <= max) {
			return nil
		}
		want := cmd.Use
		if i := strings.IndexByte(want, ' '); i >= 0 {
			want = want[i+1:]
		} else {
			want = "no arguments"
		}
		return Usagef("got %d arguments, want %s (see --help)", len(args), want)
	}
}
