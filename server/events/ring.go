package events

// ring keeps the last events, oldest first, for clients that resume.
type ring struct {
	buf  []*Event
	next int // where the next event goes
	full bool
}

func newRing(n int) *ring { return &ring{buf: make([]*Event, n)} }

func (r *ring) add(e *Event) {
	r.buf[r.next] = e
	r.next = (r.next + 1) % len(r.buf)
	if r.next == 0 {
		r.full = true
	}
}

func (r *ring) reset() {
	clear(r.buf)
	r.next, r.full = 0, false
}

// after returns the events kept after the one with id, oldest first, and
// whether that one is still kept.
func (r *ring) after(id string) ([]*Event, bool) {
	n := r.next
	if r.full {
		n = len(r.buf)
	}
	for i := 0; i < n; i++ {
		// i-th newest
		j := (r.next - 1 - i + len(r.buf)) % len(r.buf)
		if r.buf[j].ID == id {
			out := make([]*Event, 0, i)
			for k := i - 1; k >= 0; k-- {
				out = append(out, r.buf[(r.next-1-k+len(r.buf))%len(r.buf)])
			}
			return out, true
		}
	}
	return nil, false
}
