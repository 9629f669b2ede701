package pipelines

import (
	"github.com/zoomsync/zoomsync/internal/output"

	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseFileConfig_errors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		haveYAML  string
		wantParts []string // every one must appear in the message
	}{
		{
			name: "unknown keys, top level and in a segment",
			haveYAML: `
segmnets: []
segments:
  - name: a
    sql: SELECT 1
    formt: csv
    out: a.csv
`,
			wantParts: []string{"unknown keys", "segmnets", "segments[0].formt"},
		},
		{
			name: "missing sql",
			haveYAML: `
segments:
  - name: a
    out: a.csv
`,
			wantParts: []string{"segments[0] (a): sql is required"},
		},
		{
			name: "bad format",
			haveYAML: `
segments:
  - name: a
    sql: SELECT 1
    format: xlsx
    out: a.xlsx
`,
			wantParts: []string{`segments[0] (a): format "xlsx": want csv or parquet`},
		},
		{
			name: "every problem of every segment at once",
			haveYAML: `
segments:
  - sql: SELECT 1
    out: x.csv
  - name: b c
    sql: SELECT 1
    format: json
    out: b.json
  - name: d
    sql: SELECT 1
    out: d.txt
  - name: e
    sql: SELECT 1
    out: x.csv
`,
			wantParts: []string{
				"segments[0]: name is required",
				`segments[1] (b c): name "b c"`,
				`segments[1] (b c): format "json"`,
				"segments[2] (d): format is required",
				"segments[3] (e): out",
			},
		},
		{
			name: "missing out",
			haveYAML: `
segments:
  - name: a
    sql: SELECT 1
    format: parquet
`,
			wantParts: []string{"segments[0] (a): out is required"},
		},
		{
			name:      "not a mapping",
			haveYAML:  "- 1\n- 2\n",
			wantParts: []string{"want a mapping"},
		},
		{
			name:      "wrong type",
			haveYAML:  "segments: 3\n",
			wantParts: []string{"zoomsync.yaml"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFileConfig("conf/zoomsync.yaml", []byte(tc.haveYAML))
			if err == nil {
				t.Fatal("no error")
			}
			for _, p := range tc.wantParts {
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not mention %q", err, p)
				}
			}
			if !strings.HasPrefix(err.Error(), "conf/zoomsync.yaml: ") {
				t.Errorf("error %q does not start with the file name", err)
			}
		})
	}
}

func TestParseFileConfig_valid(t *testing.T) {
	t.Parallel()
	fc, err := ParseFileConfig(filepath.Join("conf", "zoomsync.yaml"), []byte(`
segments:
  - name: engaged
    sql: SELECT 1
    out: out/engaged.parquet
  - name: csv-one
    sql: SELECT 2
    format: csv
    out: /abs/one.txt
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Segments) != 2 {
		t.Fatalf("segments = %d, want 2", len(fc.Segments))
	}
	if s := fc.Segments[0]; s.Format != output.FormatParquet || s.Out != filepath.Join("conf", "out", "engaged.parquet") {
		t.Errorf("segment 0 = %+v: want format from the extension and out relative to the file", s)
	}
	if s := fc.Segments[1]; s.Format != output.FormatCSV || s.Out != "/abs/one.txt" {
		t.Errorf("segment 1 = %+v", s)
	}
	sel, err := fc.Select([]string{"csv-one"})
	if err != nil || len(sel) != 1 || sel[0].Name != "csv-one" {
		t.Errorf("Select(csv-one) = %+v, %v", sel, err)
	}
	if _, err := fc.Select([]string{"nope"}); err == nil || !strings.Contains(err.Error(), "nope") || !strings.Contains(err.Error(), "engaged, csv-one") {
		t.Errorf("Select(nope) error = %v, want it to name nope and the defined segments", err)
	}
	empty, err := ParseFileConfig("zoomsync.yaml", nil)
	if err != nil {
		t.Fatalf("empty file: %v", err)
	}
	if _, err := empty.Select(nil); err == nil {
		t.Error("Select on a file without segments: no error")
	}
}

func TestParseFileConfig_exampleFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "zoomsync.example.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := ParseFileConfig(path, data)
	if err != nil {
		t.Fatalf("zoomsync.example.yaml: %v", err)
	}
	if len(fc.Segments) == 0 {
		t.Error("zoomsync.example.yaml defines no segments")
	}
}

// TestConfigKeys_everyKeyDocumented: every key of zoomsync.yaml has a doc
// tag (contracts: the configuration reference is made from them).
func TestConfigKeys_everyKeyDocumented(t *testing.T) {
	keys := ConfigKeys()
	seen := map[string]bool{}
	for _, k := range keys {
		if strings.TrimSpace(k.Doc) == "" {
			t.Errorf("zoomsync.yaml key %s (field %s) has no doc tag: add `doc:\"one-line meaning\"` (and `default:\"...\"` when it has one)", k.Key, k.Field)
		}
		if seen[k.Key] {
			t.Errorf("key %s listed twice", k.Key)
		}
		seen[k.Key] = true
	}
	for _, want := range []string{"zoom.lookback_days", "zoom.host_settings.<host>.sync_recordings", "hubspot.timeline.app_id", "segments[].out"} {
		if !seen[want] {
			t.Errorf("ConfigKeys lacks %s", want)
		}
	}
}
