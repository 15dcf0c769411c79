package web

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// mirrorFields are the fields the API names in its mirror errors.
var mirrorFields = []string{"url", "repo", "username", "credential", "branches", "interval", "config_path", "private"}

// mirrorForm is the form adding a mirror (every field) or changing one
// (branches, interval, pipeline file, credential): what was typed, never
// the credential, which is not shown again, and the errors by field.
type mirrorForm struct {
	URL, Repo, Username, Branches, Interval, ConfigPath string
	Private                                             bool
	// HasCredential: the mirror has one (the form may keep or remove it).
	HasCredential bool
	Errors        map[string]string
}

// Err is the error of the field ("" for none).
func (f *mirrorForm) Err(field string) string { return f.Errors[field] }

// newMirrorForm is the empty form adding a mirror: private, the API's
// default interval.
func newMirrorForm() *mirrorForm { return &mirrorForm{Private: true} }

// formOfMirror is the form changing the mirror m.
func formOfMirror(m mirrorItem) *mirrorForm {
	return &mirrorForm{URL: m.URL, Repo: m.Repo, Username: m.Username, Branches: strings.Join(m.Branches, ", "),
		Interval: strconv.Itoa(m.Interval), ConfigPath: m.ConfigPath, Private: m.Private, HasCredential: m.HasCredential}
}

// splitBranches reads the branch patterns typed separated by commas or
// spaces (git branch names have neither).
func splitBranches(s string) []string {
	out := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	if out == nil {
		out = []string{} // every branch
	}
	return out
}

// mirrorBody reads the posted form into f and the API's request body:
// adding sends every field, changing only those the form changes (the
// credential only when one is typed or removing it is ticked). An
// interval that is not a number is f's error (false).
func mirrorBody(c *gin.Context, f *mirrorForm, adding bool) (map[string]any, bool) {
	f.Branches = strings.TrimSpace(c.PostForm("branches"))
	f.Interval = strings.TrimSpace(c.PostForm("interval"))
	f.ConfigPath = strings.TrimSpace(c.PostForm("config_path"))
	f.Username = strings.TrimSpace(c.PostForm("username"))
	body := map[string]any{"branches": splitBranches(f.Branches), "config_path": f.ConfigPath}
	if adding {
		f.URL, f.Repo, f.Private = strings.TrimSpace(c.PostForm("url")), strings.TrimSpace(c.PostForm("repo")), c.PostForm("private") == "on"
		body["url"], body["private"] = f.URL, f.Private
		if f.Repo != "" {
			body["repo"] = f.Repo // empty: the API names it from the URL
		}
	}
	if f.Username != "" || !adding {
		body["username"] = f.Username
	}
	switch cred := c.PostForm("credential"); {
	case !adding && c.PostForm("remove_credential") == "on":
		body["credential"] = ""
	case strings.TrimSpace(cred) != "":
		body["credential"] = cred
	}
	if f.Interval != "" {
		n, err := strconv.Atoi(f.Interval)
		if err != nil {
			f.Errors = map[string]string{"interval": "interval: " + strconv.Quote(f.Interval) + " is not a number of seconds"}
			return nil, false
		}
		body["interval"] = n
	}
	return body, true
}
