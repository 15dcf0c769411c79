// Package cmdutil is what the drover command's groups share: the
// streams and whether they are terminals, the factory of the API client,
// the output of tables and --json/--jq/--template, and exit codes.
package cmdutil

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// IO are a command's streams. OutTTY says stdout is a terminal: tables
// are coloured (unless NO_COLOR is set) and long operations show
// progress there; piped output holds only the result.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
	OutTTY   bool
	Color    bool
	// ReadSecret asks for a secret on In, hidden when In is a terminal.
	ReadSecret func(prompt string) (string, error)
}

// System are the process's streams.
func System(getenv func(string) string) *IO {
	tty := isTerminal(os.Stdout)
	s := &IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, OutTTY: tty, Color: ColorOn(tty, getenv)}
	s.ReadSecret = func(prompt string) (string, error) {
		if !isTerminal(os.Stdin) {
			return ReadLine(os.Stdin)
		}
		fmt.Fprint(os.Stderr, prompt)
		b, err := term.ReadPassword(int(os.Stdin.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", fmt.Errorf("read the token: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return s
}

// ColorOn says output is coloured: on a terminal, unless NO_COLOR is set
// (to anything; see no-color.org).
func ColorOn(tty bool, getenv func(string) string) bool {
	return tty && getenv("NO_COLOR") == ""
}

// Test are streams for tests: in, and buffers out and err, not terminals.
func Test(in io.Reader, out, err io.Writer) *IO {
	s := &IO{In: in, Out: out, Err: err}
	s.ReadSecret = func(string) (string, error) { return ReadLine(s.In) }
	return s
}

// ReadLine reads one line (without its end) from r, which may be empty
// or end without a newline.
func ReadLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	return strings.TrimSpace(line), nil
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
