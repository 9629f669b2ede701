// Package lakefile writes the raw Parquet part files of the lake: each part
// under a temporary name, synced and renamed when complete, so that a crash
// never leaves a half file that a later run reads. The extractor writes the
// Zoom streams with it, the loader the CRM snapshot streams.
package lakefile

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/zoomsync/zoomsync/schema"
)

// partRows is the number of rows after which a part file is closed and the
// next one started, so that one file never grows without bound.
const partRows = 1_000_000

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
	err   error
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
	f, err := os.CreateTemp(filepath.Dir(final), ".part-*.tmp")
	if err != nil {
		return err
	}
	p.f, p.tmp = f, f.Name()
	p.w = parquet.NewGenericWriter[T](f, parquet.Compression(&zstd.Codec{}))
	p.rows = 0
	return nil
}

// finish closes the open part and renames it to its final name.
func (p *PartWriter[T]) finish() error {
	if p.w == nil {
		return nil
	}
	w, f, tmp := p.w, p.f, p.tmp
	p.w, p.f, p.tmp = nil, nil, ""
	err := w.Close()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p.lake.RawPart(p.stream, p.runID, p.part))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("closing %s part %d: %w", p.stream, p.part, err)
	}
	p.part++
	return nil
}

// Close finishes the open part. After a failed write the open part is
// discarded and the write error returned. Close is safe to call twice.
func (p *PartWriter[T]) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		if p.f != nil {
			p.f.Close()
			os.Remove(p.tmp)
			p.w, p.f, p.tmp = nil, nil, ""
		}
		return p.err
	}
	return p.finish()
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
