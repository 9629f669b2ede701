package extract

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/schema"
)

// backfillWindow is the longest range GET /report/users/{userId}/meetings
// takes in one call.
const backfillWindow = 30 * 24 * time.Hour

// Windows splits [from, to) into the one-month windows that Zoom's report
// endpoints take.
func Windows(from, to time.Time) []Window {
	var out []Window
	for s := from; s.Before(to); s = s.Add(backfillWindow) {
		e := s.Add(backfillWindow)
		if e.After(to) {
			e = to
		}
		out = append(out, Window{s, e})
	}
	return out
}

// discover walks each host's past meetings report over the backfill range
// and hands every webinar instance found to found. A window older than Zoom
// keeps reports for is an issue row, not a failure.
func (r *run) discover(ctx context.Context, hosts []schema.User, found func(webinarID int64, hostID string, ref instanceRef)) error {
	for _, h := range hosts {
		for _, w := range Windows(r.cfg.Backfill.From, r.cfg.Backfill.To) {
			opts := &zoom.UserMeetingsOptions{From: w.From, To: w.To.Add(-time.Second), Type: "past"}
			ms, err := listAll(ctx, r.log, "past meetings of "+h.ID, func() iter.Seq2[*zoom.ReportMeeting, error] {
				return r.cfg.Client.Reports.ListUserMeetingsIter(ctx, h.ID, opts)
			})
			for _, m := range ms { // those listed before an error are kept
				if m.IsWebinar() {
					found(m.ID, h.ID, instanceRef{UUID: m.UUID, Start: m.StartTime, End: m.EndTime})
				}
			}
			switch {
			case err == nil, r.limited(err, nil):
			case errors.Is(err, zoom.ErrReportTooOld), errors.Is(err, zoom.ErrBadRequest):
				if err := r.issue(0, "", schema.StreamWebinarInstances, schema.ReasonBackfillWindowTooOld,
					fmt.Sprintf("host %s, %s..%s: %v", h.Email, w.From.Format(time.DateOnly), w.To.Add(-time.Second).Format(time.DateOnly), err)); err != nil {
					return err
				}
			default:
				return fmt.Errorf("listing past meetings of %s: %w", h.ID, err)
			}
		}
	}
	return nil
}
