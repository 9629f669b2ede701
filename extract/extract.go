// Package extract pulls webinar activity from the Zoom API into the raw lake.
//
// The extractor lists the account's users and the webinars of its licensed
// hosts, skips those created in Zoom Events (zoomevents.go), decides per
// webinar whether it syncs (the Selector: zoomsync.yaml's settings), and
// fetches, for each that does, its detail, registration
// form, panelists, registrants and registration tracking sources, and for
// each held instance the report, participants, absentees, Q&A, poll and
// survey reports, cloud recording and transcripts. It converts every
// page into rows of the schema types and appends them to the run's Parquet
// part files.
//
// Runs are incremental: the State says what earlier runs fetched and until
// when Zoom may still change it (an instance's report fills for a while
// after it ends: the look-back). A stage that is settled is not fetched
// again, so a run with nothing new makes only the listing calls.
//
// Independent webinars are fetched concurrently, the instances of a webinar
// side by side, and the stages of an instance after its report side by
// side; the zoom client's token buckets keep the whole run inside Zoom's
// per-label rate limits. A daily
// limit stops the calls of its label only: the other labels go on, and the
// stages left are pending in the State, so the next run resumes them.
package extract

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/internal/failpoint"
	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/schema"
)

// registrantStatuses are the statuses listed one call each: Zoom returns
// only approved registrants unless asked.
var registrantStatuses = [...]string{zoom.RegistrantApproved, zoom.RegistrantPending, zoom.RegistrantDenied}

// Decision is whether a webinar syncs, and with its recordings.
type Decision struct {
	Sync             bool
	Reason           string // why not, when !Sync
	Recordings       bool
	RecordingsReason string // why not, when !Recordings
}

// Selector decides per webinar from the sync settings. createdAt is the
// webinar's created_at (zero when unknown: a webinar found by a backfill
// only), for settings that apply to webinars created after they took effect.
type Selector interface {
	Decide(hostID, hostEmail string, webinarID int64, createdAt time.Time) Decision
}

// Window is a backfill range [From, To).
type Window struct{ From, To time.Time }

// Config configures one extraction.
type Config struct {
	Client      *zoom.Client
	Lake        schema.Lake
	RunID       string
	Concurrency int // webinars fetched at once; 0 means 8
	Logger      *slog.Logger
	// Progress, when set, is called after each webinar is done.
	Progress func(done, total int)
	// Now stamps fetched_at and decides what is settled; nil means time.Now.
	Now func() time.Time
	// Selector decides which webinars sync; nil syncs every webinar.
	Selector Selector
	// State is what earlier runs fetched; nil means a first run.
	State *State
	// Lookback is how long after an instance ends it is fetched again; 0 means 48 h.
	Lookback time.Duration
	// Only, when set, syncs just these webinars, whatever the settings say.
	Only []int64
	// Backfill, when set, also discovers held instances in this range
	// through GET /report/users/{userId}/meetings, in one-month windows,
	// including webinars that Zoom no longer lists.
	Backfill *Window
	// MaxTranscriptBytes caps one transcript download; 0 means 64 MiB.
	MaxTranscriptBytes int64
}

// Summary counts what a run fetched.
type Summary struct {
	Users, Hosts, Webinars, Instances, Reports, Registrants, Participants    int64
	Panelists, Absentees, Recordings, RecordingFiles, TranscriptCues, Issues int64
	// The engagement rows (issue 11).
	WebinarQuestions, PollAnswers, SurveyAnswers, TrackingSources int64
	// Skipped counts the webinars that did not sync, by reason.
	Skipped map[string]int `json:",omitempty"`
	// WebinarErrors are the webinars that could not be fetched, by id.
	WebinarErrors map[int64]string `json:",omitempty"`
	// Pending counts the fetches a daily limit left for the next run, by
	// rate-limit label; ResetAt is when the first such limit resets.
	Pending map[string]int `json:",omitempty"`
	ResetAt time.Time      `json:",omitzero"`
	// Files are the raw part files the run committed, an interrupted
	// run's included, for the lake manifest (which records them; the runs
	// summary does not repeat them).
	Files []lakefile.File `json:"-"`
}

// ErrStopped is returned (wrapped) when Zoom's daily limit left fetches for
// the next run; what was fetched is kept.
var ErrStopped = errors.New("extraction stopped early")

// ErrUnknownWebinar is returned when a webinar asked for with Only is
// neither listed by Zoom, nor known from an earlier run, nor found by a
// backfill: there is nothing to sync it from. (zoom.ErrWebinarNotFound is
// Zoom's code 3001 on one call; this is the run's verdict on the id.)
var ErrUnknownWebinar = errors.New("webinar unknown to the account")

// stageForever marks a stage that is never settled while the webinar is
// listed (a webinar with future occurrences keeps registrations coming).
var stageForever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

type run struct {
	cfg      Config
	log      *slog.Logger
	now      time.Time
	lookback time.Duration
	state    *State
	events   eventsLookup // zoomevents.go
	// listedWhole is set when every host's webinar listing was read whole: a
	// known webinar missing from them is one Zoom no longer lists.
	listedWhole bool

	mu  sync.Mutex // guards sum's maps and ResetAt
	sum Summary

	// instanceSlots are the run's instance tasks in flight, shared by
	// every webinar: a webinar with many instances fetches them side by
	// side, so the labels' limiters stay busy at any latency.
	instanceSlots chan struct{}

	users        *partWriter[schema.User]
	webinars     *partWriter[schema.Webinar]
	occurrences  *partWriter[schema.WebinarOccurrence]
	questions    *partWriter[schema.RegistrationQuestion]
	panelists    *partWriter[schema.Panelist]
	instances    *partWriter[schema.WebinarInstance]
	reports      *partWriter[schema.InstanceReport]
	registrants  *partWriter[schema.Registrant]
	participants *partWriter[schema.Participant]
	absentees    *partWriter[schema.Absentee]
	recordings   *partWriter[schema.Recording]
	files        *partWriter[schema.RecordingFile]
	cues         *partWriter[schema.TranscriptCue]
	issues       *partWriter[schema.ExtractIssue]
	engage       engagementWriters
}

// Run fetches what needs fetching into raw part files of cfg.RunID, and
// updates cfg.State. Every part file that Run closes holds whole listings
// only; Summary.Files lists them. When a daily limit left fetches for later,
// Run returns what it fetched and an error wrapping ErrStopped and
// zoom.ErrDailyLimit. When ctx ends (SIGINT, SIGTERM), Run stops at the
// next call, starts no other webinar, commits the part files of the stages
// it completed and keeps their cursors in the State (State.Changes), and
// returns an error wrapping ctx's error: the caller commits them, and the
// next run fetches only the rest.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	if cfg.Client == nil || cfg.RunID == "" || cfg.Lake.Dir == "" {
		return nil, errors.New("extract: client, run id and lake are required")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.MaxTranscriptBytes <= 0 {
		cfg.MaxTranscriptBytes = 64 << 20
	}
	r := &run{cfg: cfg, log: cfg.Logger, lookback: cfg.Lookback, state: cfg.State,
		instanceSlots: make(chan struct{}, 2*cfg.Concurrency)}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		r.cfg.Now = time.Now
	}
	r.now = r.cfg.Now().UTC()
	if r.lookback <= 0 {
		r.lookback = 48 * time.Hour
	}
	if r.state == nil {
		r.state = NewState(nil)
	}
	r.log = r.log.With("run_id", cfg.RunID)
	r.sum.Skipped, r.sum.WebinarErrors, r.sum.Pending = map[string]int{}, map[int64]string{}, map[string]int{}
	l, id := cfg.Lake, cfg.RunID
	r.users = newPartWriter[schema.User](l, schema.StreamUsers, id)
	r.webinars = newPartWriter[schema.Webinar](l, schema.StreamWebinars, id)
	r.occurrences = newPartWriter[schema.WebinarOccurrence](l, schema.StreamOccurrences, id)
	r.questions = newPartWriter[schema.RegistrationQuestion](l, schema.StreamQuestions, id)
	r.panelists = newPartWriter[schema.Panelist](l, schema.StreamPanelists, id)
	r.instances = newPartWriter[schema.WebinarInstance](l, schema.StreamWebinarInstances, id)
	r.reports = newPartWriter[schema.InstanceReport](l, schema.StreamInstanceReports, id)
	r.registrants = newPartWriter[schema.Registrant](l, schema.StreamRegistrants, id)
	r.participants = newPartWriter[schema.Participant](l, schema.StreamParticipants, id)
	r.absentees = newPartWriter[schema.Absentee](l, schema.StreamAbsentees, id)
	r.recordings = newPartWriter[schema.Recording](l, schema.StreamRecordings, id)
	r.files = newPartWriter[schema.RecordingFile](l, schema.StreamRecordingFiles, id)
	r.cues = newPartWriter[schema.TranscriptCue](l, schema.StreamTranscripts, id)
	r.issues = newPartWriter[schema.ExtractIssue](l, schema.StreamExtractIssues, id)
	r.engage = newEngagementWriters(l, id)

	err := r.all(ctx)
	if cerr := r.close(); cerr != nil {
		// A part file was discarded: the stages marked done this run may
		// have rows in it, so none of this run's cursors may be kept; the
		// next run fetches again (staging keeps one snapshot per key).
		r.state.discardChanges()
		err = errors.Join(err, cerr)
	}
	s := &r.sum
	s.Users, s.Webinars, s.Instances, s.Reports = r.users.Rows(), r.webinars.Rows(), r.instances.Rows(), r.reports.Rows()
	s.Registrants, s.Participants, s.Panelists, s.Absentees = r.registrants.Rows(), r.participants.Rows(), r.panelists.Rows(), r.absentees.Rows()
	s.Recordings, s.RecordingFiles, s.TranscriptCues, s.Issues = r.recordings.Rows(), r.files.Rows(), r.cues.Rows(), r.issues.Rows()
	r.engage.count(s)
	if ctx.Err() != nil && err != nil {
		// Interrupted: what the stages completed before it is committed
		// (their part files closed, their cursors in the State).
		err = fmt.Errorf("extraction interrupted; %d part files of the completed stages kept: %w", len(s.Files), err)
	}
	if err == nil && len(s.Pending) > 0 {
		n := 0
		for _, v := range s.Pending {
			n += v
		}
		err = fmt.Errorf("%w: Zoom's daily limit left %d fetches (%v) for the next run; it resets at %s: %w",
			ErrStopped, n, s.Pending, s.ResetAt.Format(time.RFC3339), zoom.ErrDailyLimit)
	}
	return s, err
}

// close finishes every writer and records the files they committed in the
// Summary.
func (r *run) close() error {
	var errs []error
	for _, c := range append([]func() ([]lakefile.File, error){r.users.Close, r.webinars.Close, r.occurrences.Close,
		r.questions.Close, r.panelists.Close, r.instances.Close, r.reports.Close, r.registrants.Close,
		r.participants.Close, r.absentees.Close, r.recordings.Close, r.files.Close, r.cues.Close, r.issues.Close},
		r.engage.closers()...) {
		files, err := c()
		r.sum.Files = append(r.sum.Files, files...)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// task is one webinar to sync.
type task struct {
	id        int64
	hostID    string
	hostEmail string
	listed    *zoom.Webinar // nil when Zoom no longer lists it
	found     []instanceRef // instances a backfill found
	forced    bool          // --webinar: whatever the settings say
}

// instanceRef is a held instance as the listings give it.
type instanceRef struct {
	UUID  string    `json:"uuid"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
}

// webinarFacts is what a run keeps of a webinar's detail in the State.
type webinarFacts struct {
	Hash         string    `json:"hash"`
	HostID       string    `json:"host_id"`
	HostEmail    string    `json:"host_email"`
	Type         int       `json:"type"`
	Start        time.Time `json:"start"`
	Duration     int       `json:"duration"`
	ApprovalType int       `json:"approval_type"`
	Listed       bool      `json:"listed"`
	CreatedAt    time.Time `json:"created_at,omitzero"`
}

// all lists the hosts and webinars, plans the tasks, then fetches them.
func (r *run) all(ctx context.Context) error {
	l, err := r.list(ctx)
	if err != nil {
		return err
	}
	if err := r.lookupZoomEvents(ctx, l); err != nil {
		return err
	}
	failpoint.Hit("extract.after-listing")
	return r.fetch(ctx, r.plan(l))
}

// listing is what the listing calls of a run returned.
type listing struct {
	emails   map[string]string // user id → email
	webinars []listedWebinar   // in listing order, host by host
	found    []foundInstance   // instances a backfill found, in order
}

type listedWebinar struct {
	host schema.User
	w    *zoom.Webinar
}

type foundInstance struct {
	webinarID int64
	hostID    string
	ref       instanceRef
}

// list reads the account's users (written to the lake), the webinars of its
// hosts and, on a backfill, the instances their meetings reports name. A
// daily limit on a webinar listing leaves listedWhole false.
func (r *run) list(ctx context.Context) (*listing, error) {
	zusers, err := listAll(ctx, r.log, "users", func() iter.Seq2[*zoom.User, error] {
		return r.cfg.Client.Users.ListIter(ctx, &zoom.UserListOptions{Status: "active"})
	})
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	users := make([]schema.User, 0, len(zusers))
	for _, u := range zusers {
		users = append(users, userRow(r.cfg.RunID, r.now, u))
	}
	if err := r.users.Write(users); err != nil {
		return nil, err
	}
	l := &listing{emails: map[string]string{}}
	for _, u := range users {
		l.emails[u.ID] = u.Email
	}
	hosts := hostsOf(users)
	r.sum.Hosts = int64(len(hosts))
	r.listedWhole = true
	listed, errs := r.listWebinars(ctx, hosts)
	for i, u := range hosts {
		for _, w := range listed[i] { // those listed before a daily limit stopped the listing are kept
			l.webinars = append(l.webinars, listedWebinar{host: u, w: w})
		}
		if err := errs[i]; err != nil {
			if !r.limited(err, nil) {
				return nil, fmt.Errorf("listing webinars of user %s: %w", u.ID, err)
			}
			r.listedWhole = false
		}
	}
	if r.cfg.Backfill != nil {
		if err := r.discover(ctx, hosts, func(id int64, hostID string, ref instanceRef) {
			l.found = append(l.found, foundInstance{webinarID: id, hostID: hostID, ref: ref})
		}); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// listWebinars lists the webinars of every host, Config.Concurrency hosts
// at a time (one round trip for the hosts of a small account, not one
// each): each host's listing, and the error that ended it, at its index.
func (r *run) listWebinars(ctx context.Context, hosts []schema.User) ([][]*zoom.Webinar, []error) {
	listed, errs := make([][]*zoom.Webinar, len(hosts)), make([]error, len(hosts))
	var g errgroup.Group
	g.SetLimit(r.cfg.Concurrency)
	for i, u := range hosts {
		g.Go(func() error {
			listed[i], errs[i] = listAll(ctx, r.log, "webinars of "+u.ID, func() iter.Seq2[*zoom.Webinar, error] {
				return r.cfg.Client.Webinars.ListIter(ctx, u.ID, &zoom.WebinarListOptions{Type: "scheduled"})
			})
			return nil
		})
	}
	g.Wait()
	return listed, errs
}

// hostsOf returns the users who can host webinars. Only licensed users do;
// listing the others answers 400 code 3161 or an empty page and costs a
// Medium call each.
func hostsOf(users []schema.User) []schema.User {
	var hosts []schema.User
	for _, u := range users {
		if u.Type == zoom.UserTypeLicensed && u.ID != "" {
			hosts = append(hosts, u)
		}
	}
	return hosts
}

// plan decides the webinars to sync from the listing and the State, without
// a call: the listed webinars, those a backfill found, those an earlier run
// fetched that Zoom no longer lists, each once, in that order; with
// Config.Only, just those, in the order asked.
func (r *run) plan(l *listing) []*task {
	tasks := map[int64]*task{}
	var order []*task
	add := func(t *task) *task {
		if old, ok := tasks[t.id]; ok {
			return old
		}
		tasks[t.id] = t
		order = append(order, t)
		return t
	}
	for _, lw := range l.webinars {
		add(&task{id: lw.w.ID, hostID: lw.host.ID, hostEmail: lw.host.Email, listed: lw.w})
	}
	for _, fi := range l.found {
		t := add(&task{id: fi.webinarID, hostID: fi.hostID, hostEmail: l.emails[fi.hostID]})
		t.found = append(t.found, fi.ref)
	}
	// Webinars an earlier run fetched that Zoom no longer lists (expired):
	// their instances may still need their reports.
	for _, s := range r.state.Known("webinar", StageDetail) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			continue
		}
		if _, ok := tasks[id]; !ok {
			f := r.facts(id)
			add(&task{id: id, hostID: f.HostID, hostEmail: f.HostEmail})
		}
	}
	if len(r.cfg.Only) == 0 {
		return order
	}
	only := make([]*task, 0, len(r.cfg.Only))
	for _, id := range r.cfg.Only {
		t, ok := tasks[id]
		if !ok {
			t = &task{id: id}
		}
		t.forced = true
		only = append(only, t)
	}
	return only
}

// fetch syncs the planned webinars, Config.Concurrency at a time. One
// webinar's failure is recorded in the Summary and does not stop the others,
// unless it was asked for with Only. When ctx ends, the webinars under way
// stop at their next call and no other starts.
func (r *run) fetch(ctx context.Context, tasks []*task) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.cfg.Concurrency)
	var done atomic.Int64
	for _, t := range tasks {
		g.Go(func() error {
			err := r.fetchOne(gctx, t)
			failpoint.Hit("extract.after-webinar")
			n := done.Add(1)
			if r.cfg.Progress != nil {
				r.cfg.Progress(int(n), len(tasks))
			}
			switch {
			case err == nil:
				return nil
			case gctx.Err() != nil:
				return gctx.Err()
			case t.forced:
				return err
			default:
				// One webinar's failure does not lose the others: it is
				// recorded and the run ends as partial.
				r.log.WarnContext(gctx, "webinar not fetched", "webinar_id", t.id, "error", err)
				r.webinarError(t.id, err)
				return nil
			}
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// fetchOne syncs one webinar. A bug met on one webinar's data must not take
// the whole run down from a goroutine no caller can recover: a panic becomes
// that webinar's error in the Summary.
func (r *run) fetchOne(ctx context.Context, t *task) (err error) {
	if err := ctx.Err(); err != nil {
		return err // interrupted: no webinar is started after that
	}
	defer func() {
		if p := recover(); p != nil {
			r.log.ErrorContext(ctx, "panic while fetching a webinar", "webinar_id", t.id, "panic", p, "stack", string(debug.Stack()))
			r.webinarError(t.id, fmt.Errorf("internal error fetching webinar %d: %v", t.id, p))
			err = nil
		}
	}()
	return r.webinar(ctx, t)
}

func (r *run) webinarError(id int64, err error) {
	r.mu.Lock()
	r.sum.WebinarErrors[id] = err.Error()
	r.mu.Unlock()
}

// limited records a fetch that a daily limit stopped, marking its stage
// pending, and reports whether err was such a limit.
func (r *run) limited(err error, stage *Stage) bool {
	var rl *zoom.RateLimitError
	if !errors.Is(err, zoom.ErrDailyLimit) || !errors.As(err, &rl) {
		return false
	}
	r.mu.Lock()
	r.sum.Pending[string(rl.Category)]++
	if r.sum.ResetAt.IsZero() || rl.Reset.Before(r.sum.ResetAt) {
		r.sum.ResetAt = rl.Reset
	}
	r.mu.Unlock()
	if stage != nil {
		// The facts an earlier fetch left (a webinar's host, the instances
		// it knows) stay: the next run needs them, whether or not Zoom
		// still lists the webinar.
		// A lost stage stays lost: its data is still to be fetched again.
		prev, _ := r.state.Get(*stage)
		status := StatusPending
		if prev.Status == StatusLost {
			status = StatusLost
		}
		r.state.Set(*stage, StageState{Status: status, FetchedAt: r.now, RunID: r.cfg.RunID, Detail: prev.Detail})
	}
	return true
}

func (r *run) skip(reason string) {
	r.mu.Lock()
	r.sum.Skipped[reason]++
	r.mu.Unlock()
}

// facts returns what the State keeps of a webinar.
func (r *run) facts(id int64) webinarFacts {
	var f webinarFacts
	if st, ok := r.state.Get(Stage{"webinar", strconv.FormatInt(id, 10), StageDetail}); ok {
		json.Unmarshal([]byte(st.Detail), &f)
	}
	return f
}

// listingHash fingerprints what the listing says of a webinar: when it
// changes, the detail is fetched again.
func listingHash(w *zoom.Webinar) string {
	b, _ := json.Marshal([]any{w.Topic, w.Type, w.StartTime, w.Duration, w.Timezone, w.JoinURL, w.Agenda, w.HostID, w.IsSimulive})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// decide is the Selector's decision on a task (every webinar syncs, with its
// recordings, without one, or when asked for with --webinar). The webinar's
// created_at comes from the listing, else from the facts an earlier detail
// left.
func (r *run) decide(t *task, f webinarFacts) Decision {
	if t.forced || r.cfg.Selector == nil {
		return Decision{Sync: true, Recordings: true}
	}
	created := f.CreatedAt
	if t.listed != nil && !t.listed.CreatedAt.IsZero() {
		created = t.listed.CreatedAt
	}
	return r.cfg.Selector.Decide(t.hostID, t.hostEmail, t.id, created)
}

// webinar syncs one webinar.
func (r *run) webinar(ctx context.Context, t *task) error {
	key := strconv.FormatInt(t.id, 10)
	f := r.facts(t.id)
	if t.hostID == "" {
		t.hostID, t.hostEmail = f.HostID, f.HostEmail
	}
	if skip, err := r.skipZoomEvents(t); skip || err != nil {
		return err
	}
	d := r.decide(t, f)
	if !d.Sync {
		r.skip(d.Reason)
		return r.issue(t.id, "", schema.StreamWebinars, d.Reason, "host "+t.hostEmail)
	}

	detail := Stage{"webinar", key, StageDetail}
	_, known := r.state.Get(detail)
	lost := r.state.Lost(detail)
	// A webinar whose listing changed (rescheduled, listed again) may have
	// new registrants and instances, however settled they were.
	changed := t.listed != nil && (!known || f.Hash != listingHash(t.listed) || !f.Listed)
	switch {
	case changed || t.listed != nil && lost:
		nf, err := r.detail(ctx, t, detail)
		if err != nil || nf == nil {
			return err
		}
		f = *nf
	case t.listed == nil && lost:
		if err := r.lostDetail(ctx, t, detail, &f); err != nil || r.state.Lost(detail) {
			return err // still lost: a daily limit stopped it
		}
	case t.listed == nil && !known:
		// Found by a backfill or asked for by id: Zoom may still have the
		// detail (not expired), else the webinar is known from its reports.
		nf, err := r.detail(ctx, t, detail)
		if errors.Is(err, errNoDetail) {
			nf, err = nil, nil
		}
		if err != nil {
			return err
		}
		if nf == nil {
			if len(t.found) == 0 {
				return fmt.Errorf("webinar %d: %w", t.id, ErrUnknownWebinar)
			}
			nf = r.unlisted(t, detail)
		}
		f = *nf
	case t.listed == nil && f.Listed && r.listedWhole:
		// Zoom stopped listing it (expired): its detail and registrants
		// answer 404 from now on, its instances and reports do not.
		f.Listed = false
		r.setFacts(detail, &f)
	}

	// Until its last instance has settled, a webinar's registrations and
	// instances may change; a listed webinar with a time still ahead
	// (upcoming, recurring of type 6 or 9: f.Start is its first
	// occurrence) never settles.
	settle := f.Start.Add(time.Duration(f.Duration)*time.Minute + r.lookback)
	if f.Listed && (f.Type == 6 || f.Type == 9 || f.Start.After(r.now)) {
		settle = stageForever
	}
	refs, err := r.instanceList(ctx, t, f, &settle, changed)
	if err != nil {
		return err
	}
	// The registrations and the instances are fetched side by side: the
	// instances need nothing from the registrants.
	g, gctx := errgroup.WithContext(ctx)
	if f.Listed && f.ApprovalType != 2 {
		g.Go(func() error {
			return r.recovered(gctx, t.id, "", func() error { return r.registration(gctx, t.id, settle, changed) })
		})
	}
	g.Go(func() error { return r.eachInstance(gctx, t.id, f, refs, d) })
	return g.Wait()
}

// eachInstance fetches the instances of a webinar, each as a task of its
// own under the run's instance slots. The first error cancels the
// instances under way (their stages, not done, are fetched again by the
// next run) and no other starts.
func (r *run) eachInstance(ctx context.Context, webinarID int64, f webinarFacts, refs []instanceRef, d Decision) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, ref := range refs {
		select {
		case r.instanceSlots <- struct{}{}:
		case <-gctx.Done():
			return cmp.Or(g.Wait(), ctx.Err())
		}
		g.Go(func() error {
			defer func() { <-r.instanceSlots }()
			return r.recovered(gctx, webinarID, ref.UUID, func() error { return r.instance(gctx, webinarID, f, ref, d) })
		})
	}
	return g.Wait()
}

// recovered runs fn, a webinar's work in a goroutine of its own: that of
// the instance uuid, or of the webinar itself when uuid is "". As fetchOne
// does for a webinar: a bug met on one instance's data fails its webinar,
// not the run.
func (r *run) recovered(ctx context.Context, webinarID int64, uuid string, fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.log.ErrorContext(ctx, "panic while fetching a webinar's stages", "webinar_id", webinarID, "instance_uuid", uuid,
				"panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error fetching webinar %d: %v", webinarID, p)
			if uuid != "" {
				err = fmt.Errorf("internal error fetching instance %s of webinar %d: %v", uuid, webinarID, p)
			}
		}
	}()
	return fn()
}

// stageTask fetches one stage of an instance and records its outcome in
// the State.
type stageTask func(context.Context) error

// stages fetches the stages of an instance side by side, each a task of its
// own whose calls wait on the labels' limiters like every other call, so
// that the latency of one stage's calls does not leave the labels idle:
// enough requests are in flight to keep every label at its quota. Each
// stage records its own outcome, so the order in which they end does not
// matter. The first error cancels the others (their stages, not done, are
// fetched again by the next run).
func (r *run) stages(ctx context.Context, webinarID int64, uuid string, tasks []stageTask) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, t := range tasks {
		g.Go(func() error { return r.recovered(gctx, webinarID, uuid, func() error { return t(gctx) }) })
	}
	return g.Wait()
}

// errNoDetail: Zoom has no detail of a webinar it does not list.
var errNoDetail = errors.New("zoom has no detail of the webinar")

// lostDetail fetches again the detail of an unlisted webinar whose raw rows
// were lost. When Zoom no longer has it, the facts the State keeps stand
// (the stage is done again) and an issue row says the detail is gone.
func (r *run) lostDetail(ctx context.Context, t *task, st Stage, f *webinarFacts) error {
	nf, err := r.detail(ctx, t, st)
	switch {
	case errors.Is(err, errNoDetail):
		r.setFacts(st, f)
		return r.issue(t.id, "", schema.StreamWebinars, schema.ReasonWebinarMissing, "raw detail lost and Zoom no longer has it")
	case err != nil || nf == nil:
		return err
	}
	*f = *nf
	return nil
}

// detail fetches GET /webinars/{id}, the registration form and the
// panelists, and records the webinar's facts. It returns nil facts when a
// daily limit stopped it or Zoom does not have a listed webinar, and
// errNoDetail when Zoom does not have an unlisted one.
func (r *run) detail(ctx context.Context, t *task, st Stage) (*webinarFacts, error) {
	w, _, err := r.cfg.Client.Webinars.Get(ctx, t.id)
	if errors.Is(err, zoom.ErrNotFound) {
		if t.listed != nil {
			return nil, r.issue(t.id, "", schema.StreamWebinars, schema.ReasonWebinarMissing, err.Error())
		}
		return nil, errNoDetail
	}
	if err != nil {
		if r.limited(err, &st) {
			return nil, nil
		}
		return nil, fmt.Errorf("getting webinar %d: %w", t.id, err)
	}
	row := webinarRow(r.cfg.RunID, r.now, w)
	row.Listed = true
	if row.HostID == "" {
		row.HostID = t.hostID
	}
	if t.hostID == "" {
		t.hostID = row.HostID
	}
	if row.HostEmail == "" {
		row.HostEmail = t.hostEmail
	}
	var occ []schema.WebinarOccurrence
	for _, o := range w.Occurrences {
		occ = append(occ, schema.WebinarOccurrence{RunID: r.cfg.RunID, FetchedAt: r.now, WebinarID: w.ID,
			OccurrenceID: o.OccurrenceID, StartTime: o.StartTime, Duration: int32(o.Duration), Status: o.Status})
	}
	var qs []schema.RegistrationQuestion
	if row.ApprovalType == 2 {
		if err := r.issue(w.ID, "", schema.StreamRegistrants, schema.ReasonNoRegistration, "approval_type 2: registration is off"); err != nil {
			return nil, err
		}
	} else {
		q, _, err := r.cfg.Client.Webinars.ListRegistrantQuestions(ctx, w.ID)
		switch {
		case err == nil:
			qs = questionRows(r.cfg.RunID, r.now, w.ID, q)
		case r.limited(err, &st):
			return nil, nil
		case !errors.Is(err, zoom.ErrNotFound) && !errors.Is(err, zoom.ErrNoRegistration):
			return nil, fmt.Errorf("getting registration questions of %d: %w", w.ID, err)
		}
	}
	var ps []schema.Panelist
	panelists, _, err := r.cfg.Client.Webinars.ListPanelists(ctx, w.ID)
	switch {
	case err == nil:
		for _, p := range panelists {
			ps = append(ps, schema.Panelist{RunID: r.cfg.RunID, FetchedAt: r.now, WebinarID: w.ID, ID: p.ID, Name: p.Name, Email: p.Email})
		}
	case r.limited(err, &st):
		return nil, nil
	case !errors.Is(err, zoom.ErrNotFound):
		return nil, fmt.Errorf("listing panelists of %d: %w", w.ID, err)
	}
	if err := errors.Join(r.webinars.Write([]schema.Webinar{row}), r.occurrences.Write(occ),
		r.questions.Write(qs), r.panelists.Write(ps)); err != nil {
		return nil, err
	}
	f := &webinarFacts{HostID: row.HostID, HostEmail: row.HostEmail, Type: w.Type, Start: w.StartTime,
		Duration: w.Duration, ApprovalType: int(row.ApprovalType), Listed: true, CreatedAt: w.CreatedAt}
	if t.listed != nil {
		f.Hash = listingHash(t.listed)
	} else {
		f.Hash = listingHash(w)
	}
	r.setFacts(st, f)
	return f, nil
}

// unlisted records a webinar that Zoom no longer lists, from what its
// reports say: no detail, no registrants (Zoom answers 404 for both).
func (r *run) unlisted(t *task, st Stage) *webinarFacts {
	first := slices.MinFunc(t.found, func(a, b instanceRef) int { return a.Start.Compare(b.Start) })
	f := &webinarFacts{HostID: t.hostID, HostEmail: t.hostEmail, Start: first.Start, ApprovalType: 2}
	r.setFacts(st, f)
	return f
}

func (r *run) setFacts(st Stage, f *webinarFacts) {
	b, _ := json.Marshal(f)
	r.state.Set(st, StageState{Status: StatusDone, FetchedAt: r.now, SettleAfter: stageForever, RunID: r.cfg.RunID, Detail: string(b)})
}

// instanceList returns the webinar's held instances: fetched when the
// stage needs it or force is set, else those the State remembers, plus any
// a backfill found. It moves settle to the last instance's end plus the
// look-back.
func (r *run) instanceList(ctx context.Context, t *task, f webinarFacts, settle *time.Time, force bool) ([]instanceRef, error) {
	st := Stage{"webinar", strconv.FormatInt(t.id, 10), StageInstances}
	var refs []instanceRef
	prev, _ := r.state.Get(st)
	json.Unmarshal([]byte(prev.Detail), &refs)
	seen := map[string]bool{}
	for _, ref := range refs {
		seen[ref.UUID] = true
	}
	var fresh []schema.WebinarInstance
	addRef := func(ref instanceRef) {
		if !seen[ref.UUID] {
			seen[ref.UUID] = true
			refs = append(refs, ref)
			fresh = append(fresh, schema.WebinarInstance{RunID: r.cfg.RunID, FetchedAt: r.now, WebinarID: t.id, UUID: ref.UUID, StartTime: ref.Start})
		}
	}
	fetched := false
	if force || r.state.Needs(st, r.now) {
		past, _, err := r.cfg.Client.Webinars.ListPastInstances(ctx, t.id)
		switch {
		case errors.Is(err, zoom.ErrNotFound): // never held
			fetched = true
		case err != nil:
			if !r.limited(err, &st) {
				return nil, fmt.Errorf("listing past instances of %d: %w", t.id, err)
			}
		default:
			fetched = true
			for _, p := range past {
				addRef(instanceRef{UUID: p.UUID, Start: p.StartTime})
			}
		}
	}
	for _, ref := range t.found {
		addRef(ref)
	}
	if prev.Status == StatusLost && fetched {
		// The rows of the instances known before were lost: write them all.
		fresh = fresh[:0]
		for _, ref := range refs {
			fresh = append(fresh, schema.WebinarInstance{RunID: r.cfg.RunID, FetchedAt: r.now, WebinarID: t.id, UUID: ref.UUID, StartTime: ref.Start})
		}
	}
	if err := r.instances.Write(fresh); err != nil {
		return nil, err
	}
	for _, ref := range refs {
		// An instance lasts at most a day; its report settles after that.
		if end := ref.Start.Add(24*time.Hour + r.lookback); end.After(*settle) && !settle.Equal(stageForever) {
			*settle = end
		}
	}
	if fetched || len(fresh) > 0 {
		b, _ := json.Marshal(refs)
		r.state.Set(st, StageState{Status: StatusDone, FetchedAt: r.now, SettleAfter: *settle, RunID: r.cfg.RunID, Detail: string(b)})
	}
	return refs, nil
}

// registration fetches the stages of a listed webinar that takes
// registrations: its registrants and its tracking sources, both settled at
// settle, and both fetched again when its listing changed.
func (r *run) registration(ctx context.Context, webinarID int64, settle time.Time, changed bool) error {
	key := strconv.FormatInt(webinarID, 10)
	if st := (Stage{"webinar", key, StageRegistrants}); changed || r.state.Needs(st, r.now) {
		if err := r.registrantsOf(ctx, webinarID, st, settle); err != nil {
			return err
		}
	}
	if st := (Stage{"webinar", key, StageTrackingSources}); changed || r.state.Needs(st, r.now) {
		return r.trackingSources(ctx, webinarID, st, settle)
	}
	return nil
}

func (r *run) registrantsOf(ctx context.Context, webinarID int64, st Stage, settle time.Time) error {
	var rows []schema.Registrant
	for _, status := range registrantStatuses {
		regs, err := listAll(ctx, r.log, status+" registrants of "+strconv.FormatInt(webinarID, 10), func() iter.Seq2[*zoom.Registrant, error] {
			return r.cfg.Client.Webinars.ListRegistrantsIter(ctx, webinarID, &zoom.RegistrantListOptions{Status: status})
		})
		if err != nil {
			var apiErr *zoom.APIError
			switch {
			case errors.Is(err, zoom.ErrNoRegistration) && errors.As(err, &apiErr):
				r.state.Set(st, StageState{Status: StatusDone, FetchedAt: r.now, SettleAfter: settle, RunID: r.cfg.RunID})
				return r.issue(webinarID, "", schema.StreamRegistrants, schema.ReasonNoRegistration, apiErr.Message)
			case r.limited(err, &st):
				return nil
			}
			return fmt.Errorf("listing %s registrants of %d: %w", status, webinarID, err)
		}
		for _, reg := range regs {
			rows = append(rows, registrantRow(r.cfg.RunID, r.now, webinarID, reg))
		}
	}
	// The three listings are one snapshot: written together or not at all.
	if err := r.registrants.Write(rows); err != nil {
		return err
	}
	r.state.Set(st, StageState{Status: StatusDone, FetchedAt: r.now, SettleAfter: settle, RunID: r.cfg.RunID})
	return nil
}

// reportFacts is what the State keeps of an instance's report.
type reportFacts struct {
	End       time.Time `json:"end"`
	Attendees int       `json:"attendees"`
}

// instance fetches what one held instance needs, by its uuid: its report
// first (its span and attendees decide the rest), then its other stages
// side by side (stages).
func (r *run) instance(ctx context.Context, webinarID int64, f webinarFacts, ref instanceRef, d Decision) error {
	st := Stage{"instance", ref.UUID, StageReport}
	var rf reportFacts
	if prev, ok := r.state.Get(st); ok {
		json.Unmarshal([]byte(prev.Detail), &rf)
	}
	if r.state.Needs(st, r.now) {
		got, err := r.report(ctx, webinarID, ref, st)
		if err != nil {
			return err
		}
		if got != nil {
			rf = *got
		}
	}
	if rf.End.IsZero() {
		return nil // no report (too old, missing, or stopped): nothing to hang the rest on
	}
	settle := rf.End.Add(r.lookback)
	var tasks []stageTask
	if ast := (Stage{"instance", ref.UUID, StageAbsentees}); f.Listed && f.ApprovalType != 2 && r.state.Needs(ast, r.now) {
		tasks = append(tasks, func(ctx context.Context) error { return r.absenteesOf(ctx, webinarID, ref.UUID, ast, settle) })
	}
	if rf.Attendees > 0 { // nobody asks, polls or answers a survey in an instance nobody attended
		tasks = append(tasks, r.engagementStages(webinarID, ref.UUID, settle)...)
	}
	rst := Stage{"instance", ref.UUID, StageRecording}
	if d.Recordings && rf.Attendees > 0 && r.state.Needs(rst, r.now) {
		tasks = append(tasks, func(ctx context.Context) error { return r.recording(ctx, webinarID, ref.UUID, rst, settle) })
	}
	if err := r.stages(ctx, webinarID, ref.UUID, tasks); err != nil {
		return err
	}
	switch {
	case !d.Recordings:
		return r.issue(webinarID, ref.UUID, schema.StreamRecordings, d.RecordingsReason, "")
	case rf.Attendees == 0:
		return r.issue(webinarID, ref.UUID, schema.StreamRecordings, schema.ReasonNoAttendees, "")
	}
	return nil
}

// report fetches an instance's report (its span) and participants.
func (r *run) report(ctx context.Context, webinarID int64, ref instanceRef, st Stage) (*reportFacts, error) {
	rep, _, err := r.cfg.Client.Reports.GetWebinar(ctx, ref.UUID)
	switch {
	case errors.Is(err, zoom.ErrReportTooOld):
		r.state.Set(st, StageState{Status: StatusUnavailable, FetchedAt: r.now, RunID: r.cfg.RunID})
		return nil, r.issue(webinarID, ref.UUID, schema.StreamInstanceReports, schema.ReasonReportTooOld, err.Error())
	case errors.Is(err, zoom.ErrNotFound):
		r.state.Set(st, StageState{Status: StatusMissing, FetchedAt: r.now, SettleAfter: ref.Start.Add(24*time.Hour + r.lookback), RunID: r.cfg.RunID})
		return nil, r.issue(webinarID, ref.UUID, schema.StreamInstanceReports, schema.ReasonReportMissing, err.Error())
	case err != nil:
		if r.limited(err, &st) {
			return nil, nil
		}
		return nil, fmt.Errorf("getting report of instance %s: %w", ref.UUID, err)
	}
	ps, err := listAll(ctx, r.log, "participants of "+ref.UUID, func() iter.Seq2[*zoom.Participant, error] {
		return r.cfg.Client.Reports.ListParticipantsIter(ctx, ref.UUID, nil)
	})
	if err != nil {
		if r.limited(err, &st) {
			return nil, nil
		}
		return nil, fmt.Errorf("listing participants of instance %s: %w", ref.UUID, err)
	}
	rows := make([]schema.Participant, 0, len(ps))
	for _, p := range ps {
		rows = append(rows, participantRow(r.cfg.RunID, r.now, webinarID, ref.UUID, int32(len(rows)), p))
	}
	// The report and its participants are one snapshot, written together.
	if err := errors.Join(r.reports.Write([]schema.InstanceReport{reportRow(r.cfg.RunID, r.now, webinarID, ref.UUID, rep)}),
		r.participants.Write(rows)); err != nil {
		return nil, err
	}
	rf := &reportFacts{End: rep.EndTime}
	for _, p := range rows {
		if p.Status != "in_waiting_room" {
			rf.Attendees++
		}
	}
	b, _ := json.Marshal(rf)
	r.state.Set(st, StageState{Status: StatusDone, FetchedAt: r.now, SettleAfter: rep.EndTime.Add(r.lookback), RunID: r.cfg.RunID, Detail: string(b)})
	return rf, nil
}

func (r *run) absenteesOf(ctx context.Context, webinarID int64, uuid string, st Stage, settle time.Time) error {
	as, err := listAll(ctx, r.log, "absentees of "+uuid, func() iter.Seq2[*zoom.Registrant, error] {
		return r.cfg.Client.Webinars.ListAbsenteesIter(ctx, uuid, nil)
	})
	if err != nil {
		switch {
		case errors.Is(err, zoom.ErrNoRegistration), errors.Is(err, zoom.ErrNotFound):
			r.state.Set(st, StageState{Status: StatusMissing, FetchedAt: r.now, SettleAfter: settle, RunID: r.cfg.RunID})
			return nil
		case r.limited(err, &st):
			return nil
		}
		return fmt.Errorf("listing absentees of instance %s: %w", uuid, err)
	}
	rows := make([]schema.Absentee, 0, len(as))
	for _, a := range as {
		rows = append(rows, schema.Absentee{RunID: r.cfg.RunID, FetchedAt: r.now, WebinarID: webinarID, InstanceUUID: uuid,
			RegistrantID: a.ID, Email: a.Email, FirstName: a.FirstName, LastName: a.LastName, CreateTime: a.CreateTime})
	}
	if err := r.absentees.Write(rows); err != nil {
		return err
	}
	r.state.Set(st, StageState{Status: StatusDone, FetchedAt: r.now, SettleAfter: settle, RunID: r.cfg.RunID})
	return nil
}

func (r *run) issue(webinarID int64, uuid, stream, reason, detail string) error {
	return r.issues.Write([]schema.ExtractIssue{{
		RunID: r.cfg.RunID, FetchedAt: r.now, WebinarID: webinarID, InstanceUUID: uuid,
		Stream: stream, Reason: reason, Detail: detail,
	}})
}
