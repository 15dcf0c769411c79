package docker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/drover-ci/drover/core"
)

// TestContainerConfig checks what the daemon is asked for; privileged
// containers cannot start in every CI sandbox, so this is checked here.
func TestContainerConfig(t *testing.T) {
	e := &Engine{cfg: Config{RunnerID: "r1"}}
	st := &stage{spec: &core.Spec{StageID: "s1", Workspace: core.Workspace{Path: "/w"}, Environment: map[string]string{"A": "stage", "B": "stage"}},
		network: "drover-s1", volume: "drover-s1"}
	tests := []struct {
		name string
		step core.SpecStep
		test func(t *testing.T, got map[string]any)
	}{
		{"script", core.SpecStep{Name: "build", Image: "img", Commands: []string{"make"}, Privileged: true, User: "1000",
			WorkingDir: "sub", Environment: map[string]string{"B": "step"}}, func(t *testing.T, got map[string]any) {
			want := map[string]any{
				"entrypoint": []string{"/bin/sh", "-c"}, "privileged": true, "user": "1000", "workdir": "/w/sub",
				"env":     []string{"A=stage", "B=step", "CI_WORKSPACE=/w"},
				"network": "drover-s1", "aliases": []string{"build"}, "mounts": 1,
				"labels": map[string]string{LabelStage: "s1", LabelRunner: "r1", LabelStep: "build"},
			}
			delete(got, "cmd")
			if d := cmp.Diff(want, got); d != "" {
				t.Error(d)
			}
		}},
		{"entrypoint", core.SpecStep{Name: "e", Image: "img", Entrypoint: []string{"/x"}, Command: []string{"a"}, Network: "host",
			Volumes: []*core.VolumeMount{{HostPath: "/etc", Path: "/h"}}}, func(t *testing.T, got map[string]any) {
			if d := cmp.Diff([]string{"/x"}, got["entrypoint"]); d != "" {
				t.Error(d)
			}
			if d := cmp.Diff([]string{"a"}, got["cmd"]); d != "" {
				t.Error(d)
			}
			if got["network"] != "host" || got["aliases"] != nil || got["mounts"] != 2 || got["privileged"] != false {
				t.Errorf("got %v", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, host, netCfg, err := e.containerConfig(context.Background(), st, &tt.step)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]any{
				"entrypoint": []string(cfg.Entrypoint), "cmd": []string(cfg.Cmd), "privileged": host.Privileged,
				"user": cfg.User, "workdir": cfg.WorkingDir, "env": cfg.Env, "network": string(host.NetworkMode),
				"mounts": len(host.Mounts), "labels": cfg.Labels,
			}
			if netCfg != nil {
				got["aliases"] = netCfg.EndpointsConfig["drover-s1"].Aliases
			}
			if tt.name == "entrypoint" {
				delete(got, "labels")
				delete(got, "env")
			}
			tt.test(t, got)
		})
	}
}

func TestRegistryAuth(t *testing.T) {
	cfg := map[string]any{"auths": map[string]any{
		"https://index.docker.io/v1/": map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte("hub:secret"))},
		"registry.example.com:5000":   map[string]string{"username": "u", "password": "p"},
	}}
	raw, _ := json.Marshal(cfg)
	auths, err := parseAuths([]string{"unresolved-name", string(raw)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ image, wantUser string }{
		{"alpine:3", "hub"},
		{"docker.io/library/golang", "hub"},
		{"registry.example.com:5000/team/app:1", "u"},
		{"quay.io/other/app", ""},
	}
	for _, tt := range tests {
		enc := registryAuth(auths, tt.image)
		if tt.wantUser == "" {
			if enc != "" {
				t.Errorf("%s: got credentials, want none", tt.image)
			}
			continue
		}
		b, err := base64.URLEncoding.DecodeString(enc)
		if err != nil {
			t.Fatalf("%s: %v", tt.image, err)
		}
		var got struct{ Username string }
		if err := json.Unmarshal(b, &got); err != nil || got.Username != tt.wantUser {
			t.Errorf("%s: user %q (%v), want %q", tt.image, got.Username, err, tt.wantUser)
		}
	}
	if _, err := parseAuths([]string{"{not json"}); err == nil {
		t.Error("a broken docker config was accepted")
	}
}

// The pull credential of an image is the first for its registry host:
// the stage's image_pull_secrets (their values, as the runner fills
// them), then the repository's and owner's registry credentials.
func TestStageAuthsPickByRegistryHost(t *testing.T) {
	cfg, _ := json.Marshal(map[string]any{"auths": map[string]any{
		"registry.example.com:5000": map[string]string{"username": "from-secret", "password": "p"},
	}})
	spec := &core.Spec{
		PullSecrets:    []string{"dockerconfig"},
		PullSecretData: []string{string(cfg)},
		Registries: []core.RegistryAuth{
			{Address: "registry.example.com:5000", Username: "shadowed", Password: "x"},
			{Address: "ghcr.io", Username: "gh", Password: "g"},
			{Address: "index.docker.io", Username: "hub", Password: "h"},
		},
	}
	auths, err := stageAuths(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ image, wantUser, wantPass string }{
		{"registry.example.com:5000/team/app:1", "from-secret", "p"},
		{"ghcr.io/acme/tool:latest", "gh", "g"},
		{"alpine:3", "hub", "h"},
		{"quay.io/other/app", "", ""},
		{"GHCR.IO/bad", "", ""}, // not a valid reference: no credential
	} {
		enc := registryAuth(auths, tt.image)
		if tt.wantUser == "" {
			if enc != "" {
				t.Errorf("%s: got credentials, want none", tt.image)
			}
			continue
		}
		b, err := base64.URLEncoding.DecodeString(enc)
		if err != nil {
			t.Fatalf("%s: %v", tt.image, err)
		}
		var got struct{ Username, Password string }
		if err := json.Unmarshal(b, &got); err != nil || got.Username != tt.wantUser || got.Password != tt.wantPass {
			t.Errorf("%s: %+v (%v), want %s/%s", tt.image, got, err, tt.wantUser, tt.wantPass)
		}
	}
	// The names of the pull secrets are not credentials.
	if auths, err := stageAuths(&core.Spec{PullSecrets: []string{"{not json"}}); err != nil || len(auths) != 0 {
		t.Fatalf("names taken as configs: %v %v", auths, err)
	}
}
