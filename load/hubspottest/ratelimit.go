package hubspottest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// burstWindow is HubSpot's rolling burst window (X-HubSpot-RateLimit-Interval-Milliseconds).
const burstWindow = 10 * time.Second

// rateState holds the rolling burst windows (per token, standing in for the
// app) and the daily counter (per account). Guarded by Server.mu.
type rateState struct {
	burst    map[string][]time.Time // accepted request times in the last window
	day      string                 // UTC date of the daily counter
	dayCount int
}

// checkRate counts c against the limits and sets the rate-limit headers. It
// answers 429 and returns false when a limit is exhausted; rejected requests
// are not counted.
func (s *Server) checkRate(c *call) bool {
	if s.cfg.burst == 0 && s.cfg.daily == 0 {
		return true
	}
	now := s.cfg.now()
	s.mu.Lock()
	day := now.UTC().Format(time.DateOnly)
	if s.limits.day != day {
		s.limits.day, s.limits.dayCount = day, 0
	}
	window := s.limits.burst[c.token]
	cut := 0
	for cut < len(window) && now.Sub(window[cut]) >= burstWindow {
		cut++
	}
	window = window[cut:]
	policy := ""
	switch {
	case s.cfg.daily > 0 && s.limits.dayCount >= s.cfg.daily:
		policy = "DAILY"
	case s.cfg.burst > 0 && len(window) >= s.cfg.burst:
		policy = "TEN_SECONDLY_ROLLING"
	default:
		window = append(window, now)
		s.limits.dayCount++
	}
	s.limits.burst[c.token] = window
	lastSecond := 0
	for _, t := range window {
		if now.Sub(t) < time.Second {
			lastSecond++
		}
	}
	dayCount, inWindow := s.limits.dayCount, len(window)
	s.mu.Unlock()

	h := c.w.Header()
	if s.cfg.daily > 0 {
		h.Set("X-HubSpot-RateLimit-Daily", strconv.Itoa(s.cfg.daily))
		h.Set("X-HubSpot-RateLimit-Daily-Remaining", strconv.Itoa(max(0, s.cfg.daily-dayCount)))
	}
	if s.cfg.burst > 0 {
		secondly := max(1, s.cfg.burst/10)
		h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.Itoa(int(burstWindow/time.Millisecond)))
		h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(s.cfg.burst))
		h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(max(0, s.cfg.burst-inWindow)))
		h.Set("X-HubSpot-RateLimit-Secondly", strconv.Itoa(secondly))
		h.Set("X-HubSpot-RateLimit-Secondly-Remaining", strconv.Itoa(max(0, secondly-lastSecond)))
	}
	if policy != "" {
		s.writeRateLimited(c, policy)
		return false
	}
	return true
}

// writeRateLimited answers 429 with the body of reference §3.
func (s *Server) writeRateLimited(c *call, policy string) {
	s.writeError(c, http.StatusTooManyRequests, "RATE_LIMITS",
		"You have reached your "+strings.ToLower(policy)+" limit.", func(b *errorBody) {
			b.ErrorType = "RATE_LIMIT"
			b.PolicyName = policy
			b.RequestID = newUUID()
		})
}
