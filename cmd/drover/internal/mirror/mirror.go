// Package mirror is `drover mirror`: git repositories the server fetches
// itself, without a webhook, building new heads of the branches watched.
package mirror

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/drover-ci/drover/cmd/drover/internal/client"
	"github.com/drover-ci/drover/cmd/drover/internal/cmdutil"
	"github.com/drover-ci/drover/core"
)

// NewCmd is `drover mirror`.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.Group("mirror <command>", "Watch git repositories without a webhook (mirrors)",
		"A mirror is a git repository one runner fetches every interval; new heads of the branches it watches are built, "+
			"reading the pipeline file from the fetched commit. Its builds are listed under its repository (drover build ls OWNER/NAME).",
		newList(f), newInfo(f), newChange(f, false), newChange(f, true), newRemove(f),
		newAct(f, "fetch", "Update now: the mirror's runner fetches at its next heartbeat", (*client.Mirrors).Fetch),
		newAct(f, "resume", "Resume a mirror paused after failed fetches", (*client.Mirrors).Resume))
}

func newList(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.ListCommand(f, "List the mirrors with their runner, last fetch, last error and state", core.Mirror{},
		func(ctx context.Context, c *client.Client, limit int) ([]*core.Mirror, error) {
			return c.Mirrors.List(ctx, limit)
		},
		func(list []*core.Mirror) error {
			if len(list) == 0 {
				fmt.Fprintln(f.IO.Err, "No mirrors: add one with drover mirror add URL.")
				return nil
			}
			now := time.Now()
			t := cmdutil.NewTable(f.IO, "ID", "REPO", "URL", "RUNNER", "LAST FETCH", "LAST ERROR", "FAILURES", "NEXT FETCH", "STATE")
			for _, m := range list {
				t.Row(fmt.Sprint(m.ID), m.Repo, m.URL, runner(m), cmdutil.Ago(m.LastFetch, now), cmdutil.OrDash(clip(m.LastError, 40)),
					fmt.Sprint(m.Failures), nextFetch(m, now), cmdutil.Status(f.IO, state(m)))
			}
			return t.Flush()
		})
}

func newInfo(f *cmdutil.Factory) *cobra.Command {
	return newAct(f, "info", "Show a mirror's settings and its last fetch", (*client.Mirrors).Get)
}

// newAct is a command on one mirror (ID) that shows the mirror it answers.
func newAct(f *cmdutil.Factory, verb, short string, fn func(*client.Mirrors, context.Context, int64) (*core.Mirror, error)) *cobra.Command {
	cmd := &cobra.Command{Use: verb + " ID", Short: short, Args: cmdutil.Args(1, 1)}
	out := cmdutil.AddExportFlags(cmd, core.Mirror{})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := out.Check(); err != nil {
			return err
		}
		id, c, err := idClient(f, args[0])
		if err != nil {
			return err
		}
		m, err := fn(c.Mirrors, cmd.Context(), id)
		if err != nil {
			return tooSoon(err, id)
		}
		return cmdutil.Print(f.IO, out, m, func() error {
			switch verb {
			case "fetch":
				fmt.Fprintf(f.IO.Out, "Mirror %d (%s) fetches at its runner's next heartbeat.\n", m.ID, m.Repo)
				return nil
			case "resume":
				fmt.Fprintf(f.IO.Out, "Mirror %d (%s) is %s.\n", m.ID, m.Repo, cmdutil.Status(f.IO, state(m)))
				return nil
			}
			return show(f.IO, m)
		})
	}
	return cmd
}

// tooSoon says when "update now" may be asked again (429), naming the
// server's Retry-After.
func tooSoon(err error, id int64) error {
	var e *client.Error
	if !errors.As(err, &e) || e.Status != http.StatusTooManyRequests {
		return err
	}
	wait := "a while"
	if e.RetryAfter > 0 {
		wait = e.RetryAfter.String()
	}
	return fmt.Errorf("mirror %d was asked to update too recently (429; the server allows one update now per mirror_min_interval): retry after %s (Retry-After)", id, wait)
}

func show(s *cmdutil.IO, m *core.Mirror) error {
	now := time.Now()
	branches := strings.Join(m.Branches, ",")
	if branches == "" {
		branches = "all"
	}
	visibility := "public"
	if m.Private {
		visibility = "private"
	}
	last := "-"
	if !m.LastFetch.IsZero() {
		last = m.LastFetch.Local().Format(time.DateTime) + " (" + cmdutil.Ago(m.LastFetch, now) + ")"
	}
	return cmdutil.Fields(s, "Mirror", fmt.Sprint(m.ID), "Repo", m.Repo, "URL", m.URL, "Username", cmdutil.OrDash(m.Username),
		"Credential", cmdutil.YesNo(m.HasCredential), "Branches", branches, "Interval", (time.Duration(m.Interval) * time.Second).String(),
		"Config path", cmdutil.OrDash(m.ConfigPath), "Visibility", visibility, "Runner", runner(m), "Last fetch", last,
		"Last error", cmdutil.OrDash(m.LastError), "Failures", fmt.Sprint(m.Failures), "Next fetch", nextFetch(m, now),
		"State", cmdutil.Status(s, state(m)))
}

func newRemove(f *cmdutil.Factory) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{Use: "rm ID", Aliases: []string{"remove"}, Args: cmdutil.Args(1, 1),
		Short: "Stop watching a mirror; its repository and builds stay (as gone)",
		Long:  "Stop watching a mirror; its repository and builds stay (as gone). On a terminal it asks first, unless --yes."}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask (never asked when not on a terminal)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		id, c, err := idClient(f, args[0])
		if err != nil {
			return err
		}
		if f.IO.OutTTY && !yes {
			m, err := c.Mirrors.Get(cmd.Context(), id)
			if err != nil {
				return err
			}
			fmt.Fprintf(f.IO.Err, "Stop watching %s (mirror %d, %s)? [y/N] ", m.Repo, m.ID, m.URL)
			answer, err := cmdutil.ReadLine(f.IO.In)
			if err != nil {
				return err
			}
			if a := strings.ToLower(answer); a != "y" && a != "yes" {
				fmt.Fprintln(f.IO.Err, "Not removed.")
				return cmdutil.Exit(cmdutil.ExitError)
			}
		}
		if err := c.Mirrors.Remove(cmd.Context(), id); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.Out, "Stopped watching mirror %d.\n", id)
		return nil
	}
	return cmd
}

func idClient(f *cmdutil.Factory, arg string) (int64, *client.Client, error) {
	id, err := cmdutil.Number("mirror id", arg)
	if err != nil {
		return 0, nil, err
	}
	c, err := f.Client()
	return id, c, err
}

// state is "paused" (after failed fetches, until resumed) or "active".
func state(m *core.Mirror) string {
	if m.Paused {
		return "paused"
	}
	return "active"
}

func runner(m *core.Mirror) string {
	if m.RunnerID == 0 {
		return "-"
	}
	return fmt.Sprint(m.RunnerID)
}

// nextFetch is when the mirror is fetched next: "in 42s", "due", or "-"
// (paused, or never planned).
func nextFetch(m *core.Mirror, now time.Time) string {
	if m.Paused || m.NextFetch.IsZero() {
		return "-"
	}
	d := m.NextFetch.Sub(now)
	if d <= 0 {
		return "due"
	}
	return "in " + strings.TrimSuffix(cmdutil.Ago(now.Add(-d), now), " ago")
}

// clip shortens s to n runes for a table cell.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
