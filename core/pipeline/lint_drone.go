package pipeline

import (
	"path"
	"strings"
)

// The platforms Drone's linter lets a docker pipeline name.
var (
	dockerOS   = map[string]bool{"linux": true, "windows": true}
	dockerArch = map[string]bool{"arm": true, "arm64": true, "amd64": true, "ppc64le": true, "s390x": true}
)

// reservedVolumes are the volume names Drone's runners use themselves.
var reservedVolumes = map[string]bool{"workspace": true, "_workspace": true, "_docker_socket": true}

// lintPlatform rejects an os or arch a docker pipeline cannot run on
// (exec and ssh pipelines run on hosts of any kind).
func lintPlatform(ps *problems, p *Pipeline) {
	if p.Type != "docker" {
		return
	}
	if v := p.Platform.OS; v != "" && !dockerOS[v] {
		ps.add(platformPos(p), "pipeline %q: a docker pipeline cannot run on os %q (want linux or windows; Drone: unsupported os: %s)", p.Name, v, v)
	}
	if v := p.Platform.Arch; v != "" && !dockerArch[v] {
		ps.add(platformPos(p), "pipeline %q: a docker pipeline cannot run on arch %q (want amd64, arm64, arm, ppc64le or s390x; Drone: unsupported architecture: %s)", p.Name, v, v)
	}
}

func platformPos(p *Pipeline) Pos {
	if pos, ok := p.Keys.Lookup("platform"); ok {
		return pos
	}
	return p.Pos
}

// lintVolumes checks the pipeline's volumes and returns them by name.
func lintVolumes(ps *problems, p *Pipeline) map[string]*Volume {
	volumes := make(map[string]*Volume, len(p.Volumes))
	for _, v := range p.Volumes {
		switch {
		case v.Name == "":
			ps.add(v.Pos, "pipeline %q: a volume needs a name (Drone: missing volume name)", p.Name)
		case reservedVolumes[v.Name]:
			ps.add(v.Pos, "pipeline %q: the volume name %s is reserved (Drone: invalid volume name: %s)", p.Name, v.Name, v.Name)
		}
		volumes[v.Name] = v
	}
	return volumes
}

// lintMounts checks a step's volume mounts. A mount of a volume the
// pipeline does not declare is skipped, as Drone's docker runner does.
func lintMounts(ps *problems, p *Pipeline, s *Step, volumes map[string]*Volume) {
	for _, v := range s.Volumes {
		switch {
		case v.Name == "":
		case reservedVolumes[v.Name]:
			ps.add(v.Pos, "step %q: the volume name %s is reserved (Drone: invalid volume name: %s)", s.Name, v.Name, v.Name)
		case volumes[v.Name] == nil:
			ps.warn(v.Pos, "step %q: volume %q is not declared in the pipeline's volumes, so it is not mounted", s.Name, v.Name)
		}
		if underRunDrone(v.Path) {
			ps.add(v.Pos, "step %q: a volume cannot be mounted at %s (Drone: cannot mount volume at /run/drone)", s.Name, v.Path)
		}
	}
}

// underRunDrone reports whether a mount path is within /run/drone, where
// the runner keeps its own files.
func underRunDrone(p string) bool {
	return p != "" && strings.HasPrefix(path.Clean(p), "/run/drone")
}
