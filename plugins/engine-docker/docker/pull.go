package docker

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/registry"

	"github.com/drover-ci/drover/core"
)

// The pull policies of a step.
const (
	PullAlways      = "always"
	PullIfNotExists = "if-not-exists"
	PullNever       = "never"
)

// authEntry is the credential for one registry host.
type authEntry struct {
	host string
	auth registry.AuthConfig
}

// parseAuths reads image_pull_secrets. The runner resolves each secret to
// its value, a Docker config JSON ({"auths": {"registry": {"auth": ...}}});
// entries that are not JSON (unresolved names) are ignored.
func parseAuths(secrets []string) ([]authEntry, error) {
	var out []authEntry
	for i, s := range secrets {
		s = strings.TrimSpace(s)
		if !strings.HasPrefix(s, "{") {
			continue
		}
		var cfg struct {
			Auths map[string]registry.AuthConfig `json:"auths"`
		}
		if err := json.Unmarshal([]byte(s), &cfg); err != nil {
			return nil, core.Errorf(core.CodeInvalid, "image_pull_secrets[%d] is not a docker config JSON: %v", i, err)
		}
		for host, a := range cfg.Auths {
			if a.Auth != "" && a.Username == "" {
				raw, err := base64.StdEncoding.DecodeString(a.Auth)
				if err != nil {
					return nil, core.Errorf(core.CodeInvalid, "image_pull_secrets[%d]: auth of %s is not base64", i, host)
				}
				a.Username, a.Password, _ = strings.Cut(string(raw), ":")
				a.Auth = ""
			}
			a.ServerAddress = host
			out = append(out, authEntry{host: registryHost(host), auth: a})
		}
	}
	return out, nil
}

// stageAuths are the pull credentials of a stage: its image_pull_secrets'
// docker configs (the runner fills PullSecretData with their values), then
// the repository's and its owner's registry credentials. The first for an
// image's registry host is used.
func stageAuths(spec *core.Spec) ([]authEntry, error) {
	auths, err := parseAuths(spec.PullSecretData)
	if err != nil {
		return nil, err
	}
	for _, r := range spec.Registries {
		auths = append(auths, authEntry{host: registryHost(r.Address),
			auth: registry.AuthConfig{Username: r.Username, Password: r.Password, ServerAddress: r.Address}})
	}
	return auths, nil
}

// registryHost normalises a docker config key ("https://index.docker.io/v1/",
// "registry.example.com:5000") to a host name as reference.Domain gives it.
func registryHost(key string) string {
	key = strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
	key, _, _ = strings.Cut(key, "/")
	switch key {
	case "index.docker.io", "registry-1.docker.io":
		return "docker.io"
	}
	return key
}

// registryAuth returns the encoded credential for img's registry, or "".
func registryAuth(auths []authEntry, img string) string {
	named, err := reference.ParseNormalizedNamed(img)
	if err != nil {
		return ""
	}
	host := reference.Domain(named)
	for _, a := range auths {
		if a.host == host {
			enc, err := registry.EncodeAuthConfig(a.auth)
			if err == nil {
				return enc
			}
		}
	}
	return ""
}

// ensureImage applies the pull policy (default if-not-exists). A failure is
// an error naming the image and the daemon's reason.
func (e *Engine) ensureImage(ctx context.Context, st *stage, img, policy string) error {
	switch policy {
	case "", PullIfNotExists, "if-not-present", "missing", "default":
		if _, err := e.cli.ImageInspect(ctx, img); err == nil {
			return nil
		} else if !cerrdefs.IsNotFound(err) {
			return unavailable(fmt.Errorf("inspect image %s: %w", img, err))
		}
	case PullAlways:
	case PullNever:
		if _, err := e.cli.ImageInspect(ctx, img); err != nil {
			if cerrdefs.IsNotFound(err) {
				return core.Errorf(core.CodeNotFound, "image %s is not present on the daemon and the pull policy is never", img)
			}
			return unavailable(fmt.Errorf("inspect image %s: %w", img, err))
		}
		return nil
	default:
		return core.Errorf(core.CodeInvalid, "image %s: unknown pull policy %q (always, if-not-exists, never)", img, policy)
	}
	var auths []authEntry
	if st != nil {
		auths = st.auths
	}
	rc, err := e.cli.ImagePull(ctx, img, image.PullOptions{RegistryAuth: registryAuth(auths, img)})
	if err != nil {
		return pullError(img, err)
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	for {
		var msg struct {
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&msg); err == io.EOF {
			return nil
		} else if err != nil {
			return pullError(img, err)
		}
		if msg.Error != "" || msg.ErrorDetail.Message != "" {
			reason := msg.ErrorDetail.Message
			if reason == "" {
				reason = msg.Error
			}
			return core.Errorf(core.CodeUnavailable, "pull image %s: %s", img, reason)
		}
	}
}

func pullError(img string, err error) error {
	code := core.CodeUnavailable
	switch {
	case cerrdefs.IsNotFound(err):
		code = core.CodeNotFound
	case cerrdefs.IsUnauthorized(err), cerrdefs.IsPermissionDenied(err):
		code = core.CodeForbidden
	case cerrdefs.IsInvalidArgument(err):
		code = core.CodeInvalid
	}
	return core.Errorf(code, "pull image %s: %w", img, err)
}
