package httpretry

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestTransport_retriesThenSucceeds_replaysBody(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) != "payload" {
			t.Errorf("try %d got body %q, want payload", calls.Load()+1, body)
		}
		if calls.Add(1) < 3 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	var retries int
	c := &http.Client{Transport: &Transport{MinWait: time.Millisecond, MaxRetries: DefaultMaxRetries, OnRetry: func(*http.Request, Decision, time.Duration) { retries++ }}}
	req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL, strings.NewReader("payload"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || calls.Load() != 3 || retries != 2 {
		t.Fatalf("status %d after %d calls and %d retries, want 200 after 3 and 2", resp.StatusCode, calls.Load(), retries)
	}
}

func TestTransport_givesUpAfterMaxRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	c := &http.Client{Transport: &Transport{MinWait: time.Millisecond, MaxRetries: 2}}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || calls.Load() != 3 {
		t.Fatalf("status %d after %d calls, want 502 after 3", resp.StatusCode, calls.Load())
	}
}

func TestTransport_stopsWhenContextEnds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	c := &http.Client{Transport: &Transport{MaxRetries: DefaultMaxRetries}}
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	_, err := c.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2020, 5, 30, 23, 59, 0, 0, time.UTC)
	for _, tc := range []struct {
		have   string
		want   time.Duration
		wantOK bool
	}{
		{"7", 7 * time.Second, true},
		{"2020-05-31T00:00:00Z", time.Minute, true},
		{"Sun, 31 May 2020 00:00:30 GMT", 90 * time.Second, true},
		{"2020-05-30T00:00:00Z", 0, true},
		{"", 0, false},
		{"soon", 0, false},
	} {
		got, ok := ParseRetryAfter(tc.have, now)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.have, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestTransport_zeroMaxRetriesTriesOnce(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := &http.Client{Transport: &Transport{MinWait: time.Millisecond}}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || calls.Load() != 1 {
		t.Fatalf("status %d after %d calls, want 503 after exactly 1 (MaxRetries 0 means no retry)", resp.StatusCode, calls.Load())
	}
}

// TestTransport_retriesLoggedAtWarn: a retry is logged at warn, so that a
// run waiting on an unreachable endpoint says so at the default log level.
func TestTransport_retriesLoggedAtWarn(t *testing.T) {
	var tries int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tries++; tries == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	var logs strings.Builder
	tr := &Transport{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "retrying request") {
		t.Errorf("retry not logged at warn: %q", logs.String())
	}
}
