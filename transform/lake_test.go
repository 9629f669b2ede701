package transform

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/zoomsync/zoomsync/schema"
)

// Fixture defaults: a raw row that names no run_id or fetched_at gets these.
const (
	fixtureRunID     = "r1"
	fixtureFetchedAt = "2024-06-01T00:00:00Z"
)

// writeRawFixtures writes testdata/<case>/raw/<stream>.json into the lake as
// Parquet part files, one per run_id, with parquet-go and the schema types.
// Each JSON file is an array of objects keyed by Parquet column name.
func writeRawFixtures(t *testing.T, lake schema.Lake, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		stream, ok := strings.CutSuffix(ent.Name(), ".json")
		if !ok {
			continue
		}
		var row any
		for _, s := range schema.RawStreams {
			if s.Name == stream {
				row = s.Row
			}
		}
		if row == nil {
			t.Fatalf("%s: no raw stream %q", dir, stream)
		}
		data, err := os.ReadFile(filepath.Join(dir, ent.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var objs []map[string]json.RawMessage
		if err := json.Unmarshal(data, &objs); err != nil {
			t.Fatalf("%s: %v", ent.Name(), err)
		}
		byRun := map[string][]any{}
		for i, obj := range objs {
			v, err := decodeRow(reflect.TypeOf(row), obj)
			if err != nil {
				t.Fatalf("%s row %d: %v", ent.Name(), i, err)
			}
			run := v.FieldByName("RunID").String()
			byRun[run] = append(byRun[run], v.Interface())
		}
		for run, rows := range byRun {
			writeParquet(t, lake.RawPart(stream, run, 0), row, rows)
		}
	}
}

// decodeRow sets the fields of a new row of type typ from obj, by Parquet
// column name.
func decodeRow(typ reflect.Type, obj map[string]json.RawMessage) (reflect.Value, error) {
	if _, ok := obj["run_id"]; !ok {
		obj["run_id"] = json.RawMessage(`"` + fixtureRunID + `"`)
	}
	if _, ok := obj["fetched_at"]; !ok {
		obj["fetched_at"] = json.RawMessage(`"` + fixtureFetchedAt + `"`)
	}
	v := reflect.New(typ).Elem()
	seen := 0
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("parquet"), ",")
		raw, ok := obj[name]
		if !ok {
			continue
		}
		seen++
		if err := json.Unmarshal(raw, v.Field(i).Addr().Interface()); err != nil {
			return v, fmt.Errorf("column %s: %w", name, err)
		}
	}
	if seen != len(obj) {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return v, fmt.Errorf("unknown column among %v", keys)
	}
	return v, nil
}

func writeParquet(t *testing.T, path string, row any, rows []any) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewWriter(f, parquet.SchemaOf(row))
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func readOut[T any](t *testing.T, path string) []T {
	t.Helper()
	rows, err := parquet.ReadFile[T](path)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	if rows == nil {
		rows = []T{}
	}
	return rows
}
