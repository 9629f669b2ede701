package pipelines

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/zoomsync/zoomsync/internal/output"
	"github.com/zoomsync/zoomsync/transform"
)

// SegmentResult is what one segment wrote.
type SegmentResult struct {
	Name     string
	Out      string
	Format   output.Format
	Rows     int64
	Duration time.Duration
}

// RunSegments runs each segment on a read-only engine
// (transform.OpenReadOnly) and writes its rows to its file, atomically.
// Every segment's SQL is prepared before any runs, so a segment that names a
// missing view or column stops the run before a file is written. done, when
// not nil, is called after each segment. On an error the files of the
// segments before it are written and the results say which.
func RunSegments(ctx context.Context, e *transform.Engine, segs []Segment, done func(SegmentResult)) ([]SegmentResult, error) {
	var errs []error
	for _, s := range segs {
		st, err := e.DB().PrepareContext(ctx, s.SQL)
		if err != nil {
			errs = append(errs, fmt.Errorf("segment %s: %w", s.Name, err))
			continue
		}
		st.Close()
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var res []SegmentResult
	for _, s := range segs {
		start := time.Now()
		if err := os.MkdirAll(filepath.Dir(s.Out), 0o755); err != nil {
			return res, fmt.Errorf("segment %s: %w", s.Name, err)
		}
		n, err := QueryToFile(ctx, e, s.SQL, s.Format, s.Out)
		if err != nil {
			return res, fmt.Errorf("segment %s: %w", s.Name, err)
		}
		r := SegmentResult{Name: s.Name, Out: s.Out, Format: s.Format, Rows: n, Duration: time.Since(start)}
		res = append(res, r)
		if done != nil {
			done(r)
		}
	}
	return res, nil
}
