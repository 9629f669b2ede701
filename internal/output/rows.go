package output

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
)

// WriteRows writes a result set as a table, CSV or JSON lines and returns
// the number of rows.
func WriteRows(w io.Writer, rows *sql.Rows, format Format) (int64, error) {
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	return writeRows(w, cols, rows, format)
}

// WriteValues writes rows of values (one per column of cols) as WriteRows
// writes a result set: the same table, CSV and JSON lines.
func WriteValues(w io.Writer, cols []string, rows [][]any, format Format) (int64, error) {
	return writeRows(w, cols, &valueRows{rows: rows, i: -1}, format)
}

// rowSource is what writeRows reads: *sql.Rows, or valueRows.
type rowSource interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// valueRows reads rows of values like *sql.Rows.
type valueRows struct {
	rows [][]any
	i    int
}

func (r *valueRows) Next() bool { r.i++; return r.i < len(r.rows) }
func (r *valueRows) Err() error { return nil }
func (r *valueRows) Scan(dest ...any) error {
	row := r.rows[r.i]
	if len(row) != len(dest) {
		return fmt.Errorf("row %d has %d values, want %d", r.i+1, len(row), len(dest))
	}
	for i, v := range row {
		*(dest[i].(*any)) = v
	}
	return nil
}

func writeRows(w io.Writer, cols []string, rows rowSource, format Format) (int64, error) {
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
			k, _ := Marshal(c)
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
				b, err := Marshal(JSONValue(v))
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

// Marshal is json.Marshal without HTML escaping: "&", "<" and ">" stay
// as they are (json.Marshal writes \u0026), for people and programs reading
// zoomsync's JSON, which is never embedded in HTML.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
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
		b, err := Marshal(JSONValue(v))
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
