package transform

import (
	"path/filepath"
	"testing"

	"github.com/zoomsync/zoomsync/schema"
)

func TestEngine_Run_keepsAuditHistory(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	lake := schema.Lake{Dir: t.TempDir()}
	writeRawFixtures(t, lake, filepath.Join("testdata", "presence-union-and-clipping", "raw"))
	e, err := Open(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var perRun int
	for _, run := range []string{"run-1", "run-2", "run-2"} { // run-2 twice: replaced, not doubled
		res, err := e.Run(ctx, run)
		if err != nil {
			t.Fatal(err)
		}
		perRun = res.AuditRows
	}
	if perRun == 0 {
		t.Fatal("the fixture produces no audit rows")
	}
	rows, err := e.DB().QueryContext(ctx, "SELECT run_id, count(*) FROM audit_history GROUP BY run_id ORDER BY run_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int{}
	for rows.Next() {
		var run string
		var n int
		rows.Scan(&run, &n)
		got[run] = n
	}
	if len(got) != 2 || got["run-1"] != perRun || got["run-2"] != perRun {
		t.Fatalf("audit_history per run = %v, want run-1 and run-2 with %d rows each", got, perRun)
	}
}
