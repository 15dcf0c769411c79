package pipelinecmd

import (
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/core/pipeline"
)

// metadataFlags declares the flags describing the build a file is
// compiled (or a program evaluated) for; the returned function reads
// them after parsing.
func metadataFlags(fs *pflag.FlagSet) func() pipeline.Metadata {
	var md pipeline.Metadata
	b := &md.Build
	fs.StringVar(&b.Event, "event", core.EventPush, "build event: push, tag, pull_request, promote, cron, custom")
	fs.StringVar(&b.Target, "branch", "main", "branch (for a pull request: its target branch)")
	fs.StringVar(&b.Source, "source", "", "pull request source branch")
	tag := fs.String("tag", "", "tag name (sets --event tag unless given)")
	pr := fs.Int("pr", 0, "pull request number (sets --event pull_request unless given)")
	fs.StringVar(&b.Ref, "ref", "", "git ref (default from --branch, --tag or --pr)")
	fs.StringVar(&b.After, "commit", "0000000000000000000000000000000000000000", "commit sha")
	fs.StringVar(&b.Message, "message", "", "commit message")
	fs.StringVar(&b.Author, "author", "", "commit author login")
	fs.StringVar(&b.Deploy, "deploy", "", "deployment target (promote)")
	fs.StringVar(&b.Cron, "cron", "", "cron job name")
	fs.StringVar(&b.Action, "action", "", "event action (pull request: opened, synchronized, ...)")
	fs.Int64Var(&b.Number, "number", 1, "build number")
	repo := fs.String("repo", "octocat/hello-world", "repository owner/name")
	fs.StringVar(&md.System.Host, "instance", "localhost", "server host name (the instance condition)")
	params := keyValues{}
	fs.Var(params, "param", "build parameter KEY=VALUE (repeatable)")
	paths := fs.String("paths", "", "comma-separated changed files (paths condition); empty: unknown")
	return func() pipeline.Metadata {
		set := map[string]bool{}
		fs.Visit(func(f *pflag.Flag) { set[f.Name] = true })
		switch {
		case *tag != "":
			if !set["event"] {
				b.Event = core.EventTag
			}
			if b.Ref == "" {
				b.Ref = "refs/tags/" + *tag
			}
		case *pr > 0:
			if !set["event"] {
				b.Event = core.EventPullRequest
			}
			if b.Ref == "" {
				b.Ref = "refs/pull/" + strconv.Itoa(*pr) + "/head"
			}
		}
		if b.Ref == "" {
			b.Ref = "refs/heads/" + b.Target
		}
		b.Params = params
		b.Created = time.Now()
		md.Repo.Slug = *repo
		md.Repo.Owner, md.Repo.Name, _ = strings.Cut(*repo, "/")
		md.Repo.Branch = "main"
		md.System.Proto = "http"
		if *paths != "" {
			md.ChangedFiles = strings.Split(*paths, ",")
		}
		return md
	}
}
