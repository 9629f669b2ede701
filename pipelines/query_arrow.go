//go:build duckdb_arrow

package pipelines

import (
	"context"
	"database/sql/driver"
	"io"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/zoomsync/zoomsync/internal/output"
	"github.com/zoomsync/zoomsync/transform"
)

// arrowTo writes the result as an Arrow IPC stream, record batch by record
// batch as DuckDB produces them, so a large result never sits in memory.
func arrowTo(ctx context.Context, e *transform.Engine, query string, w io.Writer) (int64, error) {
	conn, err := e.DB().Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int64
	err = conn.Raw(func(dc any) error {
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
