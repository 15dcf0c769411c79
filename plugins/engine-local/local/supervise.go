package local

// SuperviseArg, as the plugin binary's first argument, makes it a step's
// supervisor (see Supervise): main calls Supervise with the arguments
// after it.
const SuperviseArg = "__drover_supervise_step"

// supervisor is the binary that supervises steps ("": none, steps run
// directly); see UseSupervisor.
var supervisor string

// UseSupervisor makes every step run under exe SuperviseArg (the plugin's
// own binary), which ends the step's processes when the engine dies.
// Engines embedded in another program (tests) run steps directly.
func UseSupervisor(exe string) { supervisor = exe }

// supervised returns the command line that runs argv under the
// supervisor, when there is one.
func supervised(argv []string) []string {
	if supervisor == "" {
		return argv
	}
	return append([]string{supervisor, SuperviseArg}, argv...)
}
