//go:build duckdb_arrow

package load

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/duckdb/duckdb-go/v2"
)

// queryText calls fn for each row of query (what names it in errors), whose columns must all be text,
// with the column names and the row's values. It streams the result as
// Arrow record batches (duckdb-go's Arrow API, built with the duckdb_arrow
// tag), so a large table never sits in memory; without the tag
// (query_sql.go) it reads through database/sql, the same rows. fn must not
// keep names or row, which are reused. It runs on a connection of its
// own: fn may write through other connections of the pool (a statement on
// the streaming connection would end the stream).
func queryText(ctx context.Context, db *sql.DB, what, query string, fn func(names []string, row []sql.NullString) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rdr, err := ar.QueryContext(ctx, query)
		if err != nil {
			return fmt.Errorf("reading %s: %w", what, err)
		}
		defer rdr.Release()
		var names []string
		for _, f := range rdr.Schema().Fields() {
			names = append(names, f.Name)
		}
		row := make([]sql.NullString, len(names))
		for rdr.Next() {
			rec := rdr.RecordBatch()
			cols := rec.Columns()
			for i := range int(rec.NumRows()) {
				for c, col := range cols {
					row[c] = str(col, i)
				}
				if err := fn(names, row); err != nil {
					return err
				}
			}
		}
		if err := rdr.Err(); err != nil {
			return fmt.Errorf("reading %s: %w", what, err)
		}
		return nil
	})
}

// str copies a value out of an Arrow column. The copy matters: Arrow's
// strings alias the record's buffers, which are released and reused once
// the reader moves on, while a batch outlives the record it came from.
func str(a arrow.Array, i int) sql.NullString {
	if a.IsNull(i) {
		return sql.NullString{}
	}
	return sql.NullString{String: strings.Clone(a.ValueStr(i)), Valid: true}
}
