package pipelines

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/zoomsync/zoomsync/internal/output"
)

// SegmentResult is what one segment wrote.
type SegmentResult struct {
	Name     string
	Out      string
	Format   output.Format
	Rows     int64
	Duration time.Duration
}

// RunSegments runs each segment in a read-only session (SQLSession) and
// writes its rows to its file, atomically. Every segment's SQL is checked
// (one read-only statement) and prepared before any runs, so a segment that
// is refused or names a missing view or column stops the run before a file
// is written. done, when
// not nil, is called after each segment. On an error the files of the
// segments before it are written and the results say which.
func RunSegments(ctx context.Context, sess *SQLSession, segs []Segment, done func(SegmentResult)) ([]SegmentResult, error) {
	var errs []error
	for _, s := range segs {
		if err := sess.Check(ctx, s.SQL); err != nil {
			errs = append(errs, fmt.Errorf("segment %s: %w", s.Name, err))
			continue
		}
		st, err := sess.conn.PrepareContext(ctx, s.SQL)
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
		n, err := sess.QueryToFile(ctx, s.SQL, s.Format, s.Out)
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
