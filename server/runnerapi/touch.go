package runnerapi

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"
)

// touch records the runner's last contact, at most every TouchEvery
// unless force. A forced contact (a heartbeat) is written at once; the
// others are written together TouchEvery later by one goroutine, so a
// long-poll's handler stays shallow while it waits (its goroutine's stack
// is what a thousand idle runners cost) and idle runners' contacts cost
// one writer, not a write per call.
func (s *Server) touch(c *gin.Context, id int64, force bool) {
	now := time.Now()
	s.mu.Lock()
	due := force || now.Sub(s.touched[id]) >= s.o.TouchEvery
	if due {
		s.touched[id] = now
	}
	scheduled := len(s.due) > 0
	if due && !force {
		if s.due == nil {
			s.due = map[int64]time.Time{}
		}
		s.due[id] = now
	}
	s.mu.Unlock()
	switch {
	case due && force:
		s.writeContact(c.Request.Context(), id, now)
	case due && !scheduled:
		time.AfterFunc(s.o.TouchEvery, s.flushContacts)
	}
}

// flushContacts writes the contacts touch deferred.
func (s *Server) flushContacts() {
	s.mu.Lock()
	due := s.due
	s.due = nil
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for id, at := range due {
		s.writeContact(ctx, id, at)
	}
}

func (s *Server) writeContact(ctx context.Context, id int64, at time.Time) {
	if err := s.o.Store.Runners().Touch(ctx, id, at); err != nil {
		s.log.Warn("record runner contact", "runner", id, "err", err)
	}
}
