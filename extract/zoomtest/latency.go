package zoomtest

import (
	"hash/fnv"
	"net/http"
	"strconv"
	"time"
)

// latencySeed seeds the latency draws, so that every run repeats them.
const latencySeed = 0x2545f4914f6cdd1d

// WithLatency adds to every request, before it is served, a delay drawn uniformly from
// [mean-jitter, mean+jitter] (never below zero), as a network between client and server
// would: `zoomsync sim zoom --latency 150ms`. The draw is a seeded hash of the request
// (method, path and query without its tokens) and of how many times the same request came
// before, so a run repeats its delays whatever the interleaving of concurrent requests.
// A delay ends early, unanswered, when the client gives up or the server closes.
func WithLatency(mean, jitter time.Duration) Option {
	return func(c *config) { c.latency, c.jitter = mean, jitter }
}

// delay returns the latency of r and counts r for the next draw of the same request.
func (s *Server) delay(r *http.Request) time.Duration {
	if s.cfg.latency <= 0 && s.cfg.jitter <= 0 {
		return 0
	}
	q := r.URL.Query()
	for _, volatile := range []string{"next_page_token", "access_token", "exp", "sig"} {
		q.Del(volatile) // random per run: the occurrence count tells the pages apart
	}
	key := r.Method + " " + r.URL.EscapedPath() + "?" + q.Encode()
	s.mu.Lock()
	n := s.latencySeen[key]
	s.latencySeen[key] = n + 1
	s.mu.Unlock()
	h := fnv.New64a()
	h.Write([]byte(strconv.FormatUint(latencySeed, 16) + "|" + key + "|" + strconv.Itoa(n)))
	u := float64(mix64(h.Sum64())>>11) / (1 << 53) // uniform in [0, 1)
	return max(0, s.cfg.latency+time.Duration((2*u-1)*float64(s.cfg.jitter)))
}

// mix64 is splitmix64's finalizer: FNV's low bits alone are poorly mixed.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
