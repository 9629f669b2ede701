// Package extract pulls webinar activity from the Zoom API into the raw lake.
//
// The extractor walks users → webinars → {registrants per status, past
// instances → report and participants}, converts every page into rows of the
// schema types and appends them to the run's Parquet part files. Independent
// webinars are fetched concurrently; the zoom client's token buckets keep the
// whole run inside Zoom's per-label rate limits, so concurrency only fills the
// buckets, it never bursts past them.
package extract

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/schema"
)

// Stream describes one raw stream: what it is fetched for and under which
// Zoom rate-limit label its calls fall.
type Stream struct {
	Name     string        // folder under raw/
	Parent   string        // the stream whose rows it is fetched for ("" for the root)
	Category zoom.Category // rate-limit label of its calls
	Endpoint string        // the Zoom API call behind it
}

// Streams lists the raw streams in fetch order.
var Streams = []Stream{
	{schema.StreamUsers, "", zoom.CategoryMedium, "GET /users"},
	{schema.StreamWebinars, schema.StreamUsers, zoom.CategoryMedium, "GET /users/{userId}/webinars, GET /webinars/{webinarId}"},
	{schema.StreamRegistrants, schema.StreamWebinars, zoom.CategoryMedium, "GET /webinars/{webinarId}/registrants?status=approved|pending|denied"},
	{schema.StreamWebinarInstances, schema.StreamWebinars, zoom.CategoryLight, "GET /past_webinars/{webinarId}/instances"},
	{schema.StreamInstanceReports, schema.StreamWebinarInstances, zoom.CategoryHeavy, "GET /report/webinars/{uuid}"},
	{schema.StreamParticipants, schema.StreamWebinarInstances, zoom.CategoryHeavy, "GET /report/webinars/{uuid}/participants"},
}

// RegistrantStatuses are the statuses listed one call each: Zoom returns
// only approved registrants unless asked.
var RegistrantStatuses = []string{"approved", "pending", "denied"}

// Config configures one extraction.
type Config struct {
	Client      *zoom.Client
	Lake        schema.Lake
	RunID       string
	Concurrency int // webinars fetched at once; 0 means 8
	Logger      *slog.Logger
	// Progress, when set, is called after each webinar is done.
	Progress func(done, total int)
	// Now stamps fetched_at; nil means time.Now.
	Now func() time.Time
}

// Summary counts what a run fetched.
type Summary struct {
	Users, Hosts, Webinars, Instances, Reports, Registrants, Participants, Issues int64
	// WebinarErrors are the webinars that could not be fetched, by id.
	WebinarErrors map[int64]string `json:",omitempty"`
}

// ErrStopped is returned (wrapped) when the run stopped before the end
// because Zoom's daily limit was reached; what was fetched is kept.
var ErrStopped = errors.New("extraction stopped early")

type run struct {
	cfg  Config
	log  *slog.Logger
	sum  Summary
	mu   sync.Mutex // guards sum.WebinarErrors
	now  func() time.Time
	stop atomic.Pointer[error]

	users        *partWriter[schema.User]
	webinars     *partWriter[schema.Webinar]
	instances    *partWriter[schema.WebinarInstance]
	reports      *partWriter[schema.InstanceReport]
	registrants  *partWriter[schema.Registrant]
	participants *partWriter[schema.Participant]
	issues       *partWriter[schema.ExtractIssue]
}

// Run fetches everything the account's licensed users host into raw part
// files of cfg.RunID. Every part file that Run closes holds whole listings
// only. When Zoom's daily limit stops it, Run returns what it fetched and an
// error wrapping both ErrStopped and the zoom rate-limit error.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if cfg.Client == nil || cfg.RunID == "" || cfg.Lake.Dir == "" {
		return nil, errors.New("extract: client, run id and lake are required")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	r := &run{cfg: cfg, log: cfg.Logger, now: cfg.Now}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	r.log = r.log.With("run_id", cfg.RunID)
	r.sum.WebinarErrors = map[int64]string{}
	r.users = newPartWriter[schema.User](cfg.Lake, schema.StreamUsers, cfg.RunID)
	r.webinars = newPartWriter[schema.Webinar](cfg.Lake, schema.StreamWebinars, cfg.RunID)
	r.instances = newPartWriter[schema.WebinarInstance](cfg.Lake, schema.StreamWebinarInstances, cfg.RunID)
	r.reports = newPartWriter[schema.InstanceReport](cfg.Lake, schema.StreamInstanceReports, cfg.RunID)
	r.registrants = newPartWriter[schema.Registrant](cfg.Lake, schema.StreamRegistrants, cfg.RunID)
	r.participants = newPartWriter[schema.Participant](cfg.Lake, schema.StreamParticipants, cfg.RunID)
	r.issues = newPartWriter[schema.ExtractIssue](cfg.Lake, schema.StreamExtractIssues, cfg.RunID)

	err := r.all(ctx)
	if cerr := r.close(); err == nil {
		err = cerr
	}
	r.sum.Users = r.users.Rows()
	r.sum.Webinars = r.webinars.Rows()
	r.sum.Instances = r.instances.Rows()
	r.sum.Reports = r.reports.Rows()
	r.sum.Registrants = r.registrants.Rows()
	r.sum.Participants = r.participants.Rows()
	r.sum.Issues = r.issues.Rows()
	if err == nil {
		if p := r.stop.Load(); p != nil {
			err = fmt.Errorf("%w: %w", ErrStopped, *p)
		}
	}
	return &r.sum, err
}

func (r *run) close() error {
	return errors.Join(r.users.Close(), r.webinars.Close(), r.instances.Close(), r.reports.Close(),
		r.registrants.Close(), r.participants.Close(), r.issues.Close())
}

// all lists the hosts, then fetches their webinars concurrently.
func (r *run) all(ctx context.Context) error {
	fetched := r.now().UTC()
	var users []schema.User
	for u, err := range r.cfg.Client.Users.ListIter(ctx, &zoom.UserListOptions{Status: "active"}) {
		if err != nil {
			return fmt.Errorf("listing users: %w", err)
		}
		users = append(users, userRow(r.cfg.RunID, fetched, u))
	}
	if err := r.users.Write(users); err != nil {
		return err
	}

	// Only licensed users host webinars; listing the others answers
	// 400 code 3161 or an empty page and costs a Medium call each.
	type listed struct {
		hostID string
		w      *zoom.Webinar
	}
	var webinars []listed
	seen := map[int64]bool{}
	for _, u := range users {
		if u.Type != 2 || u.ID == "" {
			continue
		}
		r.sum.Hosts++
		for w, err := range r.cfg.Client.Webinars.ListIter(ctx, u.ID, &zoom.WebinarListOptions{Type: "scheduled"}) {
			if err != nil {
				if r.stopIfDaily(err) {
					return nil
				}
				return fmt.Errorf("listing webinars of user %s: %w", u.ID, err)
			}
			if seen[w.ID] {
				continue
			}
			seen[w.ID] = true
			webinars = append(webinars, listed{u.ID, w})
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Concurrency)
	var done atomic.Int64
	for _, l := range webinars {
		g.Go(func() error {
			err := r.webinar(gctx, l.hostID, l.w)
			n := done.Add(1)
			if r.cfg.Progress != nil {
				r.cfg.Progress(int(n), len(webinars))
			}
			switch {
			case err == nil:
				return nil
			case gctx.Err() != nil:
				return gctx.Err()
			case r.stopIfDaily(err):
				return nil
			default:
				// One webinar's failure does not lose the others: it is
				// recorded and the run ends as partial.
				r.log.WarnContext(gctx, "webinar not fetched", "webinar_id", l.w.ID, "error", err)
				r.mu.Lock()
				r.sum.WebinarErrors[l.w.ID] = err.Error()
				r.mu.Unlock()
				return nil
			}
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// stopIfDaily records a daily-limit stop and reports whether err was one.
func (r *run) stopIfDaily(err error) bool {
	if !errors.Is(err, zoom.ErrDailyLimit) {
		return false
	}
	r.stop.CompareAndSwap(nil, &err)
	return true
}

func (r *run) stopped() bool { return r.stop.Load() != nil }

// webinar fetches one webinar's detail, registrants, instances, reports and
// participants. Each listing is written only once it is whole.
func (r *run) webinar(ctx context.Context, hostID string, listed *zoom.Webinar) error {
	if r.stopped() {
		return nil
	}
	log := r.log.With("webinar_id", listed.ID)
	w, _, err := r.cfg.Client.Webinars.Get(ctx, listed.ID)
	if errors.Is(err, zoom.ErrNotFound) {
		return r.issue(listed.ID, "", schema.StreamWebinars, schema.ReasonWebinarMissing, err.Error())
	}
	if err != nil {
		return fmt.Errorf("getting webinar %d: %w", listed.ID, err)
	}
	row := webinarRow(r.cfg.RunID, r.now().UTC(), w)
	if row.HostID == "" {
		row.HostID = hostID
	}
	if err := r.webinars.Write([]schema.Webinar{row}); err != nil {
		return err
	}

	if row.ApprovalType == 2 {
		if err := r.issue(w.ID, "", schema.StreamRegistrants, schema.ReasonNoRegistration, "approval_type 2: registration is off"); err != nil {
			return err
		}
	} else {
		for _, status := range RegistrantStatuses {
			if err := r.registrantsOf(ctx, w.ID, status); err != nil {
				return err
			}
		}
	}

	fetched := r.now().UTC()
	past, _, err := r.cfg.Client.Webinars.ListPastInstances(ctx, w.ID)
	if errors.Is(err, zoom.ErrNotFound) {
		past = nil // never held: Zoom answers 404/3001 or an empty list
	} else if err != nil {
		return fmt.Errorf("listing past instances of %d: %w", w.ID, err)
	}
	rows := make([]schema.WebinarInstance, 0, len(past))
	for _, p := range past {
		rows = append(rows, schema.WebinarInstance{RunID: r.cfg.RunID, FetchedAt: fetched, WebinarID: w.ID, UUID: p.UUID, StartTime: p.StartTime})
	}
	if err := r.instances.Write(rows); err != nil {
		return err
	}
	for _, p := range past {
		if err := r.instance(ctx, w.ID, p.UUID); err != nil {
			log.DebugContext(ctx, "instance not fetched", "uuid", p.UUID, "error", err)
			return err
		}
	}
	return nil
}

func (r *run) registrantsOf(ctx context.Context, webinarID int64, status string) error {
	fetched := r.now().UTC()
	var rows []schema.Registrant
	for reg, err := range r.cfg.Client.Webinars.ListRegistrantsIter(ctx, webinarID, &zoom.RegistrantListOptions{Status: status}) {
		if err != nil {
			var apiErr *zoom.APIError
			if errors.As(err, &apiErr) && apiErr.Code == 3000 {
				return r.issue(webinarID, "", schema.StreamRegistrants, schema.ReasonNoRegistration, apiErr.Message)
			}
			return fmt.Errorf("listing %s registrants of %d: %w", status, webinarID, err)
		}
		rows = append(rows, registrantRow(r.cfg.RunID, fetched, webinarID, reg))
	}
	return r.registrants.Write(rows)
}

// instance fetches the report (the span) and the participants of one held
// instance, by its uuid.
func (r *run) instance(ctx context.Context, webinarID int64, uuid string) error {
	fetched := r.now().UTC()
	rep, _, err := r.cfg.Client.Reports.GetWebinar(ctx, uuid)
	switch {
	case errors.Is(err, zoom.ErrReportTooOld):
		return r.issue(webinarID, uuid, schema.StreamInstanceReports, schema.ReasonReportTooOld, err.Error())
	case errors.Is(err, zoom.ErrNotFound):
		return r.issue(webinarID, uuid, schema.StreamInstanceReports, schema.ReasonReportMissing, err.Error())
	case err != nil:
		return fmt.Errorf("getting report of instance %s: %w", uuid, err)
	}
	if err := r.reports.Write([]schema.InstanceReport{reportRow(r.cfg.RunID, fetched, webinarID, uuid, rep)}); err != nil {
		return err
	}
	var rows []schema.Participant
	for p, err := range r.cfg.Client.Reports.ListParticipantsIter(ctx, uuid, nil) {
		if err != nil {
			return fmt.Errorf("listing participants of instance %s: %w", uuid, err)
		}
		rows = append(rows, participantRow(r.cfg.RunID, fetched, webinarID, uuid, int32(len(rows)), p))
	}
	return r.participants.Write(rows)
}

func (r *run) issue(webinarID int64, uuid, stream, reason, detail string) error {
	return r.issues.Write([]schema.ExtractIssue{{
		RunID: r.cfg.RunID, FetchedAt: r.now().UTC(), WebinarID: webinarID, InstanceUUID: uuid,
		Stream: stream, Reason: reason, Detail: detail,
	}})
}
