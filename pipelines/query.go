package pipelines

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/internal/output"
	"github.com/zoomsync/zoomsync/transform"
)

// Query runs one SQL statement on a read-only engine (transform.OpenReadOnly)
// and writes its rows to w in the given format. It returns the number of
// rows written. A statement that would change the catalog fails with an
// error that wraps ErrReadOnly.
func Query(ctx context.Context, e *transform.Engine, query string, format output.Format, w io.Writer) (int64, error) {
	n, err := query1(ctx, e, query, format, w)
	return n, readOnlyError(err)
}

// QueryToFile is Query writing to a file: the rows go to a temporary file
// beside path, which is synced and renamed to path once complete, so a
// reader never sees half a file and a failed query leaves path as it was.
func QueryToFile(ctx context.Context, e *transform.Engine, query string, format output.Format, path string) (n int64, err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if format == output.FormatParquet {
		// DuckDB writes the file itself; it replaces the empty temp file.
		n, err = copyParquet(ctx, e, query, tmp)
	} else {
		n, err = query1(ctx, e, query, format, f)
	}
	if err != nil {
		return 0, readOnlyError(err)
	}
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := lakefile.SyncFile(tmp); err != nil {
		return 0, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, fmt.Errorf("writing %s: %w", path, err)
	}
	lakefile.SyncFile(dir) // best effort: not every platform syncs a directory
	return n, nil
}

func query1(ctx context.Context, e *transform.Engine, query string, format output.Format, w io.Writer) (int64, error) {
	switch format {
	case output.FormatParquet:
		// Parquet needs a file to seek in: DuckDB writes a temporary
		// one, which is then copied to w.
		return parquetTo(ctx, e, query, w)
	case output.FormatArrow:
		return arrowTo(ctx, e, query, w)
	case output.FormatTable, output.FormatCSV, output.FormatJSON:
		rows, err := e.DB().QueryContext(ctx, query)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		return output.WriteRows(w, rows, format)
	}
	return 0, fmt.Errorf("format %q: want table, csv, json, parquet or arrow", format)
}

// readOnlyError turns DuckDB's refusal to write into ErrReadOnly.
func readOnlyError(err error) error {
	if err != nil && strings.Contains(err.Error(), "read-only mode") {
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}

// selectText strips what may not sit inside COPY ( ... ): trailing
// semicolons and white space.
func selectText(query string) string {
	return strings.TrimRight(strings.TrimSpace(query), "; \t\r\n")
}

// copyParquet writes the rows of query to path with DuckDB's COPY TO, which
// a read-only catalog allows: it writes a file, not the catalog.
func copyParquet(ctx context.Context, e *transform.Engine, query, path string) (int64, error) {
	// The newline before ")" ends a trailing -- comment of the query.
	stmt := "COPY (\n" + selectText(query) + "\n) TO " + transform.QuoteString(filepath.ToSlash(path)) +
		" (FORMAT parquet, COMPRESSION zstd)"
	var n int64
	if err := e.DB().QueryRowContext(ctx, stmt).Scan(&n); err != nil {
		return 0, fmt.Errorf("writing parquet (the query must be one SELECT): %w", err)
	}
	return n, nil
}

func parquetTo(ctx context.Context, e *transform.Engine, query string, w io.Writer) (int64, error) {
	dir, err := os.MkdirTemp("", "zoomsync-query-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "result.parquet")
	n, err := copyParquet(ctx, e, query, path)
	if err != nil {
		return 0, err
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

// ErrReadOnly is wrapped by the error of a query that tried to change the
// lake's catalog, which query and segments open read-only.
var ErrReadOnly = errors.New("the lake is open read-only: a query cannot change it")
