package script

import "strconv"

// field is one value Drone hands a program about the build or the
// repository: a string or a bool.
type field struct {
	name string
	str  string
	b    *bool
}

func boolField(name string, v bool) field { return field{name: name, b: &v} }

// text is the value as Jsonnet's external variables carry it.
func (f field) text() string {
	if f.b != nil {
		return strconv.FormatBool(*f.b)
	}
	return f.str
}

// buildFields are ctx.build / std.extVar("build.*") under Drone's names.
func buildFields(in *Input) []field {
	b := &in.Build
	return []field{
		{name: "event", str: b.Event}, {name: "action", str: b.Action}, {name: "cron", str: b.Cron},
		{name: "environment", str: b.Deploy}, {name: "link", str: b.Link}, {name: "branch", str: b.Target},
		{name: "source", str: b.Source}, {name: "before", str: b.Before}, {name: "after", str: b.After},
		{name: "target", str: b.Target}, {name: "ref", str: b.Ref}, {name: "commit", str: b.After},
		{name: "title", str: ""}, {name: "message", str: b.Message}, {name: "source_repo", str: b.Fork},
		{name: "author_login", str: b.Author}, {name: "author_name", str: b.Author},
		{name: "author_email", str: b.Email}, {name: "author_avatar", str: ""}, {name: "sender", str: b.Sender},
		boolField("debug", false),
	}
}

// repoFields are ctx.repo / std.extVar("repo.*") under Drone's names.
func repoFields(in *Input) []field {
	r := &in.Repo
	slug := r.Slug
	if slug == "" && r.Owner != "" {
		slug = r.Owner + "/" + r.Name
	}
	return []field{
		{name: "uid", str: r.RemoteID}, {name: "name", str: r.Name}, {name: "namespace", str: r.Owner},
		{name: "slug", str: slug}, {name: "git_http_url", str: r.CloneURL}, {name: "git_ssh_url", str: ""},
		{name: "link", str: r.HTMLURL}, {name: "branch", str: r.Branch}, {name: "config", str: r.ConfigPath},
		boolField("private", r.Private), {name: "visibility", str: r.Visibility},
		boolField("active", r.Active), boolField("trusted", r.Trusted), boolField("protected", false),
		boolField("ignore_forks", false), boolField("ignore_pull_requests", false),
	}
}
