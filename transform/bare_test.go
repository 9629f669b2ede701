package transform

import (
	"path/filepath"
	"testing"

	"github.com/zoomsync/zoomsync/benchmarks/baresql"
	"github.com/zoomsync/zoomsync/schema"
)

// TestBareSQL_sameOutFiles checks the bare-DuckDB comparison program of
// the scale benchmark (benchmarks/baresql): over the demo account's lake it
// writes out files with the same rows, in the same order, as the engine's
// Run, so that bare_ratio compares the same work.
func TestBareSQL_sameOutFiles(t *testing.T) {
	lake := schema.Lake{Dir: t.TempDir()}
	writeDemoLake(t, lake)
	e, err := Open(t.Context(), lake, WithExcludedContactDomains([]string{"northwind-events.com"}))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Run(t.Context(), "bare-test"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := baresql.Run(t.Context(), bareScript(e, "bare-test"), dir, e.effectiveMemoryLimit()); err != nil {
		t.Fatal(err)
	}
	for _, tb := range outTables {
		engine := QuoteString(filepath.ToSlash(lake.Out(tb.Name)))
		bare := QuoteString(filepath.ToSlash(filepath.Join(dir, "out", tb.Name+".parquet")))
		var rows, differ int
		// Rows compared with their position in the file, so that the order
		// counts too.
		q := `WITH a AS (SELECT row_number() OVER () AS i, * FROM read_parquet(` + engine + `)),
		           b AS (SELECT row_number() OVER () AS i, * FROM read_parquet(` + bare + `))
		      SELECT (SELECT count(*) FROM a),
		             (SELECT count(*) FROM (FROM a EXCEPT ALL FROM b)) + (SELECT count(*) FROM (FROM b EXCEPT ALL FROM a))`
		if err := e.DB().QueryRowContext(t.Context(), q).Scan(&rows, &differ); err != nil {
			t.Fatalf("%s: %v", tb.Name, err)
		}
		if differ != 0 {
			t.Errorf("%s: %d of the rows differ between the engine's file and the bare program's (%d rows)", tb.Name, differ, rows)
		}
		if rows == 0 && tb.Name == schema.TableContacts {
			t.Errorf("%s: no rows: the comparison compares nothing", tb.Name)
		}
		t.Logf("%s: %d rows, same in both", tb.Name, rows)
	}
}
