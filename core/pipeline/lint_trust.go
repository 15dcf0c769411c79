package pipeline

// trustedStepOptions are step options that reach the host, with the
// words of Drone's linter for them.
var trustedStepOptions = []struct{ key, drone string }{
	{"devices", "mount devices"},
	{"dns", "configure dns"},
	{"dns_search", "configure dns_search"},
	{"extra_hosts", "configure extra_hosts"},
	{"shm_size", "configure shm_size"},
}

// lintTrust rejects, for an untrusted repository, what reaches the host.
func lintTrust(ps *problems, p *Pipeline) {
	if p.Type == "exec" {
		ps.add(keyPos(&Step{Pos: p.Pos, Keys: p.Keys}, "type"), "pipeline %q: type: exec runs commands on the runner's host and needs a trusted repository", p.Name)
	}
	for _, v := range p.Volumes {
		switch {
		case v.HostPath != "":
			ps.add(v.Pos, "pipeline %q: host volume %q (%s) needs a trusted repository (Drone: untrusted repositories cannot mount host volumes)", p.Name, v.Name, v.HostPath)
		case v.Medium == "memory":
			ps.add(v.Pos, "pipeline %q: in-memory volume %q needs a trusted repository (Drone: untrusted repositories cannot mount in-memory volumes)", p.Name, v.Name)
		}
	}
	for _, s := range allSteps(p) {
		if s.Privileged {
			ps.add(keyPos(s, "privileged"), "step %q: privileged needs a trusted repository (Drone: untrusted repositories cannot enable privileged mode)", s.Name)
		}
		if s.Network != "" {
			ps.add(keyPos(s, "network_mode"), "step %q: network_mode: %s needs a trusted repository (Drone: untrusted repositories cannot configure network_mode)", s.Name, s.Network)
		}
		for _, o := range trustedStepOptions {
			if _, ok := s.Options[o.key]; ok {
				ps.add(keyPos(s, o.key), "step %q: %s needs a trusted repository (Drone: untrusted repositories cannot %s)", s.Name, o.key, o.drone)
			}
		}
		for _, port := range s.Ports {
			if port.Host != 0 {
				ps.add(port.Pos, "step %q: port %d mapped to host port %d needs a trusted repository (Drone: untrusted repositories cannot map to a host port)", s.Name, port.Port, port.Host)
			}
		}
	}
}
