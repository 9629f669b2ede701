package extract

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/schema"
)

// StageZoomEvents records, per listed webinar, whether it was created in Zoom Events
// (Detail "zoom_events") or not (Detail ""). A webinar is created inside an event or not at
// all, so the decision is made once per webinar id and never fetched again.
const StageZoomEvents = "zoom_events"

// zoomEventsDetail marks a webinar the Zoom Events API names as an event's session.
const zoomEventsDetail = "zoom_events"

// eventsLookup is what the run learnt of Zoom Events before fetching the webinars.
type eventsLookup struct {
	// stopped: a daily limit stopped the lookup; the webinars it did not decide wait for
	// the next run (fetching them could sync a Zoom Events webinar).
	stopped bool
}

// lookupZoomEvents decides, for the listed webinars not decided by an earlier run, whether
// each was created in Zoom Events, and records it in the State (StageZoomEvents). It costs
// the event listings and one sessions call per event, and only when some listed webinar is
// undecided: a run with nothing new makes none of these calls. When the API is not
// available to the app (no Zoom Events license or no scope zoom_events_basic:read:admin)
// nothing is recorded, a warning says why, and the webinars sync as before: the next run
// asks again.
func (r *run) lookupZoomEvents(ctx context.Context, l *listing) error {
	var undecided []int64
	for _, lw := range l.webinars {
		if _, ok := r.state.Get(zoomEventsStage(lw.w.ID)); !ok {
			undecided = append(undecided, lw.w.ID)
		}
	}
	if len(undecided) == 0 {
		return nil
	}
	ids, err := r.zoomEventsWebinars(ctx)
	switch {
	case err == nil:
	case r.limited(err, nil):
		r.events.stopped = true
		return nil
	case zoomEventsUnavailable(err):
		r.log.WarnContext(ctx, "Zoom Events API not available: webinars created in Zoom Events cannot be told apart and sync like any other "+
			"(grant the app the scope zoom_events_basic:read:admin)", "error", err)
		return nil
	default:
		return fmt.Errorf("listing Zoom Events: %w", err)
	}
	for _, id := range undecided {
		detail := ""
		if ids[id] {
			detail = zoomEventsDetail
		}
		r.state.Set(zoomEventsStage(id), StageState{Status: StatusDone, FetchedAt: r.now, SettleAfter: r.now,
			RunID: r.cfg.RunID, Detail: detail})
	}
	return nil
}

// zoomEventsWebinars lists the account's upcoming, past and draft events and returns the
// ids of the webinars their sessions run as. Draft events count: their sessions may already
// run as webinars the hosts' listings show, and the decision is never made again.
//
// The upcoming events are listed first: an app without the scope learns it from that one
// call. Then the past and the draft events are listed side by side, and the sessions of
// every event fetched Config.Concurrency at a time; the first error stops the others.
func (r *run) zoomEventsWebinars(ctx context.Context) (map[int64]bool, error) {
	listEvents := func(ctx context.Context, status string) ([]*zoom.Event, error) {
		return listAll(ctx, r.log, status+" Zoom Events", func() iter.Seq2[*zoom.Event, error] {
			return r.cfg.Client.Events.ListIter(ctx, &zoom.EventListOptions{RoleType: "host", Status: status})
		})
	}
	events, err := listEvents(ctx, zoom.EventStatusUpcoming)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	for _, status := range []string{zoom.EventStatusPast, zoom.EventStatusDraft} {
		g.Go(func() error {
			got, err := listEvents(gctx, status)
			mu.Lock()
			events = append(events, got...)
			mu.Unlock()
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	ids := map[int64]bool{}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Concurrency)
	for _, e := range events {
		g.Go(func() error {
			sessions, _, err := r.cfg.Client.Events.ListSessions(gctx, e.EventID)
			switch {
			case errors.Is(err, zoom.ErrNotFound):
				return nil // deleted since it was listed
			case err != nil:
				return fmt.Errorf("listing the sessions of event %s: %w", e.EventID, err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, s := range sessions {
				if s.Type == zoom.SessionTypeWebinar && s.WebinarID != 0 {
					ids[s.WebinarID] = true
				}
			}
			return nil
		})
	}
	return ids, g.Wait()
}

// zoomEventsUnavailable: the account or the app cannot use the Zoom Events API.
func zoomEventsUnavailable(err error) bool {
	var apiErr *zoom.APIError
	return errors.Is(err, zoom.ErrMissingScope) || errors.Is(err, zoom.ErrNoPermission) ||
		errors.As(err, &apiErr) && apiErr.StatusCode == 403
}

func zoomEventsStage(webinarID int64) Stage {
	return Stage{"webinar", strconv.FormatInt(webinarID, 10), StageZoomEvents}
}

// skipZoomEvents reports whether a listed webinar must not be fetched: it is a Zoom Events
// webinar (an issue row says so, at every run), or the lookup that would decide it was
// stopped by a daily limit (it waits for the next run). A webinar Zoom no longer lists is
// not looked up: it synced before, or it was decided while listed.
func (r *run) skipZoomEvents(t *task) (bool, error) {
	if t.listed == nil {
		return false, nil
	}
	st, decided := r.state.Get(zoomEventsStage(t.id))
	switch {
	case decided && st.Detail == zoomEventsDetail:
		r.skip(schema.ReasonZoomEventsWebinar)
		return true, r.issue(t.id, "", schema.StreamWebinars, schema.ReasonZoomEventsWebinar, "a session of a Zoom Events event")
	case !decided && r.events.stopped:
		r.mu.Lock()
		r.sum.Pending[string(zoom.CategoryLight)]++
		r.mu.Unlock()
		return true, nil
	}
	return false, nil
}
