//go:build duckdb_arrow

package main

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/internal/failpoint"
	"github.com/zoomsync/zoomsync/internal/syncdiff"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// crashPoints are the crash points of the full matrix (name[:n], as
// ZOOMSYNC_CRASH_AT takes them), over extract, the CRM snapshot, transform
// and load; crashSubset is the representative subset run by default.
var (
	crashPoints = []string{
		"extract.after-listing",
		"lake.after-part-rename:3",
		"extract.after-webinar:4",
		"extract.after-files-closed",
		"extract.before-cursor-commit",
		"extract.after-cursor-commit",
		"crm-snapshot.after-write",
		"transform.before-catalog-commit",
		"transform.after-catalog-commit",
		"transform.before-out-rename:2",
		"transform.after-out-rename:1",
		"transform.done",
		"load.after-property-bootstrap",
		"load.after-ack:1",
		"load.before-state-commit:1",
		"load.between-batches:1",
		"load.before-activity",
		"load.after-marketing-events",
		"load.after-ack:4",
		"load.after-attendance",
		"load.after-call-property-bootstrap",
		"load.after-call-association",
		"load.after-calls",
		"run.before-record",
	}
	// crashSubset: a crash between a raw part's rename and its cursor
	// commit, one between the transform's catalog commit and its out
	// files' rename, and one between a CRM acknowledgement and the
	// load-state write.
	crashSubset = []string{
		"lake.after-part-rename:3",
		"transform.after-catalog-commit",
		"load.before-state-commit:2",
	}
)

// crashAccount is a small account, so that a matrix of syncs ends in
// seconds each; its webinars are still the generator's special cases.
func crashAccount() *zoomtest.Account {
	return zoomtest.Generate(zoomtest.GenConfig{Seed: 3, People: 150})
}

// crashSync runs `zoomsync sync` as a process of its own (the test binary,
// see TestMain) against the simulators, with crashAt armed unless empty. It
// returns whether the process died of SIGKILL, its exit code otherwise, and
// its output.
func crashSync(t *testing.T, dir string, zs *zoomtest.Server, hs *hubspottest.Server, crashAt string) (killed bool, code int, out string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "--data-dir", dir, "sync")
	cmd.Env = append(os.Environ(), "ZOOMSYNC_TEST_MAIN=1",
		"ZOOM_API_URL="+zs.APIURL(), "ZOOM_OAUTH_URL="+zs.OAuthURL(), "ZOOM_ACCOUNT_ID=demo-account",
		"ZOOM_CLIENT_ID=demo-client", "ZOOM_CLIENT_SECRET=demo-secret", "ZOOM_PLAN=unlimited",
		"HUBSPOT_API_URL="+hs.URL, "HUBSPOT_TOKEN=demo-token", "HUBSPOT_TIER=unlimited",
		failpoint.EnvVar+"="+crashAt)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		return true, -1, buf.String()
	}
	if err != nil && cmd.ProcessState == nil {
		t.Fatalf("zoomsync sync: %v", err)
	}
	return false, cmd.ProcessState.ExitCode(), buf.String()
}

// crashState is what a sync left: the CRM of the simulator and the out
// tables of the lake.
func crashState(t *testing.T, hs *hubspottest.Server, dir string) (crm, out syncdiff.State) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if out, err = syncdiff.Out(db, dir); err != nil {
		t.Fatal(err)
	}
	return syncdiff.CRM(hs), out
}

// TestSync_crashPoints kills `zoomsync sync` with SIGKILL at crash points
// spread over extract, transform and load (ZOOMSYNC_CRASH_AT), runs it again
// without the crash until it exits 0, and compares the CRM state and the
// out tables with those of a fault-free run: no object missing, none
// doubled, no value different. A representative subset runs by default;
// ZOOMSYNC_CRASH_MATRIX=all runs every point.
func TestSync_crashPoints(t *testing.T) {
	points := crashSubset
	if os.Getenv("ZOOMSYNC_CRASH_MATRIX") == "all" {
		points = crashPoints
	}
	acct := crashAccount()
	refZ := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
	defer refZ.Close()
	refH := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
	defer refH.Close()
	refDir := filepath.Join(t.TempDir(), "ref")
	start := time.Now()
	if killed, code, out := crashSync(t, refDir, refZ, refH, ""); killed || code != 0 {
		t.Fatalf("fault-free sync: killed %v, exit %d\n%s", killed, code, out)
	}
	t.Logf("fault-free sync: %v", time.Since(start).Round(time.Millisecond))
	wantCRM, wantOut := crashState(t, refH, refDir)

	var report []string
	for _, point := range points {
		t.Run(point, func(t *testing.T) {
			zs := zoomtest.NewServer(acct, zoomtest.WithPlan("unlimited"))
			defer zs.Close()
			hs := hubspottest.NewServer(hubspottest.WithTier("unlimited"))
			defer hs.Close()
			dir := filepath.Join(t.TempDir(), "lake")
			start := time.Now()
			killed, code, out := crashSync(t, dir, zs, hs, point)
			if !killed {
				t.Fatalf("the sync never reached %s: exit %d\n%s", point, code, out)
			}
			runs := 1
			for runs < 4 {
				runs++
				if killed, code, out = crashSync(t, dir, zs, hs, ""); code == 0 && !killed {
					break
				}
				t.Logf("run %d after the crash: exit %d\n%s", runs, code, out)
			}
			if code != 0 {
				t.Fatalf("%d runs after the crash at %s, none exited 0", runs-1, point)
			}
			gotCRM, gotOut := crashState(t, hs, dir)
			diffs := 0
			for _, part := range []struct {
				name      string
				want, got syncdiff.State
			}{{"CRM", wantCRM, gotCRM}, {"out tables", wantOut, gotOut}} {
				lines, n := syncdiff.Diff(part.want, part.got, 20)
				diffs += n
				if n > 0 {
					t.Errorf("%s: %d differences from the fault-free run:\n%s", part.name, n, strings.Join(lines, "\n"))
				}
			}
			report = append(report, point+": runs "+strconv.Itoa(runs)+", differences "+strconv.Itoa(diffs)+" ("+time.Since(start).Round(100*time.Millisecond).String()+")")
		})
	}
	compared := wantCRM.Count()
	for k, v := range wantOut.Count() {
		compared[k] += v
	}
	t.Logf("crash points (%d run):\n  %s\nobjects compared per point: %v", len(report), strings.Join(report, "\n  "), compared)
}
