package output

import (
	"bytes"
	"database/sql"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// TestWriteRows writes one result set in the three text formats: NULL as
// "NULL" in a table, an empty field in CSV and null in JSON; times in RFC
// 3339 UTC; decimals as numbers (DuckDB's shortest form); NaN as a string in JSON.
func TestWriteRows(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const q = `SELECT * FROM (VALUES
		(1, 'a,b', TIMESTAMPTZ '2026-01-02 03:04:05+00', 1.50::DECIMAL(4,2), 'NaN'::DOUBLE),
		(2, NULL, NULL, NULL, 0.25::DOUBLE)) t(id, name, seen, amount, ratio) ORDER BY id`
	want := map[Format]string{
		FormatTable: "id  name  seen                  amount  ratio\n" +
			"1   a,b   2026-01-02T03:04:05Z  1.5     NaN\n" +
			"2   NULL  NULL                  NULL    0.25\n" +
			"(2 rows)\n",
		FormatCSV: "id,name,seen,amount,ratio\n" +
			"1,\"a,b\",2026-01-02T03:04:05Z,1.5,NaN\n" +
			"2,,,,0.25\n",
		FormatJSON: `{"id":1,"name":"a,b","seen":"2026-01-02T03:04:05Z","amount":1.5,"ratio":"NaN"}` + "\n" +
			`{"id":2,"name":null,"seen":null,"amount":null,"ratio":0.25}` + "\n",
	}
	for _, f := range []Format{FormatTable, FormatCSV, FormatJSON} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		n, err := WriteRows(&b, rows, f)
		rows.Close()
		if err != nil || n != 2 {
			t.Fatalf("%s: n = %d, err = %v", f, n, err)
		}
		if b.String() != want[f] {
			t.Errorf("%s:\n%s\nwant:\n%s", f, b.String(), want[f])
		}
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error("ParseFormat(xml) accepted")
	}
	if !FormatParquet.Binary() || !FormatArrow.Binary() || FormatCSV.Binary() {
		t.Error("Binary: want parquet and arrow only")
	}
}

// TestWriteValues writes rows of Go values like a result set, and JSON
// keeps "&" and "<" as they are (not \u0026).
func TestWriteValues(t *testing.T) {
	cols := []string{"key", "old", "new"}
	rows := [][]any{{"a&b@x.com", nil, "Pricing & <Packaging>"}, {"c@x.com", "1", "2"}}
	want := map[Format]string{
		FormatTable: "key        old   new\n" +
			"a&b@x.com  NULL  Pricing & <Packaging>\n" +
			"c@x.com    1     2\n" +
			"(2 rows)\n",
		FormatCSV: "key,old,new\na&b@x.com,,Pricing & <Packaging>\nc@x.com,1,2\n",
		FormatJSON: `{"key":"a&b@x.com","old":null,"new":"Pricing & <Packaging>"}` + "\n" +
			`{"key":"c@x.com","old":"1","new":"2"}` + "\n",
	}
	for _, f := range []Format{FormatTable, FormatCSV, FormatJSON} {
		var b bytes.Buffer
		n, err := WriteValues(&b, cols, rows, f)
		if err != nil || n != 2 {
			t.Fatalf("%s: n = %d, err = %v", f, n, err)
		}
		if b.String() != want[f] {
			t.Errorf("%s:\n%s\nwant:\n%s", f, b.String(), want[f])
		}
	}
	if _, err := WriteValues(&bytes.Buffer{}, cols, [][]any{{"short"}}, FormatCSV); err == nil {
		t.Error("a row with too few values was written")
	}
}
