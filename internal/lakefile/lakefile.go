// Package lakefile writes the raw Parquet part files of the lake: each part
// under a temporary name, synced and renamed when complete, so that a crash
// never leaves a half file that a later run reads. The extractor writes the
// Zoom streams with it, the loader the CRM snapshot streams.
package lakefile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/zoomsync/zoomsync/internal/failpoint"
	"github.com/zoomsync/zoomsync/schema"
)

// partRows is the number of rows after which a part file is closed and the
// next one started, so that one file never grows without bound.
const partRows = 1_000_000

// File is one part file a writer committed (renamed into place): what the
// lake manifest records of it.
type File struct {
	Path   string // relative to the lake directory, slash-separated
	Stream string
	RunID  string
	Rows   int64
	Bytes  int64
	SHA256 string // lower-case hex
}

// PartWriter appends rows of one raw stream to the run's part files. Each
// part is written under a temporary name, synced and renamed on close, so a
// crash never leaves a half file that a later run reads. It is safe for
// concurrent use; Write takes whole snapshots so that one listing is never
// split across a failure.
type PartWriter[T any] struct {
	lake   schema.Lake
	stream string
	runID  string

	mu    sync.Mutex
	part  int
	rows  int64 // rows in the open part
	total int64
	f     *os.File
	tmp   string
	w     *parquet.GenericWriter[T]
	sum   *hashWriter // the open part's bytes, as they are written
	err   error
	files []File // parts committed so far
}

// hashWriter counts and hashes what goes through it to the file.
type hashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (h *hashWriter) Write(b []byte) (int, error) {
	n, err := h.w.Write(b)
	h.h.Write(b[:n])
	h.n += int64(n)
	return n, err
}

// NewPartWriter returns a writer of the part files of stream for runID; it
// creates no file until the first Write.
func NewPartWriter[T any](lake schema.Lake, stream, runID string) *PartWriter[T] {
	return &PartWriter[T]{lake: lake, stream: stream, runID: runID}
}

// Write appends rows. A failed write poisons the writer: the part is
// discarded at Close and the error returned again.
func (p *PartWriter[T]) Write(rows []T) (err error) {
	if len(rows) == 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	defer func() {
		// parquet-go may panic on a value it cannot encode; that must
		// become an error of this stream, not a crash of the run.
		if r := recover(); r != nil {
			err = fmt.Errorf("writing %s rows: %v", p.stream, r)
		}
		if err != nil {
			p.err = err
		}
	}()
	if p.w == nil {
		if err := p.open(); err != nil {
			return err
		}
	}
	if _, err := p.w.Write(rows); err != nil {
		return fmt.Errorf("writing %s rows: %w", p.stream, err)
	}
	p.rows += int64(len(rows))
	p.total += int64(len(rows))
	if p.rows >= partRows {
		return p.finish()
	}
	return nil
}

func (p *PartWriter[T]) open() error {
	final := p.lake.RawPart(p.stream, p.runID, p.part)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	f, err := CreateTemp(filepath.Dir(final), ".part-*.tmp")
	if err != nil {
		return err
	}
	p.f, p.tmp = f, f.Name()
	p.sum = &hashWriter{w: f, h: sha256.New()}
	p.w = parquet.NewGenericWriter[T](p.sum, parquet.Compression(&zstd.Codec{}))
	p.rows = 0
	return nil
}

// finish closes the open part and renames it to its final name.
func (p *PartWriter[T]) finish() error {
	if p.w == nil {
		return nil
	}
	w, f, tmp, sum := p.w, p.f, p.tmp, p.sum
	p.w, p.f, p.tmp, p.sum = nil, nil, "", nil
	err := w.Close()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	final := p.lake.RawPart(p.stream, p.runID, p.part)
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("closing %s part %d: %w", p.stream, p.part, err)
	}
	failpoint.Hit("lake.after-part-rename")
	rel, err := filepath.Rel(p.lake.Dir, final)
	if err != nil {
		return fmt.Errorf("closing %s part %d: %w", p.stream, p.part, err)
	}
	p.files = append(p.files, File{Path: filepath.ToSlash(rel), Stream: p.stream, RunID: p.runID,
		Rows: p.rows, Bytes: sum.n, SHA256: hex.EncodeToString(sum.h.Sum(nil))})
	p.part++
	return nil
}

// Close finishes the open part and returns every part the writer
// committed, in order. After a failed write the open part is discarded and
// the write error returned, with the parts committed before it. Close is
// safe to call twice.
func (p *PartWriter[T]) Close() ([]File, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		if p.f != nil {
			p.f.Close()
			os.Remove(p.tmp)
			p.w, p.f, p.tmp, p.sum = nil, nil, "", nil
		}
		return p.files, p.err
	}
	err := p.finish()
	return p.files, err
}

// Rows is the number of rows written so far.
func (p *PartWriter[T]) Rows() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// SyncFile flushes the file at path to stable storage, so that a rename
// that follows it never publishes a file whose bytes a crash can still lose.
func SyncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Checksum returns the size of the file at path and the lower-case hex
// SHA-256 of its bytes, as File records them.
func Checksum(path string) (bytes int64, sha string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", fmt.Errorf("checksum of %s: %w", path, err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// RemoveTemp deletes the temporary files a killed run left under raw/ and
// out/ (the hidden ".*.tmp" names part and out files are written under
// before their rename) and returns their paths. Call it under the run lock:
// a live writer's temporary file is indistinguishable from a dead one's.
func RemoveTemp(lake schema.Lake) ([]string, error) {
	var removed []string
	var errs []error
	for _, dir := range []string{filepath.Join(lake.Dir, "raw"), filepath.Join(lake.Dir, "out")} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && path == dir {
					return fs.SkipDir
				}
				return err
			}
			name := d.Name()
			if d.Type().IsRegular() && strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".tmp") {
				if err := os.Remove(path); err != nil {
					errs = append(errs, err)
					return nil
				}
				removed = append(removed, path)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("removing temporary files under %s: %w", dir, err))
		}
	}
	return removed, errors.Join(errs...)
}
