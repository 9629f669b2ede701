package zoomtest

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Rate-limit categories (labels) of Zoom endpoints.
const (
	Light             = "Light"
	Medium            = "Medium"
	Heavy             = "Heavy"
	ResourceIntensive = "Resource-intensive"
)

// bucket is a token bucket refilled continuously at rate tokens per second.
type bucket struct {
	limit  int     // quota shown in X-RateLimit-Limit (per second, or per minute for Resource-intensive)
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func (b *bucket) allow(now time.Time) bool {
	if b.last.IsZero() {
		b.tokens = b.burst
	} else {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// dailyPool counts requests per UTC day; Heavy and Resource-intensive share one on paid plans.
type dailyPool struct {
	limit, used int
	day         time.Time
}

func (p *dailyPool) roll(now time.Time) {
	if d := now.UTC().Truncate(24 * time.Hour); !d.Equal(p.day) {
		p.day, p.used = d, 0
	}
}

// limiter enforces Zoom's per-account limits of one plan. A nil limiter limits nothing.
type limiter struct {
	mu    sync.Mutex
	qps   map[string]*bucket
	daily map[string]*dailyPool
}

// newLimiter returns the preset of shared/reference/zoom-api.md §4 for plan, nil for "unlimited".
func newLimiter(plan string) *limiter {
	perSec := func(n int) *bucket { return &bucket{limit: n, rate: float64(n), burst: float64(n)} }
	perMin := func(n int) *bucket { return &bucket{limit: n, rate: float64(n) / 60, burst: float64(n)} }
	l := &limiter{daily: map[string]*dailyPool{}}
	switch plan {
	case "unlimited":
		return nil
	case "business", "business+", "education", "enterprise", "partner":
		l.qps = map[string]*bucket{Light: perSec(80), Medium: perSec(60), Heavy: perSec(40), ResourceIntensive: perMin(20)}
		shared := &dailyPool{limit: 60000}
		l.daily[Heavy], l.daily[ResourceIntensive] = shared, shared
	case "free":
		l.qps = map[string]*bucket{Light: perSec(4), Medium: perSec(2), Heavy: perSec(1), ResourceIntensive: perMin(10)}
		l.daily[Light] = &dailyPool{limit: 6000}
		l.daily[Medium] = &dailyPool{limit: 2000}
		l.daily[Heavy] = &dailyPool{limit: 1000}
		l.daily[ResourceIntensive] = &dailyPool{limit: 30000}
	default: // pro
		l.qps = map[string]*bucket{Light: perSec(30), Medium: perSec(20), Heavy: perSec(10), ResourceIntensive: perMin(10)}
		shared := &dailyPool{limit: 30000}
		l.daily[Heavy], l.daily[ResourceIntensive] = shared, shared
	}
	return l
}

// allow takes one request of label from the buckets. On success it sets the daily headers
// (for labels with a daily quota) and returns true; otherwise it writes the 429 and returns false.
func (l *limiter) allow(w http.ResponseWriter, label string, now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	pool := l.daily[label]
	if pool != nil {
		pool.roll(now)
		if pool.used >= pool.limit {
			l.mu.Unlock()
			l.write429(w, label, "Daily-limit", now)
			return false
		}
	}
	if b := l.qps[label]; b != nil && !b.allow(now) {
		l.mu.Unlock()
		l.write429(w, label, "QPS", now)
		return false
	}
	if pool != nil {
		pool.used++
		h := w.Header()
		h.Set("X-RateLimit-Category", label)
		h.Set("X-RateLimit-Type", "Daily-limit")
		h.Set("X-RateLimit-Limit", strconv.Itoa(pool.limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(pool.limit-pool.used))
	}
	l.mu.Unlock()
	return true
}

// fallbackDaily are the quotas shown by a forced Daily-limit 429 for a category that has no
// daily quota on the plan (Free-plan numbers).
var fallbackDaily = map[string]int{Light: 6000, Medium: 2000, Heavy: 30000, ResourceIntensive: 30000}

// fallbackQPS are the quotas shown by a forced QPS 429 when limiting is off (Pro numbers).
var fallbackQPS = map[string]int{Light: 30, Medium: 20, Heavy: 10, ResourceIntensive: 10}

// write429 writes Zoom's 429 for typ "QPS" or "Daily-limit" with the headers of §4:
// X-RateLimit-Category/Type/Limit/Remaining, and Retry-After (next 00:00 UTC) for daily.
func (l *limiter) write429(w http.ResponseWriter, label, typ string, now time.Time) {
	limit := 0
	if typ == "QPS" {
		limit = fallbackQPS[label]
		if l != nil {
			l.mu.Lock()
			if b := l.qps[label]; b != nil {
				limit = b.limit
			}
			l.mu.Unlock()
		}
	} else {
		limit = fallbackDaily[label]
		if l != nil {
			l.mu.Lock()
			if p := l.daily[label]; p != nil {
				limit = p.limit
			}
			l.mu.Unlock()
		}
	}
	h := w.Header()
	h.Set("X-RateLimit-Category", label)
	h.Set("X-RateLimit-Type", typ)
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", "0")
	msg := "You have reached the maximum per-second rate limit for this API. Try again later."
	if typ == "Daily-limit" {
		h.Set("Retry-After", now.UTC().Truncate(24*time.Hour).Add(24*time.Hour).Format(time.RFC3339))
		msg = "You have reached the maximum daily rate limit for this API. Refer to the response header for details on when you can make another request."
	}
	writeJSON(w, http.StatusTooManyRequests, errorBody{Code: 429, Message: msg})
}
