//go:build duckdb_arrow

package pipelines

import (
	"context"
	"database/sql/driver"
	"io"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/zoomsync/zoomsync/internal/output"
)

// arrowTo writes the result as an Arrow IPC stream, record batch by record
// batch as DuckDB produces them, so a large result never sits in memory.
func (s *SQLSession) arrowTo(ctx context.Context, query string, w io.Writer) (int64, error) {
	var n int64
	err := s.conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		rdr, err := ar.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rdr.Release()
		n, err = output.WriteArrow(w, rdr)
		return err
	})
	return n, err
}
