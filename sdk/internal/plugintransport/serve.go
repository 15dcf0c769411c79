package plugintransport

import (
	"log/slog"
	"os"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// Serve runs the plugin process: it sets the default slog logger to write
// hclog-style JSON lines to stderr (which the host forwards into its own
// log, tagged with the instance name) and serves the kind's services until
// the host closes the connection.
func Serve(kind string, register func(*grpc.Server)) {
	slog.SetDefault(slog.New(NewLogHandler(os.Stderr, slog.LevelDebug)))
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         plugin.PluginSet{kind: &GRPCPlugin{Register: register}},
		GRPCServer:      NewGRPCServer,
		Logger: hclog.New(&hclog.LoggerOptions{
			Output: os.Stderr, JSONFormat: true, Level: hclog.Info,
		}),
	})
}

// NewGRPCServer is the gRPC server of a plugin process.
func NewGRPCServer(opts []grpc.ServerOption) *grpc.Server {
	opts = append(opts, grpc.MaxRecvMsgSize(MaxMessage), grpc.MaxSendMsgSize(MaxMessage))
	return grpc.NewServer(opts...)
}

// NewLogHandler returns a slog handler writing the JSON lines go-plugin's
// host parses: @level, @message and the attributes.
func NewLogHandler(w *os.File, level slog.Leveler) slog.Handler {
	return slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case slog.TimeKey:
				// The layout go-plugin's host parses.
				return slog.String("@timestamp", a.Value.Time().Format("2006-01-02T15:04:05.000000Z07:00"))
			case slog.LevelKey:
				return slog.String("@level", strings.ToLower(a.Value.String()))
			case slog.MessageKey:
				return slog.String("@message", a.Value.String())
			}
			return a
		},
	})
}
