//go:build duckdb_arrow

package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestExitCodes_usageErrors: every usage error exits 2 with a one-line
// message and a hint on standard error, and nothing (no help text) on
// standard output.
func TestExitCodes_usageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string // in the message
		hint string // the command the hint names
	}{
		{"unknown command", nil, []string{"nope"}, `unknown command "nope"`, "zoomsync --help"},
		{"unknown help topic", nil, []string{"help", "nope"}, "No help topic for 'nope'", "zoomsync --help"},
		{"unknown subcommand", nil, []string{"config", "nope"}, `config: unknown command "nope"`, "zoomsync config --help"},
		{"unknown global flag", nil, []string{"--nope", "sync"}, "flag provided but not defined: -nope", "zoomsync --help"},
		{"unknown flag", nil, []string{"sync", "--nope"}, "flag provided but not defined: -nope", "zoomsync sync --help"},
		{"missing required flag", nil, []string{"backfill"}, "--from is required", "zoomsync backfill --help"},
		{"missing required flag of forget", nil, []string{"forget"}, "--email is required", "zoomsync forget --help"},
		{"bad date", nil, []string{"backfill", "--from", "2026-13-01"}, `--from "2026-13-01": want a date, YYYY-MM-DD (UTC)`, "zoomsync backfill --help"},
		{"bad seed", nil, []string{"demo", "--seed", "x"}, `invalid value "x" for flag -seed`, "zoomsync demo --help"},
		{"bad concurrency", nil, []string{"sync", "--concurrency", "-3"}, "--concurrency -3: want 1 or more", "zoomsync sync --help"},
		{"bad concurrency from the environment", map[string]string{"ZOOMSYNC_CONCURRENCY": "0"}, []string{"extract"}, "--concurrency 0", "zoomsync extract --help"},
		{"bad log level", nil, []string{"--log-level", "loud", "transform"}, `--log-level "loud"`, "zoomsync transform --help"},
		{"bad plan", nil, []string{"sync", "--zoom-plan", "gold"}, `zoom plan "gold": want pro, business or free`, "config validate"},
		{"bad tier", map[string]string{"HUBSPOT_TIER": "platinum"}, []string{"load"}, `hubspot tier "platinum"`, "config validate"},
		{"bad URL", map[string]string{"ZOOM_API_URL": "not-a-url"}, []string{"sync"}, `ZOOM_API_URL="not-a-url": want an absolute http(s) URL`, "config validate"},
		{"bad config format", nil, []string{"config", "show", "--format", "xml"}, `--format "xml": want table or json`, "zoomsync config show --help"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			t.Setenv("ZOOM_ACCOUNT_ID", "a")
			t.Setenv("ZOOM_CLIENT_ID", "b")
			t.Setenv("ZOOM_CLIENT_SECRET", "c")
			t.Setenv("HUBSPOT_TOKEN", "d")
			args := append([]string{"--data-dir", t.TempDir()}, tc.args...)
			out, err := run(t, args...)
			if code := exitCode(err); code != 2 {
				t.Fatalf("%v: exit %d (%v), want 2", tc.args, code, err)
			}
			if out != "" {
				t.Errorf("%v printed on standard output:\n%s", tc.args, out)
			}
			var stderr bytes.Buffer
			reportError(&stderr, newApp(), args, err)
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if len(lines) != 2 || !strings.Contains(lines[0], tc.want) || !strings.Contains(lines[1], tc.hint) {
				t.Errorf("%v: standard error %q, want one line with %q and a hint naming %q", tc.args, stderr.String(), tc.want, tc.hint)
			}
		})
	}
}

// TestVersion: --version and version print the version, the commit and
// DuckDB's version, and exit 0.
func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, err := run(t, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if !regexp.MustCompile(`^zoomsync \S+\ncommit \S+\nduckdb v\d+\.\d+\.\d+\S*\n$`).MatchString(out) {
			t.Errorf("%v printed %q", args, out)
		}
	}
}

// TestExitCodes_usageErrorAsJSON: under --log-format json (flag or
// environment) a usage error is one JSON record on standard error, with the
// error, the hint and the exit code, even when the flags could not be
// parsed.
func TestExitCodes_usageErrorAsJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  string
		args []string
	}{
		{"flag", "", []string{"--log-format", "json", "sync", "--nope"}},
		{"flag with =", "", []string{"--log-format=json", "nope"}},
		{"environment", "json", []string{"backfill"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("ZOOMSYNC_LOG_FORMAT", tc.env)
			args := append([]string{"--data-dir", t.TempDir()}, tc.args...)
			_, err := run(t, args...)
			if code := exitCode(err); code != 2 {
				t.Fatalf("%v: exit %d (%v), want 2", tc.args, code, err)
			}
			var stderr bytes.Buffer
			reportError(&stderr, newApp(), args, err)
			var rec struct {
				Level, Msg, Error, Hint string
				ExitCode                int `json:"exit_code"`
			}
			if jerr := json.Unmarshal(stderr.Bytes(), &rec); jerr != nil || strings.Count(stderr.String(), "\n") != 1 {
				t.Fatalf("%v: standard error %q is not one JSON record (%v)", tc.args, stderr.String(), jerr)
			}
			if rec.Level != "ERROR" || rec.Error != err.Error() || rec.ExitCode != 2 || !strings.Contains(rec.Hint, "--help") {
				t.Errorf("%v: record %+v", tc.args, rec)
			}
		})
	}
}
