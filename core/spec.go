package core

import "time"

// Spec is one compiled pipeline (a stage), neutral to any engine. The
// pipeline compiler produces it; the runtime runs it on the engine whose
// instance name is Type.
//
// A step's environment is Spec.Environment overlaid with the step's own
// Environment and then with its Secrets; the runtime hands the engine a
// copy of each step whose Environment already holds all three.
type Spec struct {
	// StageID labels every resource an engine creates for the stage. The
	// runner hands engines an id unique to this run of the stage on this
	// runner (the server's stage id and a random suffix).
	StageID   string            `json:"stage_id"`
	Name      string            `json:"name"`
	Type      string            `json:"type"`
	Platform  Platform          `json:"platform"`
	Labels    map[string]string `json:"labels,omitempty"` // runner labels the stage needs (node)
	DependsOn []string          `json:"depends_on,omitempty"`
	// RunPolicy says when the stage runs once the stages it depends on are
	// done (trigger.status): "" and on-success need them all to succeed,
	// on-failure needs one to have failed, always runs in both cases.
	RunPolicy   RunPolicy         `json:"run_policy,omitempty"`
	Concurrency int               `json:"concurrency,omitempty"`
	Workspace   Workspace         `json:"workspace"`
	Clone       Clone             `json:"clone"`
	Environment map[string]string `json:"environment,omitempty"`
	PullSecrets []string          `json:"image_pull_secrets,omitempty"` // secret names
	// PullSecretData holds the values of PullSecrets (docker config JSON).
	// The compiler never sets it; the runtime fills it in the copy of the
	// spec it passes to Engine.Setup.
	PullSecretData []string `json:"image_pull_secret_data,omitempty"`
	// Registries are the repository's and its owner's registry
	// credentials. The compiler never sets them; the server fills them in
	// the spec it sends a runner for the stage.
	Registries []RegistryAuth `json:"registries,omitempty"`
	Steps      []*SpecStep    `json:"steps"`
	// Options are the engine-specific blocks (ssh's server, ...), passed
	// through as parsed; the engine validates them. Secret references inside
	// appear as {"from_secret": name} and are resolved by the runner.
	Options map[string]any `json:"options,omitempty"`
	Timeout time.Duration  `json:"timeout,omitempty"`
}

// Platform is the os/arch a stage needs.
type Platform struct {
	OS      string `json:"os"`
	Arch    string `json:"arch"`
	Variant string `json:"variant,omitempty"`
	Version string `json:"version,omitempty"`
}

// Workspace says where the clone lives. HostDir is the runner's directory
// holding the clone; Path is where steps see it (in a container, say).
type Workspace struct {
	HostDir string `json:"host_dir,omitempty"`
	Path    string `json:"path"`
}

// Clone holds the clone settings; cloning is done by the runner on its host.
type Clone struct {
	Disable    bool `json:"disable,omitempty"`
	Depth      int  `json:"depth,omitempty"`
	Retries    int  `json:"retries,omitempty"`
	SkipVerify bool `json:"skip_verify,omitempty"` // TLS verification off
}

// RunPolicy says when a step runs relative to the stage's outcome so far.
type RunPolicy string

// The run policies.
const (
	RunOnSuccess RunPolicy = "on-success"
	RunOnFailure RunPolicy = "on-failure"
	RunAlways    RunPolicy = "always"
	RunNever     RunPolicy = "never"
)

// SpecStep is one compiled step. Services are detached steps.
type SpecStep struct {
	Name          string            `json:"name"`
	Image         string            `json:"image,omitempty"`
	Pull          string            `json:"pull,omitempty"` // always, if-not-exists, never
	Entrypoint    []string          `json:"entrypoint,omitempty"`
	Command       []string          `json:"command,omitempty"`
	Commands      []string          `json:"commands,omitempty"`
	Script        string            `json:"script,omitempty"` // shell script built from Commands
	Shell         string            `json:"shell,omitempty"`
	Environment   map[string]string `json:"environment,omitempty"`
	Secrets       []*SecretRef      `json:"secrets,omitempty"`
	DependsOn     []string          `json:"depends_on,omitempty"`
	RunPolicy     RunPolicy         `json:"run_policy"`
	IgnoreFailure bool              `json:"ignore_failure,omitempty"`
	Detach        bool              `json:"detach,omitempty"`
	Privileged    bool              `json:"privileged,omitempty"`
	Volumes       []*VolumeMount    `json:"volumes,omitempty"`
	User          string            `json:"user,omitempty"`
	WorkingDir    string            `json:"working_dir,omitempty"`
	Network       string            `json:"network_mode,omitempty"`
	// Options are engine-specific step keys (extra_hosts, resources, or
	// any key of a third-party engine's pipeline type), as parsed.
	Options map[string]any `json:"options,omitempty"`
}

// SecretRef asks for the secret Name to be set as the variable Env.
type SecretRef struct {
	Name string `json:"name"`
	Env  string `json:"env"`
}

// VolumeMount mounts a stage volume (Name) or a host path (HostPath) at Path.
type VolumeMount struct {
	Name     string `json:"name,omitempty"`
	HostPath string `json:"host_path,omitempty"`
	Path     string `json:"path"`
	// Medium is "memory" for a stage volume kept in memory (tmpfs).
	Medium string `json:"medium,omitempty"`
}
