package transform

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/schema"
)

// outTables are the load-ready tables the engine writes from the SQL's
// out_<table> relations, with their row types and keys. Rows are written in
// the order of the key, so that equal inputs give equal files; a key that
// leads the row's columns gives the same order (and bytes) as sorting by
// every column, at the cost of sorting by a few. Every key but the audit's
// is unique (TestEngine_Run_golden checks it): audit rows have no id, and
// are ordered by every column but run_id, which is the same on every row of
// a run, so rows equal on the key are equal.
var outTables = []struct {
	Name string
	Row  any
	Key  []string
}{
	{schema.TableContacts, schema.Contact{}, []string{"email"}},
	{schema.TableAudit, schema.AuditRow{}, []string{"category", "reason", "webinar_id", "instance_uuid", "stream", "email", "detail"}},
	{schema.TableRegistrationEvents, schema.RegistrationEvent{}, []string{"event_id"}},
	{schema.TableAttendanceEvents, schema.AttendanceEvent{}, []string{"event_id"}},
	{schema.TableRecordingEvents, schema.RecordingEvent{}, []string{"event_id"}},
	{schema.TableMarketingEvents, schema.MarketingEvent{}, []string{"external_event_id"}},
}

// rawView is the view name of a raw stream.
func rawView(stream string) string { return "raw_" + stream }

// viewDDL returns the statements that (re)create one view per raw stream and
// one per out table. A stream without files yet, or an out table not written
// yet, gets an empty view with the columns of its row type, so that the SQL
// binds on an empty lake and notebooks see every table.
func (e *Engine) viewDDL(temp bool) ([]string, error) {
	create := "CREATE OR REPLACE VIEW "
	if temp {
		create = "CREATE OR REPLACE TEMP VIEW "
	}
	var ddl []string
	for _, s := range schema.RawStreams {
		glob := e.lake.RawGlob(s.Name)
		files, err := filepath.Glob(glob)
		if err != nil {
			return nil, fmt.Errorf("transform: %s: %w", glob, err)
		}
		var body string
		if len(files) > 0 {
			// run=<id> folders are hive partitions; their value is text
			// (left alone, DuckDB would guess a number for numeric ids).
			body = fmt.Sprintf("SELECT * FROM read_parquet(%s, union_by_name = true, hive_partitioning = true, hive_types = {'run': VARCHAR})",
				QuoteString(filepath.ToSlash(glob)))
		} else {
			body = emptySelect(append(columnsOf(s.Row), column{"run", "VARCHAR"}))
		}
		ddl = append(ddl, create+ident(rawView(s.Name))+" AS "+body)
	}
	for _, t := range outTables {
		path := e.lake.Out(t.Name)
		var body string
		if _, err := os.Stat(path); err == nil {
			body = "SELECT * FROM read_parquet(" + QuoteString(filepath.ToSlash(path)) + ")"
		} else {
			body = emptySelect(columnsOf(t.Row))
		}
		ddl = append(ddl, create+ident(t.Name)+" AS "+body)
	}
	return ddl, nil
}

type column struct{ Name, Type string }

// columnsOf lists the Parquet columns of a row type with the DuckDB types
// read_parquet gives them for files that parquet-go writes from that type
// (TestColumnsOf checks the two agree).
func columnsOf(row any) []column {
	t := reflect.TypeOf(row)
	var cols []column
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("parquet"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		cols = append(cols, column{name, duckType(f.Type)})
	}
	return cols
}

var timeType = reflect.TypeFor[time.Time]()

func duckType(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Slice {
		// A `list` column: parquet-go writes a LIST, read as T[].
		return duckType(t.Elem()) + "[]"
	}
	if t == timeType {
		// parquet-go writes timestamp(microsecond) adjusted to UTC.
		return "TIMESTAMP WITH TIME ZONE"
	}
	switch t.Kind() {
	case reflect.String:
		return "VARCHAR"
	case reflect.Bool:
		return "BOOLEAN"
	case reflect.Int32:
		return "INTEGER"
	case reflect.Int64, reflect.Int:
		return "BIGINT"
	case reflect.Float32:
		return "FLOAT"
	case reflect.Float64:
		return "DOUBLE"
	}
	panic(fmt.Sprintf("transform: no DuckDB type for Go type %s", t))
}

// emptySelect is a query with the given columns and no rows.
func emptySelect(cols []column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf("CAST(NULL AS %s) AS %s", c.Type, ident(c.Name))
	}
	return "SELECT " + strings.Join(parts, ", ") + " WHERE false"
}

// QuoteString returns s as a DuckDB string literal.
func QuoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ident is a SQL identifier.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// columnNames lists the Parquet column names of a row type, in order.
func columnNames(row any) []string {
	var names []string
	for _, c := range columnsOf(row) {
		names = append(names, c.Name)
	}
	return names
}

// identList quotes each name and joins them with commas.
func identList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = ident(n)
	}
	return strings.Join(quoted, ", ")
}
