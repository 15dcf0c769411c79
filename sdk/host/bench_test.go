package host

import (
	"context"
	"io"
	"os/exec"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/internal/testenv"
	"github.com/drover-ci/drover/sdk/engine/enginetest"
	"github.com/drover-ci/drover/sdk/internal/plugintransport"
	"github.com/drover-ci/drover/sdk/proto/pluginpb"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

const (
	benchCalls  = 3000     // unary round trips per variant
	benchStream = 64 << 20 // bytes streamed per variant
)

// bareClient launches the bare go-plugin gRPC service (no SDK) and returns
// its raw generated client.
func bareClient(b *testing.B, path string) pluginpb.EngineClient {
	c := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  plugintransport.Handshake,
		Plugins:          plugin.PluginSet{plugintransport.KindEngine: &plugintransport.GRPCPlugin{}},
		Cmd:              exec.Command(path),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           newHCLog(testLogger(io.Discard)),
	})
	b.Cleanup(c.Kill)
	rpc, err := c.Client()
	if err != nil {
		b.Fatal(err)
	}
	raw, err := rpc.Dispense(plugintransport.KindEngine)
	if err != nil {
		b.Fatal(err)
	}
	return pluginpb.NewEngineClient(raw.(*grpc.ClientConn))
}

// medians runs each call n times, interleaved so that load from elsewhere
// hits every variant alike (after a warm-up), and returns each median in µs.
func medians(b *testing.B, n int, calls ...func() error) []float64 {
	d := make([][]time.Duration, len(calls))
	for i := -200; i < n; i++ {
		for j, call := range calls {
			start := time.Now()
			if err := call(); err != nil {
				b.Fatal(err)
			}
			if i >= 0 {
				d[j] = append(d[j], time.Since(start))
			}
		}
	}
	out := make([]float64, len(calls))
	for j := range d {
		sort.Slice(d[j], func(x, y int) bool { return d[j][x] < d[j][y] })
		out[j] = float64(d[j][n/2].Nanoseconds()) / 1e3
	}
	return out
}

// throughputs streams size bytes through each opener in turn, nine
// rounds interleaved so that load from elsewhere hits both alike, and
// returns the best MB/s of each.
func throughputs(b *testing.B, size int64, opens ...func() (io.ReadCloser, error)) []float64 {
	best := make([]float64, len(opens))
	buf := make([]byte, plugintransport.ChunkSize)
	for round := 0; round < 9; round++ {
		for i, open := range opens {
			start := time.Now()
			rc, err := open()
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.CopyBuffer(io.Discard, rc, buf)
			rc.Close()
			if err != nil || n != size {
				b.Fatalf("streamed %d of %d bytes: %v", n, size, err)
			}
			if mbps := float64(size) / 1e6 / time.Since(start).Seconds(); mbps > best[i] {
				best[i] = mbps
			}
		}
	}
	return best
}

// bareTail adapts the bare service's stream to a reader.
type bareTail struct {
	s   grpc.ServerStreamingClient[pluginpb.Chunk]
	buf []byte
}

func (r *bareTail) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		c, err := r.s.Recv()
		if err != nil {
			return 0, err
		}
		r.buf = c.Data
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (r *bareTail) Close() error { return nil }

// BenchmarkPluginRPC measures, in one run, a unary call (Wait) and log
// streaming (Tail, 32 KiB chunks) through the SDK behind the host, through
// a bare go-plugin gRPC service, and the unary call in process.
func BenchmarkPluginRPC(b *testing.B) {
	dir := pluginDir(b, "drover-engine-bench", "drover-engine-bare")
	opts := fastOptions(dir, testLogger(io.Discard))
	opts.Instances = []Instance{{Kind: KindEngine, Name: "bench", Plugin: "drover-engine-bench"}}
	h, err := startHost(b, opts)
	if err != nil {
		b.Fatal(err)
	}
	sdk, _ := h.Engine("bench")
	bare := bareClient(b, dir+"/drover-engine-bare")
	inproc := core.Engine(&inProcessBench{Fake: enginetest.NewFake()})
	ctx := context.Background()
	step := "stream-" + strconv.Itoa(benchStream)

	rtt := medians(b, benchCalls,
		func() error { _, err := sdk.Wait(ctx, "bench", "s"); return err },
		func() error {
			_, err := bare.Wait(ctx, &pluginpb.StepRequest{StageId: "bench", Step: "s"})
			return err
		},
		func() error { _, err := inproc.Wait(ctx, "bench", "s"); return err })
	mb := throughputs(b, benchStream,
		func() (io.ReadCloser, error) { return sdk.Tail(ctx, "bench", step) },
		func() (io.ReadCloser, error) {
			s, err := bare.Tail(ctx, &pluginpb.StepRequest{StageId: "bench", Step: step})
			return &bareTail{s: s}, err
		})
	testenv.Bench(b, "plugin_unary_rtt_p50_sdk_us", rtt[0], "us")
	testenv.Bench(b, "plugin_unary_rtt_p50_bare_us", rtt[1], "us")
	testenv.Bench(b, "plugin_unary_rtt_p50_inprocess_us", rtt[2], "us")
	testenv.Bench(b, "plugin_log_stream_sdk_mbps", mb[0], "MB/s")
	testenv.Bench(b, "plugin_log_stream_bare_mbps", mb[1], "MB/s")
}

// inProcessBench answers Wait of stage "bench" at once, like the plugin.
type inProcessBench struct{ *enginetest.Fake }

func (e *inProcessBench) Wait(ctx context.Context, stageID, step string) (*core.StepState, error) {
	if stageID == "bench" {
		return &core.StepState{}, nil
	}
	return e.Fake.Wait(ctx, stageID, step)
}
