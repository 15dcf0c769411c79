package cmdutil

import (
	"strconv"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
)

// Repo reads an OWNER/NAME argument.
func Repo(arg string) (client.Ref, error) {
	r, err := client.ParseRef(arg)
	if err != nil {
		return r, &UsageError{Err: err}
	}
	return r, nil
}

// Number reads a positive number argument (a build number, an id),
// named what in the message.
func Number(what, arg string) (int64, error) {
	n, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || n <= 0 {
		return 0, Usagef("%s %q is not a positive number", what, arg)
	}
	return n, nil
}
