package zoomtest

import (
	"context"
	"net/http"
	"time"
)

// activity counts what tests wait for, so that they wait on the server and never on the
// clock: the requests being served and the requests that have stalled so far.
type activity struct {
	inflight int
	stalls   int           // requests that entered a stall (FaultLatency), in all
	changed  chan struct{} // closed and replaced whenever a count changes
}

func (s *Server) changedLocked() {
	close(s.act.changed)
	s.act.changed = make(chan struct{})
}

func (s *Server) begin() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.act.inflight++
	s.changedLocked()
}

func (s *Server) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.act.inflight--
	s.changedLocked()
}

// waitFor blocks until cond, read under s.mu, holds or ctx ends.
func (s *Server) waitFor(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok, ch := cond(), s.act.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitIdle blocks until no request is being served (its stats are then counted), or ctx
// ends.
func (s *Server) WaitIdle(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return s.act.inflight == 0 })
}

// WaitStalled blocks until n requests in all have stalled (a FaultLatency fault holds them),
// or ctx ends: a test that needs a request to hang waits for it here, not on the clock.
func (s *Server) WaitStalled(ctx context.Context, n int) error {
	return s.waitFor(ctx, func() bool { return s.act.stalls >= n })
}

// stall holds r for d and reports whether it may go on: false when the client went away
// or the server is closing.
func (s *Server) stall(r *http.Request, d time.Duration) bool {
	s.mu.Lock()
	s.act.stalls++
	s.changedLocked()
	s.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.closing:
	}
	return false
}
