//go:build duckdb_arrow

package output

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// WriteArrow writes the records of rdr to w as an Arrow IPC stream, record
// batch by record batch as they come, so a large result never sits in
// memory. It returns the number of rows written.
func WriteArrow(w io.Writer, rdr array.RecordReader) (int64, error) {
	var n int64
	iw := ipc.NewWriter(w, ipc.WithSchema(rdr.Schema()))
	for rdr.Next() {
		rec := rdr.RecordBatch()
		if err := iw.Write(rec); err != nil {
			iw.Close()
			return n, fmt.Errorf("writing arrow stream: %w", err)
		}
		n += rec.NumRows()
	}
	if err := rdr.Err(); err != nil {
		iw.Close()
		return n, err
	}
	if err := iw.Close(); err != nil {
		return n, fmt.Errorf("writing arrow stream: %w", err)
	}
	return n, nil
}
