package pipelines

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/internal/output"
	"github.com/zoomsync/zoomsync/transform"
)

// Query runs one read-only statement (see SQLSession) and writes its rows
// to w in the given format. It returns the number of rows written. A
// statement that is not one read-only statement is refused before it runs
// with an error that wraps ErrReadOnly.
func (s *SQLSession) Query(ctx context.Context, query string, format output.Format, w io.Writer) (int64, error) {
	if err := s.Check(ctx, query); err != nil {
		return 0, err
	}
	n, err := s.query(ctx, query, format, w)
	return n, queryError(err)
}

// QueryToFile is Query writing to a file: the rows go to a temporary file
// beside path, which is synced and renamed to path once complete, so a
// reader never sees half a file and a failed query leaves path as it was.
func (s *SQLSession) QueryToFile(ctx context.Context, query string, format output.Format, path string) (n int64, err error) {
	if err := s.Check(ctx, query); err != nil {
		return 0, err
	}
	err = lakefile.WriteAtomic(path, func(w io.Writer) error {
		var err error
		n, err = s.query(ctx, query, format, w)
		return queryError(err)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// query runs a checked query.
func (s *SQLSession) query(ctx context.Context, query string, format output.Format, w io.Writer) (int64, error) {
	switch format {
	case output.FormatParquet:
		return s.parquetTo(ctx, query, w)
	case output.FormatArrow:
		return s.arrowTo(ctx, query, w)
	case output.FormatTable, output.FormatCSV, output.FormatJSON:
		rows, err := s.conn.QueryContext(ctx, query)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		return output.WriteRows(w, rows, format)
	}
	return 0, fmt.Errorf("format %q: want table, csv, json, parquet or arrow", format)
}

// parquetTo writes the rows of a checked query to w as one Parquet file.
// Parquet needs a file to seek in: DuckDB writes it (COPY TO, zstd) in the
// session's scratch directory, the one place outside the lake it may write
// to, and it is then copied to w.
func (s *SQLSession) parquetTo(ctx context.Context, query string, w io.Writer) (int64, error) {
	s.files++
	path := filepath.Join(s.scratch, "result-"+strconv.Itoa(s.files)+".parquet")
	defer os.Remove(path)
	// The newline before ")" ends a trailing -- comment of the query.
	stmt := "COPY (\n" + selectText(query) + "\n) TO " + transform.QuoteString(filepath.ToSlash(path)) +
		" (FORMAT parquet, COMPRESSION zstd)"
	var n int64
	if err := s.conn.QueryRowContext(ctx, stmt).Scan(&n); err != nil {
		return 0, fmt.Errorf("writing parquet: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return 0, fmt.Errorf("writing parquet: %w", err)
	}
	return n, nil
}
