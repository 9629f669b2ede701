package transform

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// DefaultSessionGap is the session gap of an engine opened without
// WithSessionGap: zoomsync.yaml's zoom.session_gap_minutes default.
const DefaultSessionGap = 15 * time.Minute

// WithSessionGap sets how far apart (at most) the report spans of two
// instances of one webinar id may be for them to form one session: when the
// host's connection drops, Zoom ends the instance and starts another (new
// uuid, same webinar id) minutes later (052_sessions.sql). Zero (or less)
// turns stitching off: every instance is a session of its own.
func WithSessionGap(gap time.Duration) Option {
	return func(e *Engine) { e.sessionGap = max(gap, 0) }
}

// fillSessionSettings (re)creates the table session_settings(gap_us) that
// 052_sessions.sql reads: the engine's session gap in microseconds, one
// row. A persisted table, like the rule tables, so that the views read by
// segment queries (read-only) bind to the gap of the last transform.
func (e *Engine) fillSessionSettings(ctx context.Context, q execQuerier) error {
	gap := e.sessionGap
	stmts := []string{
		"CREATE OR REPLACE TABLE session_settings (gap_us BIGINT NOT NULL)",
		"INSERT INTO session_settings VALUES (" + strconv.FormatInt(gap.Microseconds(), 10) + ")",
	}
	for _, s := range stmts {
		if _, err := q.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("transform: filling session_settings: %w", err)
		}
	}
	return nil
}
