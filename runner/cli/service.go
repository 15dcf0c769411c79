package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"

	"github.com/kardianos/service"
)

// ServiceName is the system service's name.
const ServiceName = "drover-runner"

// initSystem reports the service manager in charge, or an error saying
// that there is none. A variable so tests can pretend.
var initSystem = detectInitSystem

// detectInitSystem trusts kardianos/service's detection, except for its
// System V fallback on Linux, which it picks whenever nothing else is
// found (in a container, say): that one needs an init process and
// /etc/init.d.
func detectInitSystem() (string, error) {
	sys := service.ChosenSystem()
	if sys == nil {
		return "", errors.New("no service manager found on this machine")
	}
	name := sys.String()
	if goruntime.GOOS == "linux" && name == "unix-systemv" {
		comm, _ := os.ReadFile("/proc/1/comm")
		pid1 := strings.TrimSpace(string(comm))
		if _, err := os.Stat("/etc/init.d"); err != nil || pid1 != "init" {
			return "", fmt.Errorf("no init system found (PID 1 is %q, no systemd, upstart or OpenRC): "+
				"run `drover-runner run` under your process supervisor instead", pid1)
		}
	}
	return name, nil
}

type program struct{}

func (program) Start(service.Service) error { return nil }
func (program) Stop(service.Service) error  { return nil }

// control installs, removes, starts, stops or queries the service.
func control(action string, args []string, env Env) error {
	fs, cfgPath := newFlags(action, env)
	user := fs.String("user", "", "install: run the service as this user")
	if err := parse(fs, args); err != nil {
		return err
	}
	sysName, err := initSystem()
	if err != nil {
		return err
	}
	cfg, err := filepath.Abs(*cfgPath)
	if err != nil {
		return err
	}
	if action == "install" {
		if _, err := os.Stat(cfg); err != nil {
			return fmt.Errorf("%s: %w; run drover-runner register first", cfg, err)
		}
	}
	svc, err := service.New(program{}, &service.Config{
		Name:        ServiceName,
		DisplayName: "Drover runner",
		Description: "Runs Drover CI pipeline stages on this host.",
		Arguments:   []string{"run", "--config", cfg},
		UserName:    *user,
		Option:      service.KeyValue{"Restart": "always"},
	})
	if err != nil {
		return fmt.Errorf("service manager %s: %w", sysName, err)
	}
	if action == "status" {
		st, err := svc.Status()
		if err != nil {
			return fmt.Errorf("status: %w", err)
		}
		fmt.Fprintln(env.Stdout, map[service.Status]string{
			service.StatusRunning: "running", service.StatusStopped: "stopped",
		}[st]+orUnknown(st))
		return nil
	}
	if err := service.Control(svc, action); err != nil {
		return fmt.Errorf("%s (service manager %s): %w", action, sysName, err)
	}
	fmt.Fprintf(env.Stdout, "%s: done (%s)\n", action, sysName)
	return nil
}

func orUnknown(st service.Status) string {
	if st == service.StatusRunning || st == service.StatusStopped {
		return ""
	}
	return "unknown"
}
