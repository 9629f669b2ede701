// Package output writes query results for people and programs: aligned
// tables, CSV, JSON lines and Arrow IPC streams, in the formats the query,
// segments and audit commands offer.
package output

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Format is an output format of a query or a segment.
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

// FormatOf is the format a file name's extension names: .csv, .json
// (.jsonl, .ndjson: JSON lines), .parquet, .arrow (.arrows, .ipc: an Arrow
// IPC stream), .txt (a table). ok is false for any other extension.
func FormatOf(path string) (f Format, ok bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return FormatCSV, true
	case ".json", ".jsonl", ".ndjson":
		return FormatJSON, true
	case ".parquet":
		return FormatParquet, true
	case ".arrow", ".arrows", ".ipc":
		return FormatArrow, true
	case ".txt":
		return FormatTable, true
	}
	return "", false
}
