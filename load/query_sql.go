//go:build !duckdb_arrow

package load

import (
	"context"
	"database/sql"
	"fmt"
)

// queryText calls fn for each row of query (what names it in errors), whose columns must all be text,
// with the column names and the row's values, read through database/sql.
// Built without the duckdb_arrow tag; query_arrow.go streams the same rows
// as Arrow record batches. fn must not keep names or row, which are reused.
func queryText(ctx context.Context, db *sql.DB, what, query string, fn func(names []string, row []sql.NullString) error) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return err
	}
	row := make([]sql.NullString, len(names))
	dst := make([]any, len(names))
	for i := range row {
		dst[i] = &row[i]
	}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return fmt.Errorf("reading %s: %w", what, err)
		}
		if err := fn(names, row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", what, err)
	}
	return nil
}
