//go:build !duckdb_arrow

package pipelines

import (
	"context"
	"errors"
	"io"
)

// arrowTo needs duckdb-go's Arrow API, compiled only with the duckdb_arrow
// build tag (query_arrow.go): without it the arrow format is refused.
func (s *SQLSession) arrowTo(context.Context, string, io.Writer) (int64, error) {
	return 0, errors.New("format arrow: this zoomsync was built without the duckdb_arrow tag (build with make, or go build -tags duckdb_arrow)")
}
