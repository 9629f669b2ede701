package pipelines

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/transform"
)

// Format is an output format of Query and of a segment.
type Format string

// The output formats. Table, CSV and JSON are text; Parquet and Arrow are
// binary.
const (
	FormatTable   Format = "table"   // aligned columns and a row count, for people
	FormatCSV     Format = "csv"     // RFC 4180 with a header row; NULL is an empty field
	FormatJSON    Format = "json"    // one JSON object per row and line, keys in column order
	FormatParquet Format = "parquet" // one Parquet file written by DuckDB, zstd-compressed
	FormatArrow   Format = "arrow"   // an Arrow IPC stream (pyarrow.ipc.open_stream, polars.read_ipc_stream)
)

// Formats lists every output format, in the order the CLI shows them.
var Formats = []Format{FormatTable, FormatCSV, FormatJSON, FormatParquet, FormatArrow}

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("format %q: want table, csv, json, parquet or arrow", s)
}

// Binary reports whether the format is not text (Parquet, Arrow).
func (f Format) Binary() bool { return f == FormatParquet || f == FormatArrow }

// Query runs one SQL statement on a read-only engine (transform.OpenReadOnly)
// and writes its rows to w in the given format. It returns the number of
// rows written. A statement that would change the catalog fails with an
// error that wraps ErrReadOnly.
func Query(ctx context.Context, e *transform.Engine, query string, format Format, w io.Writer) (int64, error) {
	n, err := query1(ctx, e, query, format, w)
	return n, readOnlyError(err)
}

// QueryToFile is Query writing to a file: the rows go to a temporary file
// beside path, which is synced and renamed to path once complete, so a
// reader never sees half a file and a failed query leaves path as it was.
func QueryToFile(ctx context.Context, e *transform.Engine, query string, format Format, path string) (n int64, err error) {
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
	if format == FormatParquet {
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

func query1(ctx context.Context, e *transform.Engine, query string, format Format, w io.Writer) (int64, error) {
	switch format {
	case FormatParquet:
		// Parquet needs a file to seek in: DuckDB writes a temporary
		// one, which is then copied to w.
		return parquetTo(ctx, e, query, w)
	case FormatArrow:
		return arrowTo(ctx, e, query, w)
	case FormatTable, FormatCSV, FormatJSON:
		rows, err := e.DB().QueryContext(ctx, query)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		return WriteRows(w, rows, format)
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

// WriteRows writes a result set as a table, CSV or JSON lines and returns
// the number of rows.
func WriteRows(w io.Writer, rows *sql.Rows, format Format) (int64, error) {
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var tw *tabwriter.Writer
	var cw *csv.Writer
	var keys [][]byte // JSON-encoded column names
	switch format {
	case FormatTable:
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	case FormatCSV:
		cw = csv.NewWriter(w)
		if err := cw.Write(cols); err != nil {
			return 0, err
		}
	case FormatJSON:
		for _, c := range cols {
			k, _ := json.Marshal(c)
			keys = append(keys, k)
		}
	default:
		return 0, fmt.Errorf("format %q is not a text format", format)
	}
	var n int64
	cells := make([]string, len(cols))
	var line []byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		n++
		switch format {
		case FormatTable:
			for i, v := range vals {
				cells[i] = TextValue(v, "NULL")
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		case FormatCSV:
			for i, v := range vals {
				cells[i] = TextValue(v, "")
			}
			if err := cw.Write(cells); err != nil {
				return n, err
			}
		case FormatJSON:
			line = append(line[:0], '{')
			for i, v := range vals {
				if i > 0 {
					line = append(line, ',')
				}
				line = append(line, keys[i]...)
				line = append(line, ':')
				b, err := json.Marshal(JSONValue(v))
				if err != nil {
					return n, fmt.Errorf("row %d column %s: %w", n, cols[i], err)
				}
				line = append(line, b...)
			}
			line = append(line, '}', '\n')
			if _, err := w.Write(line); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	switch format {
	case FormatTable:
		if err := tw.Flush(); err != nil {
			return n, err
		}
		if _, err := fmt.Fprintf(w, "(%d rows)\n", n); err != nil {
			return n, err
		}
	case FormatCSV:
		cw.Flush()
		return n, cw.Error()
	}
	return n, nil
}

// TextValue formats one value of a DuckDB row for a table cell or a CSV
// field: times in RFC 3339 (UTC, fractions only when present), numbers
// as Go prints them, null as the given text.
func TextValue(v any, null string) string {
	switch v := v.(type) {
	case nil:
		return null
	case string:
		return v
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32)
	case duckdb.Decimal:
		return v.String()
	case duckdb.UUID:
		return (&v).String()
	case *big.Int:
		return v.String()
	case []any, map[string]any:
		b, err := json.Marshal(JSONValue(v))
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

// JSONValue converts one value of a DuckDB row to what encoding/json
// should write: times in RFC 3339 UTC, decimals and 128-bit integers as
// JSON numbers, UUIDs as strings, NaN and infinities as strings.
func JSONValue(v any) any {
	switch v := v.(type) {
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
	case float32:
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return strconv.FormatFloat(float64(v), 'g', -1, 32)
		}
	case duckdb.Decimal:
		return json.Number(v.String())
	case duckdb.UUID:
		return (&v).String()
	case *big.Int:
		return json.Number(v.String())
	case []byte:
		if utf8.Valid(v) {
			return string(v)
		}
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = JSONValue(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = JSONValue(x)
		}
		return out
	}
	return v
}

// ErrReadOnly is wrapped by the error of a query that tried to change the
// lake's catalog, which query and segments open read-only.
var ErrReadOnly = errors.New("the lake is open read-only: a query cannot change it")
