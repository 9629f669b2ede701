package hubspot

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// burstWindow is HubSpot's rolling burst window (reference §3,
// X-HubSpot-RateLimit-Interval-Milliseconds: 10000).
const burstWindow = 10 * time.Second

// maxInFlight bounds InFlight: beyond it more requests in flight would only
// wait on the limiter.
const maxInFlight = 16

// windowLimiter holds a client to at most quota requests in any rolling
// burst window, at 100 % of the quota. HubSpot counts a request when it
// arrives, which is some time after it was sent; so the limiter counts each
// request from when it is sent until one window after its answer came back
// (the arrival lies between the two): whatever the latency and its jitter,
// the requests the limiter counts in any window are at least those HubSpot
// counts, and no 429 comes from this client's own pace. The price is one
// round trip per window (at 150 ms, 190 requests per 10.15 s: 98.5 %).
//
// A 429 of the burst policy means something else spends the same quota
// (another app, another run): the limiter lowers its cap by a tenth, and
// raises it back by a tenth for each window without a 429. The quota
// follows X-HubSpot-RateLimit-Max when HubSpot sends it (an API Limit
// Increase pack, a tier other than the configured one).
//
// It also measures the round trip of the requests (an exponentially
// weighted mean), from which InFlight sizes how many writes a load keeps
// in flight.
type windowLimiter struct {
	window time.Duration

	mu      sync.Mutex
	quota   int         // requests per window; 0: no limit, only the round trips are measured
	cap     int         // ≤ quota: lowered after a 429
	open    int         // sent, not answered
	ends    []time.Time // answer times of the last window, ascending
	wake    chan struct{}
	last429 time.Time // or the last time the cap was raised
	rtt     time.Duration
}

func newWindowLimiter(quota int, window time.Duration) *windowLimiter {
	return &windowLimiter{window: window, quota: quota, cap: quota, wake: make(chan struct{})}
}

// take counts a request sent at now when the window has room. When it has
// none it returns how long to wait at most before trying again (an answer
// coming back wakes the waiters earlier).
func (l *windowLimiter) take(now time.Time) (ok bool, wait time.Duration, wake <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.quota <= 0 {
		l.open++
		return true, 0, nil
	}
	l.prune(now)
	if l.cap < l.quota && now.Sub(l.last429) >= l.window {
		l.cap, l.last429 = min(l.quota, l.cap+max(l.quota/10, 1)), now
	}
	if l.open+len(l.ends) < l.cap {
		l.open++
		return true, 0, nil
	}
	wait = l.window // only requests in flight: one of them wakes us
	if len(l.ends) > 0 {
		wait = l.ends[0].Add(l.window).Sub(now)
	}
	return false, max(wait, time.Millisecond), l.wake
}

// prune drops the answers older than a window.
func (l *windowLimiter) prune(now time.Time) {
	cut := 0
	for cut < len(l.ends) && now.Sub(l.ends[cut]) >= l.window {
		cut++
	}
	if cut > 0 {
		l.ends = append(l.ends[:0], l.ends[cut:]...)
	}
}

// done records the answer at now of a request taken at sent (measured
// says whether its round trip counts: a transport error's does not).
func (l *windowLimiter) done(sent, now time.Time, measured bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.quota > 0 {
		// Kept ascending: answers recorded by other goroutines may
		// carry a time a little after this one.
		i := len(l.ends)
		for i > 0 && l.ends[i-1].After(now) {
			i--
		}
		l.ends = slices.Insert(l.ends, i, now)
	}
	if measured {
		d := now.Sub(sent)
		if l.rtt == 0 {
			l.rtt = d
		} else {
			l.rtt = (7*l.rtt + d) / 8
		}
	}
	close(l.wake)
	l.wake = make(chan struct{})
}

// backoff lowers the cap after a burst 429 answered at now.
func (l *windowLimiter) backoff(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.quota > 0 {
		l.cap, l.last429 = max(l.cap-max(l.quota/10, 1), 1), now
	}
}

// learn adopts the burst quota HubSpot announced (X-HubSpot-RateLimit-Max)
// when the limiter has one.
func (l *windowLimiter) learn(quota int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.quota > 0 && quota > 0 && quota != l.quota {
		l.cap = max(1, l.cap*quota/l.quota)
		l.quota = quota
	}
}

// wait blocks until a request may be sent, and returns when it was taken.
func (l *windowLimiter) wait(ctx context.Context) (time.Time, error) {
	for {
		now := time.Now()
		ok, d, wake := l.take(now)
		if ok {
			return now, nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return now, ctx.Err()
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// inFlight is how many requests keep the quota busy. While the window has
// room (slots not held by answers of the last window), as many as it has,
// up to maxInFlight: they all go at once, and the sooner the first answers
// come back, the sooner their slots free a window later. Once the window
// is spent, Little's law on the whole cycle of a request: the rate the
// quota allows × (the measured round trip + extra, the caller's own time
// per request, such as recording its answer), plus one for the time
// between two requests of a load. One before any answer; without a quota,
// four.
func (l *windowLimiter) inFlight(now time.Time, extra time.Duration) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.quota <= 0 {
		return 4
	}
	if l.rtt == 0 {
		return 1 // no answer yet: the first one says whether the token works
	}
	l.prune(now)
	perSecond := float64(l.cap) / l.window.Seconds()
	little := int(math.Ceil(perSecond*(l.rtt+max(extra, 0)).Seconds())) + 1
	room := l.cap - len(l.ends)
	return min(maxInFlight, max(1, little, room))
}
