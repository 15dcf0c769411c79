package pipeline

import (
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/drover-ci/drover/core"
)

// Metadata is what Compile knows about the build: it feeds ${VARIABLE}
// substitution, the DRONE_*/DROVER_*/CI_* environment and the when/trigger
// conditions.
type Metadata struct {
	Repo   core.Repo  `json:"repo"`
	Build  core.Build `json:"build"`
	System System     `json:"system"`
	// ChangedFiles are the paths the build's commits change, for the paths
	// condition; nil means unknown, and then paths conditions match.
	ChangedFiles []string `json:"changed_files,omitempty"`
	// Timeout is the stage timeout; zero means the repository's Timeout
	// (minutes), or DefaultTimeout.
	Timeout time.Duration `json:"timeout,omitempty"`
}

// System describes the Drover server.
type System struct {
	Host    string `json:"host"`  // server host name (the instance condition)
	Proto   string `json:"proto"` // http or https
	Version string `json:"version"`
}

// DefaultTimeout is a stage's timeout when neither Metadata nor the
// repository sets one.
const DefaultTimeout = time.Hour

var prRefRE = regexp.MustCompile(`^refs/(?:pull|pull-requests|merge-requests)/(\d+)/`)

// PullRequest returns the pull-request number a ref names, or 0.
func PullRequest(ref string) int {
	if m := prRefRE.FindStringSubmatch(ref); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// Environ returns the build's variables under their Drone names
// (DRONE_*), their Drover names (DROVER_*, the same suffixes) and the
// CI_* names Woodpecker and GitLab users know, plus CI=true. Build
// parameters (Build.Params) are included as given. Stage and step
// variables are added by Compile.
func Environ(md *Metadata) map[string]string {
	b, r := &md.Build, &md.Repo
	tag := ""
	if strings.HasPrefix(b.Ref, "refs/tags/") {
		tag = strings.TrimPrefix(b.Ref, "refs/tags/")
	}
	branch := b.Target
	if b.Event == core.EventTag {
		branch = ""
	}
	pr := ""
	if n := PullRequest(b.Ref); n > 0 && b.Event == core.EventPullRequest {
		pr = strconv.Itoa(n)
	}
	owner, name := r.Owner, r.Name
	if owner == "" && name == "" {
		owner, name, _ = strings.Cut(r.Slug, "/")
	}
	visibility := r.Visibility
	if visibility == "" {
		visibility = map[bool]string{true: "private", false: "public"}[r.Private]
	}
	d := map[string]string{
		"BRANCH":              branch,
		"BUILD_ACTION":        b.Action,
		"BUILD_CREATED":       unix(b.Created),
		"BUILD_EVENT":         b.Event,
		"BUILD_LINK":          buildLink(md),
		"BUILD_NUMBER":        strconv.FormatInt(b.Number, 10),
		"BUILD_PARENT":        strconv.FormatInt(b.Parent, 10),
		"BUILD_STARTED":       unix(b.Started),
		"BUILD_STATUS":        "success", // the runtime sets failure for steps that run after one
		"BUILD_TRIGGER":       b.Sender,
		"COMMIT":              b.After,
		"COMMIT_AFTER":        b.After,
		"COMMIT_AUTHOR":       b.Author,
		"COMMIT_AUTHOR_EMAIL": b.Email,
		"COMMIT_BEFORE":       b.Before,
		"COMMIT_BRANCH":       branch,
		"COMMIT_LINK":         b.Link,
		"COMMIT_MESSAGE":      b.Message,
		"COMMIT_REF":          b.Ref,
		"COMMIT_SHA":          b.After,
		"CRON":                b.Cron,
		"DEPLOY_TO":           b.Deploy,
		"GIT_HTTP_URL":        r.CloneURL,
		"PULL_REQUEST":        pr,
		"REMOTE_URL":          r.CloneURL,
		"REPO":                r.Slug,
		"REPO_BRANCH":         r.Branch,
		"REPO_LINK":           r.HTMLURL,
		"REPO_NAME":           name,
		"REPO_NAMESPACE":      owner,
		"REPO_OWNER":          owner,
		"REPO_PRIVATE":        strconv.FormatBool(r.Private),
		"REPO_SCM":            "git",
		"REPO_VISIBILITY":     visibility,
		"SOURCE_BRANCH":       firstNonEmpty(b.Source, branch),
		"TARGET_BRANCH":       branch,
		"TAG":                 tag,
		"SYSTEM_HOST":         md.System.Host,
		"SYSTEM_HOSTNAME":     md.System.Host,
		"SYSTEM_PROTO":        md.System.Proto,
		"SYSTEM_VERSION":      md.System.Version,
	}
	if b.Event == core.EventPullRequest {
		d["TARGET_BRANCH"] = b.Target
		d["BRANCH"], d["COMMIT_BRANCH"] = b.Target, b.Target
	}
	env := make(map[string]string, 3*len(d)+24)
	maps.Copy(env, b.Params)
	for k, v := range d {
		env["DRONE_"+k] = v
		env["DROVER_"+k] = v
	}
	env["CI"] = "true"
	env["DRONE"] = "true"
	env["DROVER"] = "true"
	ci := map[string]string{
		"CI_REPO":                   r.Slug,
		"CI_REPO_OWNER":             owner,
		"CI_REPO_NAME":              name,
		"CI_REPO_URL":               r.HTMLURL,
		"CI_REPO_CLONE_URL":         r.CloneURL,
		"CI_REPO_DEFAULT_BRANCH":    r.Branch,
		"CI_COMMIT_SHA":             b.After,
		"CI_COMMIT_REF":             b.Ref,
		"CI_COMMIT_BRANCH":          d["BRANCH"],
		"CI_COMMIT_TAG":             tag,
		"CI_COMMIT_MESSAGE":         b.Message,
		"CI_COMMIT_AUTHOR":          b.Author,
		"CI_COMMIT_AUTHOR_EMAIL":    b.Email,
		"CI_COMMIT_PULL_REQUEST":    pr,
		"CI_COMMIT_SOURCE_BRANCH":   d["SOURCE_BRANCH"],
		"CI_COMMIT_TARGET_BRANCH":   d["TARGET_BRANCH"],
		"CI_PIPELINE_EVENT":         b.Event,
		"CI_PIPELINE_NUMBER":        d["BUILD_NUMBER"],
		"CI_PIPELINE_DEPLOY_TARGET": b.Deploy,
		"CI_PIPELINE_URL":           d["BUILD_LINK"],
		"CI_BUILD_NUMBER":           d["BUILD_NUMBER"],
		"CI_SYSTEM_HOST":            md.System.Host,
		"CI_SYSTEM_VERSION":         md.System.Version,
	}
	maps.Copy(env, ci)
	env["CI_PIPELINE_STATUS"] = "success"
	semverEnviron(env, tag)
	return env
}

// stageEnviron adds the variables of one stage to env.
func stageEnviron(env map[string]string, p *Pipeline, number int, workspace string, platform core.Platform) {
	d := map[string]string{
		"STAGE_NAME":       p.Name,
		"STAGE_NUMBER":     strconv.Itoa(number),
		"STAGE_KIND":       "pipeline",
		"STAGE_TYPE":       p.Type,
		"STAGE_OS":         platform.OS,
		"STAGE_ARCH":       platform.Arch,
		"STAGE_VARIANT":    platform.Variant,
		"STAGE_DEPENDS_ON": joinRefs(p.DependsOn),
		"STAGE_STATUS":     "success", // the runtime sets failure for steps that run after one
	}
	// An empty workspace path means the engine picks the directory (exec,
	// ssh); it then sets DRONE_WORKSPACE itself.
	if workspace != "" {
		d["WORKSPACE"] = workspace
		env["CI_WORKSPACE"] = workspace
	}
	for k, v := range d {
		env["DRONE_"+k] = v
		env["DROVER_"+k] = v
	}
	env["CI_WORKFLOW_NAME"] = p.Name
	env["CI_WORKFLOW_NUMBER"] = d["STAGE_NUMBER"]
}

func joinRefs(rs []Ref) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Name
	}
	return strings.Join(names, ",")
}

func buildLink(md *Metadata) string {
	if md.System.Host == "" || md.Repo.Slug == "" {
		return ""
	}
	proto := firstNonEmpty(md.System.Proto, "http")
	return proto + "://" + md.System.Host + "/" + md.Repo.Slug + "/" + strconv.FormatInt(md.Build.Number, 10)
}

func unix(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return strconv.FormatInt(t.Unix(), 10)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

var semverRE = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$`)

// semverEnviron adds Drone's DRONE_SEMVER_* variables for a tag that is a
// semantic version.
func semverEnviron(env map[string]string, tag string) {
	if tag == "" {
		return
	}
	m := semverRE.FindStringSubmatch(tag)
	if m == nil {
		env["DRONE_SEMVER_ERROR"] = fmt.Sprintf("%q is not a semantic version", tag)
		return
	}
	d := map[string]string{
		"SEMVER":            strings.TrimPrefix(tag, "v"),
		"SEMVER_MAJOR":      m[1],
		"SEMVER_MINOR":      m[2],
		"SEMVER_PATCH":      m[3],
		"SEMVER_PRERELEASE": m[4],
		"SEMVER_BUILD":      m[5],
		"SEMVER_SHORT":      m[1] + "." + m[2] + "." + m[3],
	}
	for k, v := range d {
		env["DRONE_"+k] = v
		env["DROVER_"+k] = v
	}
}
