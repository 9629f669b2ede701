package lakefile

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/zoomsync/zoomsync/schema"
)

type row struct {
	ID   int64  `parquet:"id"`
	Name string `parquet:"name"`
}

func TestPartWriter_CloseReturnsCommittedFiles(t *testing.T) {
	t.Parallel()
	lake := schema.Lake{Dir: t.TempDir()}
	w := NewPartWriter[row](lake, "things", "r1")
	if err := w.Write([]row{{1, "a"}, {2, "b"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]row{{3, "c"}}); err != nil {
		t.Fatal(err)
	}
	files, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 {
		t.Fatalf("Close returned %d files, want 1: %+v", len(files), files)
	}
	f := files[0]
	if f.Path != "raw/things/run=r1/part-0.parquet" || f.Stream != "things" || f.RunID != "r1" || f.Rows != 3 {
		t.Errorf("file = %+v, want raw/things/run=r1/part-0.parquet, things, r1, 3 rows", f)
	}
	abs := filepath.Join(lake.Dir, filepath.FromSlash(f.Path))
	b, err := os.ReadFile(abs)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if f.Bytes != int64(len(b)) || f.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("file says %d bytes sha256 %s; the file has %d bytes sha256 %x", f.Bytes, f.SHA256, len(b), sum)
	}
	n, sha, err := Checksum(abs)
	if err != nil || n != f.Bytes || sha != f.SHA256 {
		t.Errorf("Checksum = %d, %s, %v; want %d, %s", n, sha, err, f.Bytes, f.SHA256)
	}
	got, err := parquet.ReadFile[row](abs)
	if err != nil || len(got) != 3 {
		t.Fatalf("reading back: %d rows, %v", len(got), err)
	}
	// Close again: the same files, nothing new.
	again, err := w.Close()
	if err != nil || !slices.Equal(again, files) {
		t.Errorf("second Close = %+v, %v; want the same files", again, err)
	}
}

func TestPartWriter_CloseWithoutRows(t *testing.T) {
	t.Parallel()
	lake := schema.Lake{Dir: t.TempDir()}
	files, err := NewPartWriter[row](lake, "things", "r1").Close()
	if err != nil || len(files) != 0 {
		t.Errorf("Close of an unused writer = %+v, %v; want no file", files, err)
	}
}

func TestRemoveTemp(t *testing.T) {
	t.Parallel()
	lake := schema.Lake{Dir: t.TempDir()}
	mk := func(rel string, data string) string {
		p := filepath.Join(lake.Dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// What a SIGKILL leaves: a zero-byte part temp file, and an out temp file.
	stale := []string{
		mk("raw/participants/run=r1/.part-123456.tmp", ""),
		mk("out/.contacts-1700000000.parquet.tmp", "half"),
	}
	keep := []string{
		mk("raw/participants/run=r1/part-0.parquet", "PAR1"),
		mk("out/contacts.parquet", "PAR1"),
		mk("raw/participants/run=r1/notes.tmp", "not hidden: not ours"),
		mk("zoomsync.duckdb.tmp", "outside raw/ and out/"),
		mk(".lock", ""),
	}
	removed, err := RemoveTemp(lake)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	slices.Sort(stale)
	if !slices.Equal(removed, stale) {
		t.Errorf("removed %v, want %v", removed, stale)
	}
	for _, p := range stale {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there (%v)", p, err)
		}
	}
	for _, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", p, err)
		}
	}
	// A lake without raw/ or out/ yet is fine.
	if removed, err := RemoveTemp(schema.Lake{Dir: t.TempDir()}); err != nil || len(removed) != 0 {
		t.Errorf("RemoveTemp of an empty lake = %v, %v", removed, err)
	}
}
