package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the heartbeat's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// reportConcurrently reports like the extraction's workers: from many
// goroutines at once (go test -race checks the hooks).
func reportConcurrently(p *progress, total int) {
	h := p.hooks()
	h.Stage("extract")
	var wg sync.WaitGroup
	for i := 1; i <= total; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.ExtractProgress(i, total)
		}()
	}
	wg.Wait()
}

// TestProgress_heartbeat: without a terminal, a log line per interval
// says the stage, its count, rate and ETA, with the logger's run_id, at
// info level; --log-level warn silences it like any info line.
func TestProgress_heartbeat(t *testing.T) {
	var quiet syncBuffer
	qp := newProgress(&bytes.Buffer{}, false, slog.New(slog.NewJSONHandler(&quiet, &slog.HandlerOptions{Level: slog.LevelWarn})), 5*time.Millisecond)
	reportConcurrently(qp, 4)
	time.Sleep(30 * time.Millisecond)
	qp.Close()
	if quiet.String() != "" {
		t.Errorf("heartbeats at --log-level warn: %q", quiet.String())
	}
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: durationSeconds})).With("run_id", "r1")
	p := newProgress(&bytes.Buffer{}, false, log, 20*time.Millisecond)
	reportConcurrently(p, 40)
	p.Set("webinars", 10, 40) // late: the count only grows
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(logs.String(), "\n") < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	p.Stage("load")
	p.hooks().LoadProgress(250)
	time.Sleep(60 * time.Millisecond)
	p.Close()
	p.Close()
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	var extract, load map[string]any
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("heartbeat %q: %v", l, err)
		}
		if rec["msg"] != "progress" || rec["run_id"] != "r1" || rec["level"] != "INFO" {
			t.Errorf("heartbeat %q: want msg progress, run_id r1, level INFO", l)
		}
		switch rec["stage"] {
		case "extract":
			extract = rec
		case "load":
			load = rec
		}
	}
	if extract == nil || extract["done"] != 40.0 || extract["total"] != 40.0 || extract["unit"] != "webinars" ||
		extract["per_s"] == nil || extract["eta_duration_s"] != 0.0 || extract["duration_s"] == nil {
		t.Errorf("extract heartbeat %v: want 40 of 40 webinars, a rate, eta 0 and the elapsed seconds", extract)
	}
	if load == nil || load["done"] != 250.0 || load["unit"] != "contacts" || load["total"] != nil {
		t.Errorf("load heartbeat %v: want 250 contacts of an unknown total", load)
	}
	n := len(lines)
	time.Sleep(60 * time.Millisecond)
	if got := len(strings.Split(strings.TrimSpace(logs.String()), "\n")); got != n {
		t.Errorf("heartbeats went on after Close: %d lines, then %d", n, got)
	}
}

// TestProgress_bars: on a terminal, each stage draws a bar with its count
// and rate, and no heartbeat is logged.
func TestProgress_bars(t *testing.T) {
	var out, logs syncBuffer
	p := newProgress(&out, true, slog.New(slog.NewTextHandler(&logs, nil)), time.Millisecond)
	reportConcurrently(p, 30)
	time.Sleep(150 * time.Millisecond) // past the bar's throttle
	p.Set("webinars", 30, 30)
	drawn := out.String()
	p.Stage("crm snapshot")
	p.Stage("transform")
	p.Close()
	for _, want := range []string{"extract (webinars)", "30/30", "/s"} {
		if !strings.Contains(drawn, want) {
			t.Errorf("bar lacks %q: %q", want, drawn)
		}
	}
	if !strings.Contains(out.String(), "transform") {
		t.Errorf("no bar for the transform stage: %q", out.String())
	}
	if logs.String() != "" {
		t.Errorf("heartbeat logged with bars drawn: %q", logs.String())
	}
}
