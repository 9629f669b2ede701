//go:build duckdb_arrow

package pipelines

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zoomsync/zoomsync/extract"
	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// TestManifest_lostFileIsFetchedAgain: every raw file an extract commits
// is in the manifest with its size and checksum; a deleted participants
// file and a truncated registrants file make the transform refuse, naming
// both, and mark their stages lost; the next extract fetches those stages
// again and the transform then gives the attendance of a lake never damaged.
func TestManifest_lostFileIsFetchedAgain(t *testing.T) {
	srv := zoomtest.NewServer(zoomtest.DemoAccount(1), zoomtest.WithPlan("unlimited"))
	defer srv.Close()
	dir := t.TempDir()
	cfg := zoomConfig(t, srv, dir)
	res, err := Extract(t.Context(), cfg, Hooks{}, ExtractOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Extract.Files) == 0 {
		t.Fatal("the extract committed no files")
	}
	if _, err := Transform(t.Context(), cfg, Hooks{}); err != nil {
		t.Fatal(err)
	}
	want := attendanceRows(t, dir)
	rep, err := VerifyLake(t.Context(), cfg, false)
	if err != nil || rep.Files != len(res.Extract.Files) || len(rep.Bad) != 0 {
		t.Fatalf("verify of a sound lake: %+v, %v; want %d files, none bad", rep, err, len(res.Extract.Files))
	}

	lake := schema.Lake{Dir: dir}
	participants, _ := filepath.Glob(lake.RawGlob(schema.StreamParticipants))
	registrants, _ := filepath.Glob(lake.RawGlob(schema.StreamRegistrants))
	if len(participants) == 0 || len(registrants) == 0 {
		t.Fatal("no participants or registrants files")
	}
	os.Remove(participants[0])
	if err := os.Truncate(registrants[0], 100); err != nil {
		t.Fatal(err)
	}
	rep, err = VerifyLake(t.Context(), cfg, false)
	if err != nil || len(rep.Bad) != 2 || rep.Repaired {
		t.Fatalf("verify: %+v, %v; want the two files bad, nothing repaired", rep, err)
	}

	_, err = Transform(t.Context(), cfg, Hooks{})
	if !errors.Is(err, ErrLakeIncomplete) || !strings.Contains(err.Error(), rel(t, dir, participants[0])) ||
		!strings.Contains(err.Error(), rel(t, dir, registrants[0])) {
		t.Fatalf("transform over a damaged lake: %v; want ErrLakeIncomplete naming both files", err)
	}
	if _, err := os.Stat(registrants[0]); !errors.Is(err, os.ErrNotExist) {
		t.Error("the truncated file was not moved aside")
	}
	lost := lostStageNames(t, dir)
	if len(lost[extract.StageReport]) == 0 || len(lost[extract.StageRegistrants]) == 0 {
		t.Fatalf("lost stages %v, want report and registrants stages", lost)
	}
	if _, err := Transform(t.Context(), cfg, Hooks{}); !errors.Is(err, ErrLakeIncomplete) || !strings.Contains(err.Error(), "stages lost") {
		t.Fatalf("transform while stages are lost: %v; want a refusal naming the stages", err)
	}

	// The next extract fetches the lost stages again, whatever their cursors.
	if _, err := Extract(t.Context(), cfg, Hooks{}, ExtractOptions{}); err != nil {
		t.Fatal(err)
	}
	if lost := lostStageNames(t, dir); len(lost) != 0 {
		t.Fatalf("stages still lost after the extract: %v", lost)
	}
	if _, err := Transform(t.Context(), cfg, Hooks{}); err != nil {
		t.Fatalf("transform after the re-fetch: %v", err)
	}
	if got := attendanceRows(t, dir); got != want {
		t.Errorf("attendance after the repair differs from the undamaged lake:\n%s\nwant:\n%s", got, want)
	}
}

func rel(t *testing.T, dir, path string) string {
	t.Helper()
	r, err := filepath.Rel(dir, path)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(r)
}

// attendanceRows is the attendance out table as text, in a stable order.
func attendanceRows(t *testing.T, dir string) string {
	t.Helper()
	e, err := transform.OpenReadOnly(t.Context(), schema.Lake{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var s string
	if err := e.DB().QueryRowContext(t.Context(), "SELECT count(*)::VARCHAR || ' ' || coalesce(string_agg(a::VARCHAR, '\n' ORDER BY a::VARCHAR), '') FROM attendance a").Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// lostStageNames maps each stage name to the objects whose stage is lost.
func lostStageNames(t *testing.T, dir string) map[string][]string {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(dir, "zoomsync.duckdb")+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), "SELECT stage, object_id FROM sync_state WHERE status = 'lost'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string][]string{}
	for rows.Next() {
		var st, id string
		rows.Scan(&st, &id)
		m[st] = append(m[st], id)
	}
	return m
}
