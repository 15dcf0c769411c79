package queue_test

import (
	"testing"

	"github.com/drover-ci/drover/core"
	"github.com/drover-ci/drover/server/store/queue/queuetest"
	"github.com/drover-ci/drover/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// The queue passes the conformance suite on every database this machine
// has (Postgres with DROVER_TEST_DATABASE_URL).
func TestQueueConformance(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			queuetest.Run(t, func(t testing.TB) core.Store { return b.Open(t) })
		})
	}
}
