//go:build duckdb_arrow

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/pipelines"
	"github.com/zoomsync/zoomsync/transform"
)

// TestSync_outputJSON: --output json prints one JSON object (snake_case
// names, durations in seconds as duration_s); with --log-format json every
// log line is JSON and carries the run's id, durations are duration_s
// numbers, and the error that ends a run is a JSON record too.
func TestSync_outputJSON(t *testing.T) {
	crashSimEnv(t)
	dir := t.TempDir()
	var out string
	stderr := captureStderr(t, func() {
		var err error
		out, err = run(t, "--data-dir", dir, "--log-format", "json", "--log-level", "debug", "sync", "--output", "json")
		if err != nil {
			t.Errorf("sync: %v", err)
		}
	})
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("--output json printed %d lines, want one:\n%s", strings.Count(out, "\n"), out)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("summary is not JSON: %v\n%s", err, out)
	}
	runID, _ := sum["run_id"].(string)
	if runID == "" || sum["kind"] != "sync" || sum["status"] != "succeeded" || sum["dry_run"] != false {
		t.Errorf("summary: run_id %q kind %v status %v dry_run %v", runID, sum["kind"], sum["status"], sum["dry_run"])
	}
	if d, ok := sum["duration_s"].(float64); !ok || d <= 0 {
		t.Errorf("duration_s = %v, want seconds > 0", sum["duration_s"])
	}
	for _, path := range []string{"extract.webinars", "extract.participants", "extract.transcript_cues", "transform.contacts",
		"transform.audit_by_reason", "transform.duration_s", "load.created", "load.unchanged", "crm.candidates", "activity.marketing_events.created"} {
		var v any = sum
		for _, k := range strings.Split(path, ".") {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		if v == nil {
			t.Errorf("summary lacks %s:\n%s", path, out)
		}
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	durations := 0
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", l)
			continue
		}
		if rec["run_id"] != runID {
			t.Errorf("log line without the run id %s: %q", runID, l)
		}
		for k, v := range rec {
			if k == "elapsed" || k == "wait" || k == "duration" {
				t.Errorf("duration logged as %s: %q", k, l)
			}
			if strings.HasSuffix(k, "duration_s") {
				if _, ok := v.(float64); !ok {
					t.Errorf("%s is not a number of seconds: %q", k, l)
				}
				durations++
			}
		}
	}
	if durations == 0 {
		t.Errorf("no duration_s in %d debug log lines", len(lines))
	}

	// A run that fails: its error is the last log record, as JSON.
	t.Setenv("HUBSPOT_TOKEN", "wrong")
	var err error
	stderr = captureStderr(t, func() {
		_, err = run(t, "--data-dir", dir, "--log-format", "json", "load", "--output", "json")
	})
	if err == nil || !printedByLog(err) || exitCode(err) != 1 {
		t.Fatalf("load with a wrong token: err %v (logged %v, exit %d), want a failure logged as JSON", err, printedByLog(err), exitCode(err))
	}
	lines = strings.Split(strings.TrimSpace(stderr), "\n")
	var last map[string]any
	if json.Unmarshal([]byte(lines[len(lines)-1]), &last) != nil || last["level"] != "ERROR" || last["error"] != err.Error() || last["run_id"] == nil {
		t.Errorf("last log line %q, want the error as a JSON record with run_id", lines[len(lines)-1])
	}
}

// TestWriteRunJSON: names are snake_case, durations seconds, "&" is not
// escaped.
func TestWriteRunJSON(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &pipelines.RunResult{RunID: "r1", Kind: "transform", StartedAt: start, FinishedAt: start.Add(1500 * time.Millisecond),
		Status: pipelines.StatusFailed, Err: errors.New("Q&A <report> missing"),
		Transform: &transform.Result{Contacts: 3, AuditByReason: map[string]int{"guest_no_email": 2}, Duration: 250 * time.Millisecond}}
	var b bytes.Buffer
	if err := writeRunJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{`"run_id":"r1"`, `"duration_s":1.5`, `"error":"Q&A <report> missing"`, `"started_at":"2026-01-02T03:04:05Z"`,
		`"transform":{`, `"contacts":3`, `"audit_by_reason":{"guest_no_email":2}`, `"duration_s":0.25`} {
		if !strings.Contains(got, want) {
			t.Errorf("JSON lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, `\u0026`) {
		t.Errorf("JSON escapes &: %s", got)
	}
	for in, want := range map[string]string{"RunID": "run_id", "CRMSnapshot": "crm_snapshot", "TranscriptCues": "transcript_cues", "Users": "users"} {
		if got := snake(in); got != want {
			t.Errorf("snake(%s) = %s, want %s", in, got, want)
		}
	}
}
