//go:build duckdb_arrow

package main

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
)

// TestMain lets a test run the command as a process of its own: with
// ZOOMSYNC_TEST_MAIN=1 the test binary is zoomsync (runMain with its
// arguments), so a test can send it a signal.
func TestMain(m *testing.M) {
	if os.Getenv("ZOOMSYNC_TEST_MAIN") == "1" {
		os.Exit(runMain())
	}
	os.Exit(m.Run())
}

// TestExtract_interruptedBySignal sends SIGINT, then SIGTERM, to a zoomsync
// extract in the middle of its Zoom calls (the simulator at Pro limits): it
// exits 130 / 143 with one line naming the signal, the run is recorded as
// interrupted, and the cursors of what it fetched are kept, so the next run
// makes fewer calls than a first run.
func TestExtract_interruptedBySignal(t *testing.T) {
	acct := zoomtest.DemoAccount(1)
	minimum := zoomtest.MinCalls(acct) + zoomtest.EngagementCalls(acct) // a first run's calls
	for _, sig := range []struct {
		signal syscall.Signal
		name   string
		code   int
	}{{syscall.SIGINT, "SIGINT", 130}, {syscall.SIGTERM, "SIGTERM", 143}} {
		t.Run(sig.name, func(t *testing.T) {
			zs := zoomtest.NewServer(zoomtest.DemoAccount(1), zoomtest.WithPlan("pro"))
			defer zs.Close()
			dir := filepath.Join(t.TempDir(), "lake")
			t.Setenv("ZOOM_API_URL", zs.APIURL())
			t.Setenv("ZOOM_OAUTH_URL", zs.OAuthURL())
			t.Setenv("ZOOM_ACCOUNT_ID", "demo-account")
			t.Setenv("ZOOM_CLIENT_ID", "demo-client")
			t.Setenv("ZOOM_CLIENT_SECRET", "demo-secret")
			cmd := exec.Command(os.Args[0], "--data-dir", dir, "extract", "--zoom-plan", "pro")
			cmd.Env = append(os.Environ(), "ZOOMSYNC_TEST_MAIN=1")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for zs.Stats().Total < 60 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if n := zs.Stats().Total; n < 60 || n >= minimum {
				cmd.Process.Kill()
				t.Fatalf("%d Zoom calls before the signal, want the extract midway (minimum %d)", n, minimum)
			}
			if err := cmd.Process.Signal(sig.signal); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != sig.code {
				t.Fatalf("exit %d (%v), want %d\nstderr:\n%s", code, err, sig.code, stderr.String())
			}
			msg := strings.TrimRight(stderr.String(), "\n")
			if strings.Contains(msg, "\n") || !strings.Contains(msg, "interrupted by "+sig.name) || strings.Contains(msg, "context canceled") {
				t.Errorf("stderr %q, want one line naming %s, without \"context canceled\"", stderr.String(), sig.name)
			}
			if !strings.Contains(stdout.String(), "(extract): interrupted") || strings.Contains(stdout.String(), "context canceled") {
				t.Errorf("stdout:\n%s\nwant the run summary with status interrupted", stdout.String())
			}

			db, err := sql.Open("duckdb", filepath.Join(dir, "zoomsync.duckdb")+"?access_mode=READ_ONLY")
			if err != nil {
				t.Fatal(err)
			}
			var kind, status string
			err = db.QueryRow("SELECT kind, status FROM runs").Scan(&kind, &status)
			db.Close()
			if err != nil || kind != "extract" || status != "interrupted" {
				t.Fatalf("runs: %q %q, %v; want one extract run, interrupted", kind, status, err)
			}

			// The next run resumes: the cursors of the stages fetched
			// before the signal were saved.
			before := zs.Stats().Total
			if out, err := run(t, "--data-dir", dir, "extract", "--zoom-plan", "pro"); err != nil {
				t.Fatalf("extract after the interrupt: %v\n%s", err, out)
			}
			again := zs.Stats().Total - before
			t.Logf("%d Zoom calls before the signal; %d in the next run; %d in a first run", before, again, minimum)
			if again >= minimum {
				t.Errorf("the run after the interrupt made %d Zoom calls, a first run %d: nothing fetched before the signal was kept", again, minimum)
			}
		})
	}
}
