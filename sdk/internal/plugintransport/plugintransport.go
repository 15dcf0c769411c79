// Package plugintransport is the plugin transport both plugin kinds share: the go-plugin
// handshake, API versions, the Plugin service (Info, Configure) on both
// sides, serving, and option decoding. Only the sdk packages import it.
package plugintransport

import (
	"github.com/hashicorp/go-plugin"
)

// ProtocolVersion is the go-plugin handshake version: it changes only with
// a breaking change of the wire protocol.
const ProtocolVersion = 1

// Handshake is the go-plugin handshake every Drover plugin and host use. A
// binary that is not a Drover plugin fails the magic cookie check.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "DROVER_PLUGIN_MAGIC_COOKIE",
	MagicCookieValue: "6f1c9b2e4d8a4e0fa3c5drover",
}

// The plugin kinds, as go-plugin plugin names and Info kinds.
const (
	KindEngine = "engine"
	KindRemote = "remote"
)

// The API versions of each kind's service this SDK speaks. A plugin lists
// the ones it supports in Info; the host needs its own among them.
const (
	EngineAPI = "engine/v1"
	RemoteAPI = "remote/v1"
)

// ChunkSize is the largest piece of step output one stream message carries.
const ChunkSize = 32 << 10

// MaxMessage is the largest message either side accepts (a spec, a file).
const MaxMessage = 64 << 20

// Info is what a plugin says it is.
type Info struct {
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Version      string   `json:"version"`
	APIVersions  []string `json:"api_versions"`
	Capabilities []string `json:"capabilities,omitempty"`
	OS           string   `json:"os,omitempty"`
	Arch         string   `json:"arch,omitempty"`
}

// Supports reports whether the plugin speaks the API version.
func (i Info) Supports(api string) bool {
	for _, v := range i.APIVersions {
		if v == api {
			return true
		}
	}
	return false
}
