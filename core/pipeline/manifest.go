package pipeline

// Manifest is a parsed pipeline file: its documents by kind, in file order.
// It keeps the YAML tree so that Compile can substitute ${VARIABLES} into
// each scalar (positions stay exact and a value can never change the
// document's structure).
type Manifest struct {
	Pipelines  []*Pipeline  `json:"pipelines"`
	Secrets    []*Secret    `json:"secrets,omitempty"`
	Signatures []*Signature `json:"signatures,omitempty"`

	docs     []*docNode
	warnings Problems // Parse's; Check adds Lint's
}

// Pipeline is a `kind: pipeline` document.
type Pipeline struct {
	Pos              Pos               `json:"pos"`
	Type             string            `json:"type"`
	Name             string            `json:"name"`
	Platform         Platform          `json:"platform"`
	Node             map[string]string `json:"node,omitempty"`
	Workspace        Workspace         `json:"workspace"`
	Clone            Clone             `json:"clone"`
	Steps            []*Step           `json:"steps"`
	Services         []*Step           `json:"services,omitempty"`
	Volumes          []*Volume         `json:"volumes,omitempty"`
	Trigger          Conditions        `json:"trigger"`
	DependsOn        []Ref             `json:"depends_on,omitempty"`
	Concurrency      int               `json:"concurrency,omitempty"`
	ImagePullSecrets []string          `json:"image_pull_secrets,omitempty"`
	Environment      map[string]*Value `json:"environment,omitempty"`
	// Options are the engine-specific blocks (ssh's server, a third-party
	// engine's keys), as parsed; from_secret stays {"from_secret": name}.
	Options map[string]any `json:"options,omitempty"`
	// Keys holds the position of each key the document sets.
	Keys KeyPositions `json:"-"`
}

// Platform is the pipeline's os/arch.
type Platform struct {
	OS      string `json:"os,omitempty"`
	Arch    string `json:"arch,omitempty"`
	Variant string `json:"variant,omitempty"`
	Version string `json:"version,omitempty"`
}

// Workspace is the pipeline's `workspace` block.
type Workspace struct {
	Base string `json:"base,omitempty"`
	Path string `json:"path,omitempty"`
}

// Clone is the pipeline's `clone` block.
type Clone struct {
	Disable    bool `json:"disable,omitempty"`
	Depth      int  `json:"depth,omitempty"`
	Retries    int  `json:"retries,omitempty"`
	SkipVerify bool `json:"skip_verify,omitempty"`
}

// Volume is a pipeline-level volume: a temporary one, or a host path.
type Volume struct {
	Pos      Pos    `json:"pos"`
	Name     string `json:"name"`
	HostPath string `json:"host_path,omitempty"`
	Temp     bool   `json:"temp,omitempty"`
	Medium   string `json:"medium,omitempty"`
}

// Ref is a name that refers to a step or a pipeline, with where it is written.
type Ref struct {
	Pos  Pos    `json:"pos"`
	Name string `json:"name"`
}

// Value is an environment value: a literal, or a secret's name (from_secret).
type Value struct {
	Pos    Pos    `json:"pos"`
	Value  string `json:"value,omitempty"`
	Secret string `json:"from_secret,omitempty"`
}

// Step is a step or a service of a pipeline.
type Step struct {
	Pos         Pos               `json:"pos"`
	Name        string            `json:"name"`
	Image       string            `json:"image,omitempty"`
	Pull        string            `json:"pull,omitempty"`
	Commands    []string          `json:"commands,omitempty"`
	Entrypoint  []string          `json:"entrypoint,omitempty"`
	Command     []string          `json:"command,omitempty"`
	Environment map[string]*Value `json:"environment,omitempty"`
	// Settings are plugin settings; a setting {from_secret: x} is kept as
	// map[string]any{"from_secret": "x"}.
	Settings   map[string]any `json:"settings,omitempty"`
	DependsOn  []Ref          `json:"depends_on,omitempty"`
	When       Conditions     `json:"when"`
	Failure    string         `json:"failure,omitempty"`
	Detach     bool           `json:"detach,omitempty"`
	Privileged bool           `json:"privileged,omitempty"`
	Volumes    []*VolumeMount `json:"volumes,omitempty"`
	// Ports are the ports a service or step listens on; they reach the
	// engine as the option "ports", as written.
	Ports      []Port         `json:"ports,omitempty"`
	User       string         `json:"user,omitempty"`
	Network    string         `json:"network_mode,omitempty"`
	Shell      string         `json:"shell,omitempty"`
	WorkingDir string         `json:"working_dir,omitempty"`
	Options    map[string]any `json:"options,omitempty"`
	Keys       KeyPositions   `json:"-"`
}

// VolumeMount mounts a pipeline volume into a step.
type VolumeMount struct {
	Pos  Pos    `json:"pos"`
	Name string `json:"name"`
	Path string `json:"path"`
}

// Port is one entry of a step's ports: a container port, and the host
// port it is published on (0: none).
type Port struct {
	Pos      Pos    `json:"pos"`
	Port     int    `json:"port"`
	Host     int    `json:"host,omitempty"`
	Protocol string `json:"protocol,omitempty"`
}

// Secret is a `kind: secret` document: an external secret (get) or an
// encrypted value (data).
type Secret struct {
	Pos  Pos    `json:"pos"`
	Name string `json:"name"`
	Data string `json:"data,omitempty"`
	Path string `json:"path,omitempty"` // get.path
	Key  string `json:"key,omitempty"`  // get.name
}

// Signature is a `kind: signature` document.
type Signature struct {
	Pos  Pos    `json:"pos"`
	HMAC string `json:"hmac"`
}

// KeyPositions records where each key of a mapping is written.
type KeyPositions []KeyPos

// KeyPos is one key and its position.
type KeyPos struct {
	Key string
	Pos Pos
}

// Lookup returns the position of key.
func (ks KeyPositions) Lookup(key string) (Pos, bool) {
	for _, k := range ks {
		if k.Key == key {
			return k.Pos, true
		}
	}
	return Pos{}, false
}
