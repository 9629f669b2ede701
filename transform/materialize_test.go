package transform

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/zoomsync/zoomsync/schema"
)

// TestRun_materializedKeepColumnTypes checks that each materialized
// relation reads back from its Parquet file with the columns, in order,
// and the types of the persisted view it copies (a type Parquet cannot
// carry would change what every later file computes), and with its rows,
// on the demo account's lake; and that the run removes the files.
func TestRun_materializedKeepColumnTypes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lake := schema.Lake{Dir: t.TempDir()}
	writeDemoLake(t, lake)
	e, err := Open(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	columns := func(q execQuerier, rel string, temporary bool) ([]string, error) {
		rows, err := q.QueryContext(ctx, `SELECT column_name || ' ' || data_type FROM duckdb_columns()
			WHERE table_name = $1 AND (database_name = 'temp') = $2 ORDER BY column_index`, rel, temporary)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var cols []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				return nil, err
			}
			cols = append(cols, c)
		}
		return cols, rows.Err()
	}
	var checked []string
	e.afterFile = func(ctx context.Context, q execQuerier, name, text string) error {
		for _, rel := range materializeDirectives(text) {
			view, err := columns(q, rel, false)
			if err != nil {
				return err
			}
			copied, err := columns(q, rel, true)
			if err != nil {
				return err
			}
			if len(view) == 0 {
				return fmt.Errorf("%s: no columns for the view %s", name, rel)
			}
			if diff := cmp.Diff(view, copied); diff != "" {
				t.Errorf("%s: columns of the copy of %s differ from the view's (-view +copy):\n%s", name, rel, diff)
			}
			var catalog string
			if err := q.QueryRowContext(ctx, "SELECT current_database()").Scan(&catalog); err != nil {
				return err
			}
			var differ int
			err = q.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM (
				(SELECT * FROM %[1]s.main.%[2]s EXCEPT ALL SELECT * FROM temp.main.%[2]s)
				UNION ALL
				(SELECT * FROM temp.main.%[2]s EXCEPT ALL SELECT * FROM %[1]s.main.%[2]s))`, ident(catalog), ident(rel))).Scan(&differ)
			if err != nil {
				return err
			}
			if differ != 0 {
				t.Errorf("%s: %d rows differ between %s and its copy", name, differ, rel)
			}
			checked = append(checked, rel)
		}
		return nil
	}
	if _, err := e.Run(ctx, "run-1"); err != nil {
		t.Fatal(err)
	}
	if len(checked) < 5 {
		t.Errorf("checked %v; want every materialized relation", checked)
	}
	if left, err := os.ReadDir(e.workDir()); err == nil || !os.IsNotExist(err) {
		t.Errorf("the work directory is left after the run: %v, %v", left, err)
	}
}
