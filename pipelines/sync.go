package pipelines

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/extract"
	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/internal/failpoint"
	"github.com/zoomsync/zoomsync/internal/httpretry"
	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/load"
	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// RunResult is what one job did. It is stored as JSON in the runs table and
// printed by the CLI.
type RunResult struct {
	RunID      string                `json:"run_id"`
	Kind       string                `json:"kind"`
	StartedAt  time.Time             `json:"started_at"`
	FinishedAt time.Time             `json:"finished_at"`
	Status     string                `json:"status"`
	Extract    *extract.Summary      `json:"extract,omitempty"`
	Transform  *transform.Result     `json:"transform,omitempty"`
	CRM        *load.SnapshotSummary `json:"crm,omitempty"`
	Load       *load.Summary         `json:"load,omitempty"`
	Err        error                 `json:"-"`
	// Demo marks a run of zoomsync demo against its simulators: a lake
	// whose runs are all the demo's may be emptied by the next demo.
	Demo bool `json:"demo,omitempty"`
	// DryRun marks a run that sent nothing to the CRM (--dry-run): its
	// load counts say what would have been sent.
	DryRun bool `json:"dry_run,omitempty"`

	// Activity is what the load sent besides the contacts: marketing
	// events, attendance, timeline events, calls.
	Activity *load.ActivitySummary `json:"activity,omitempty"`

	// Rebound are the bindings this run changed (--rebind).
	Rebound []Rebound `json:"rebound,omitempty"`

	// Notices say why a run did less than asked (a --webinar whose every
	// stage had settled).
	Notices []string `json:"notices,omitempty"`
}

// Hooks let the CLI show progress; every field may be nil.
type Hooks struct {
	Stage           func(name string)
	ExtractProgress func(done, total int)
	LoadProgress    func(rows int)
}

// SyncOptions select what a sync does.
type SyncOptions struct {
	DryRun bool // extract and transform, then count what load would send; send nothing
	Demo   bool // the run is zoomsync demo's, against its simulators (RunResult.Demo)
	// Rebind binds the lake to the configured Zoom account and HubSpot
	// portal when it is bound to others, resetting the load state (bind).
	Rebind bool
	Hooks  Hooks
	// Diff, when set, is told in a dry run what each CRM object would be
	// (load.DiffRow): created, updated or skipped.
	Diff func(load.DiffRow)
	ExtractOptions
}

// ExtractOptions narrow or widen what the extract stage fetches.
type ExtractOptions struct {
	// Only syncs these webinars now, whatever the settings say.
	Only []int64
	// Backfill also walks Zoom's past-meetings report over a date range,
	// finding instances of webinars Zoom no longer lists.
	Backfill *extract.Window
	// FullRefresh fetches every stage of the Only webinars (of every
	// webinar without Only) again, however settled.
	FullRefresh bool
}

// ZoomClient builds the Zoom API client of a configuration.
func ZoomClient(cfg *Config) *zoom.Client {
	opts := []zoom.Option{
		zoom.WithBaseURL(cmp.Or(cfg.Zoom.APIURL, DefaultZoomAPIURL)),
		zoom.WithOAuthURL(cmp.Or(cfg.Zoom.OAuthURL, DefaultZoomOAuthURL)),
		zoom.WithCredentials(cfg.Zoom.AccountID, cfg.Zoom.ClientID, cfg.Zoom.ClientSecret.Reveal()),
		zoom.WithPlan(cmp.Or(cfg.Zoom.Plan, "pro")),
		zoom.WithLogger(cfg.logger()),
	}
	return zoom.NewClient(append(opts, cfg.zoomOpts...)...)
}

// HubSpotClient builds the HubSpot API client of a configuration.
func HubSpotClient(cfg *Config) *hubspot.Client {
	opts := []hubspot.Option{
		hubspot.WithBaseURL(cmp.Or(cfg.HubSpot.APIURL, DefaultHubSpotAPIURL)),
		hubspot.WithToken(cfg.HubSpot.Token.Reveal()),
		hubspot.WithTier(cmp.Or(cfg.HubSpot.Tier, "professional")),
		hubspot.WithLogger(cfg.logger()),
	}
	if cfg.HubSpot.AppToken != "" {
		opts = append(opts, hubspot.WithOAuthToken(cfg.HubSpot.AppToken.Reveal()))
	}
	if cfg.HubSpot.DeveloperKey != "" && cfg.CRM != nil && cfg.CRM.Timeline.AppID != "" {
		opts = append(opts, hubspot.WithDeveloperKey(cfg.HubSpot.DeveloperKey.Reveal()), hubspot.WithApp(cfg.CRM.Timeline.AppID))
	}
	return hubspot.NewClient(append(opts, cfg.hubspotOpts...)...)
}

func lakeOf(cfg *Config) schema.Lake { return schema.Lake{Dir: cfg.DataDir} }

// Sync runs extract, transform and load as one run under the data
// directory's lock, and records the run. A stage that fails stops the ones
// after it; what earlier stages wrote stays in the lake, so a later run or a
// stage run alone can pick up from there.
func Sync(ctx context.Context, cfg *Config, opts SyncOptions) (*RunResult, error) {
	return runSync(ctx, cfg, "sync", opts)
}

func runSync(ctx context.Context, cfg *Config, kind string, opts SyncOptions) (*RunResult, error) {
	if err := errors.Join(cfg.ValidateZoom(), cfg.ValidateHubSpot()); err != nil {
		return nil, err
	}
	return withRun(ctx, cfg, kind, func(ctx context.Context, res *RunResult, cat *catalog) error {
		res.Demo, res.DryRun = opts.Demo, opts.DryRun
		// One HubSpot client for the run: the binding, the CRM snapshot and
		// every object of the load draw on its one limiter, so their
		// requests together stay within the account's burst quota.
		client := HubSpotClient(cfg)
		hub, err := hubSpotBinding(ctx, client)
		if err != nil {
			return err
		}
		if err := bind(ctx, cfg, cat, res, opts.Rebind, opts.DryRun, zoomBinding(cfg), hub); err != nil {
			return err
		}
		if err := doExtract(ctx, cfg, res, opts.Hooks, cat, opts.ExtractOptions); err != nil && !partial(err) {
			return err
		} else if err != nil {
			res.Err = err
		}
		e, err := cat.Engine()
		if err != nil {
			return err
		}
		if err := doTransform(ctx, e, res, opts.Hooks, cat.bad, crmSnapshot(cfg, client, e, res, opts.Hooks)); err != nil {
			return err
		}
		if err := doRecheck(ctx, cfg, client, e, res, opts.Hooks, cat.bad); err != nil {
			return err
		}
		return doLoad(ctx, cfg, client, e, res, opts)
	})
}

// Extract runs the extract stage alone.
func Extract(ctx context.Context, cfg *Config, hooks Hooks, opts ExtractOptions) (*RunResult, error) {
	if err := cfg.ValidateZoom(); err != nil {
		return nil, err
	}
	return withRun(ctx, cfg, "extract", func(ctx context.Context, res *RunResult, cat *catalog) error {
		if err := bind(ctx, cfg, cat, res, false, false, zoomBinding(cfg)); err != nil {
			return err
		}
		err := doExtract(ctx, cfg, res, hooks, cat, opts)
		if err != nil && partial(err) {
			res.Err = err // kept: the run is partial, not failed
			return nil
		}
		return err
	})
}

// Backfill syncs the webinar instances held in [from, to), found through
// Zoom's past-meetings report in one-month windows, including webinars
// that Zoom no longer lists; then transforms and loads like Sync.
func Backfill(ctx context.Context, cfg *Config, from, to time.Time, opts SyncOptions) (*RunResult, error) {
	if !from.Before(to) {
		// to is the end, excluded: the day before it is the last day (--to).
		return nil, fmt.Errorf("backfill: --from %s is after --to %s", from.Format(time.DateOnly), to.Add(-time.Second).Format(time.DateOnly))
	}
	opts.Backfill = &extract.Window{From: from, To: to}
	return runSync(ctx, cfg, "backfill", opts)
}

// Transform runs the transform stage alone, over what the lake holds.
func Transform(ctx context.Context, cfg *Config, hooks Hooks) (*RunResult, error) {
	return withRun(ctx, cfg, "transform", func(ctx context.Context, res *RunResult, cat *catalog) error {
		e, err := cat.Engine()
		if err != nil {
			return err
		}
		return doTransform(ctx, e, res, hooks, cat.bad)
	})
}

// Load runs the load stage alone, from the load-ready tables of the last transform.
func Load(ctx context.Context, cfg *Config, opts SyncOptions) (*RunResult, error) {
	if err := cfg.ValidateHubSpot(); err != nil {
		return nil, err
	}
	if opts.Rebind {
		return nil, errors.New("load: --rebind needs a sync, which reads the new portal's CRM snapshot before the transform")
	}
	return withRun(ctx, cfg, "load", func(ctx context.Context, res *RunResult, cat *catalog) error {
		res.DryRun = opts.DryRun
		client := HubSpotClient(cfg)
		hub, err := hubSpotBinding(ctx, client)
		if err != nil {
			return err
		}
		if err := bind(ctx, cfg, cat, res, false, opts.DryRun, hub); err != nil {
			return err
		}
		e, err := cat.Engine()
		if err != nil {
			return err
		}
		return doLoad(ctx, cfg, client, e, res, opts)
	})
}

// partial reports whether an extract error leaves a usable lake: a daily
// limit stop or some webinars that failed.
func partial(err error) bool {
	return errors.Is(err, extract.ErrStopped) || errors.Is(err, errSomeWebinars)
}

var errSomeWebinars = errors.New("some webinars could not be fetched")

// withRun holds the lock, opens the catalog lazily, and records the run
// whatever happens.
func withRun(ctx context.Context, cfg *Config, kind string, body func(context.Context, *RunResult, *catalog) error) (*RunResult, error) {
	lake := lakeOf(cfg)
	lock, err := AcquireLock(lake)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	// A killed run may have left temporary part files: no writer is live
	// under the lock, so they are removed.
	removed, err := lakefile.RemoveTemp(lake)
	for _, p := range removed {
		cfg.logger().InfoContext(ctx, "removed a temporary file a killed run left", "path", p)
	}
	if err != nil {
		return nil, err
	}
	// Raw files that no longer match the manifest are moved aside and
	// their stages marked lost before the catalog opens (its views would
	// not open over a damaged file).
	bad, err := repairLake(ctx, lake)
	for _, b := range bad {
		cfg.logger().WarnContext(ctx, "raw file lost: moved aside, its stages will be fetched again", "path", b.Path, "problem", b.Problem)
	}
	if err != nil {
		return nil, err
	}
	res := &RunResult{RunID: cmp.Or(cfg.RunID, NewRunID(time.Now())), Kind: kind, StartedAt: time.Now().UTC()}
	cat := &catalog{ctx: ctx, lake: lake, cfg: cfg, bad: bad}
	err = body(ctx, res, cat)
	res.FinishedAt = time.Now().UTC()
	switch {
	case err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled):
		res.Status, res.Err = StatusInterrupted, err
	case err != nil:
		res.Status, res.Err = StatusFailed, err
	case res.Err != nil:
		res.Status, err = StatusPartial, res.Err
	default:
		res.Status = StatusSucceeded
	}
	failpoint.Hit("run.before-record")
	// The run record is written even when the run failed or was
	// cancelled, with a context of its own.
	if e, oerr := cat.Engine(); oerr == nil {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if rerr := recordRun(rctx, e.DB(), res); rerr != nil && err == nil {
			err = rerr
		}
		cancel()
		if cerr := e.Close(); cerr != nil && err == nil {
			err = cerr
		}
	} else if err == nil {
		err = oerr
	}
	return res, err
}

// catalog opens zoomsync.duckdb when a stage needs it. DuckDB lets one
// process hold the file, so the extract stage releases it while it calls
// Zoom, which under the rate limits may take a long time: a segment query
// (read-only) can run meanwhile.
type catalog struct {
	ctx  context.Context
	lake schema.Lake
	cfg  *Config
	e    *transform.Engine
	bad  []BadFile // raw files found bad when the run started
}

// Engine opens the catalog, or returns the one open.
func (c *catalog) Engine() (*transform.Engine, error) {
	if c.e != nil {
		return c.e, nil
	}
	// A segment query may hold the file for a moment (the catalog was
	// released for it): wait for it, up to a minute, rather than fail a run
	// whose data is already fetched.
	// The catalog opens even when the run was interrupted: the cursors of
	// what was fetched, and the run itself, are recorded then too.
	deadline := time.Now().Add(time.Minute)
	for {
		opts := []transform.Option{transform.WithLogger(c.cfg.logger()),
			transform.WithExcludedContactDomains(c.cfg.excludedContactDomains()),
			transform.WithSessionGap(c.cfg.Settings.SessionGap())}
		if c.cfg.MemoryLimit > 0 {
			opts = append(opts, transform.WithMemoryLimit(c.cfg.MemoryLimit))
		}
		e, err := transform.Open(context.WithoutCancel(c.ctx), c.lake, opts...)
		if err == nil {
			c.e = e
			return e, nil
		}
		if !errors.Is(err, transform.ErrBusy) || time.Now().After(deadline) {
			return nil, fmt.Errorf("opening %s: %w", c.lake.DB(), err)
		}
		c.cfg.logger().InfoContext(c.ctx, "waiting for a reader of the catalog", "path", c.lake.DB())
		if err := httpretry.Sleep(c.ctx, 200*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

// Release closes the catalog until the next Engine call.
func (c *catalog) Release() error {
	if c.e == nil {
		return nil
	}
	err := c.e.Close()
	c.e = nil
	return err
}

func doExtract(ctx context.Context, cfg *Config, res *RunResult, hooks Hooks, cat *catalog, opts ExtractOptions) error {
	if hooks.Stage != nil {
		hooks.Stage("extract")
	}
	e, err := cat.Engine()
	if err != nil {
		return err
	}
	state, err := loadState(ctx, e.DB())
	if err != nil {
		return err
	}
	// The settings decide through the history of the hosts' settings
	// (settings.go): sync_new_webinars applies by created_at.
	selector, err := loadSettingHistory(ctx, e.DB(), cfg.Settings, time.Now())
	if err != nil {
		return err
	}
	instances := instancesOf(ctx, e.DB(), opts.Only)
	if opts.FullRefresh {
		n := refreshStages(state, opts.Only, instances)
		cfg.logger().InfoContext(ctx, "full refresh: stages to fetch again", "stages", n)
	}
	if err := cat.Release(); err != nil {
		return err
	}
	sum, err := extract.Run(ctx, extract.Config{
		Client: ZoomClient(cfg), Lake: lakeOf(cfg), RunID: res.RunID,
		Concurrency: cfg.Concurrency, Logger: cfg.logger(), Progress: hooks.ExtractProgress,
		Selector: selector, State: state, Lookback: cfg.Settings.Lookback(),
		Only: opts.Only, Backfill: opts.Backfill,
	})
	res.Extract = sum
	if sum != nil {
		cfg.logger().InfoContext(ctx, "extract done", "run_id", res.RunID, "webinars", sum.Webinars, "instances", sum.Instances,
			"registrants", sum.Registrants, "participants", sum.Participants, "recordings", sum.Recordings,
			"skipped", sum.Skipped, "pending", sum.Pending, "webinar_errors", len(sum.WebinarErrors))
	}
	// The part files are closed before Run returns, so the cursors are
	// saved only for what is on disk, even when the run stopped early.
	e, oerr := cat.Engine()
	if oerr != nil {
		return errors.Join(err, oerr)
	}
	var files []lakefile.File
	if sum != nil {
		// Forgotten people (zoomsync forget) are dropped as they arrive,
		// before the files enter the manifest.
		var ferr error
		if files, ferr = dropForgotten(context.WithoutCancel(ctx), e.DB(), lakeOf(cfg), sum.Files); ferr != nil {
			return errors.Join(err, ferr)
		}
	}
	failpoint.Hit("extract.after-files-closed")
	if err == nil && !opts.FullRefresh {
		res.Notices = append(res.Notices, settledNotices(state, opts.Only, instances)...)
	}
	if serr := saveState(context.WithoutCancel(ctx), e.DB(), state.Changes(), files); serr != nil {
		return errors.Join(err, serr)
	}
	if herr := selector.save(context.WithoutCancel(ctx), e.DB()); herr != nil {
		return errors.Join(err, herr)
	}
	failpoint.Hit("extract.after-cursor-commit")
	if err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	if n := len(sum.WebinarErrors); n > 0 {
		return fmt.Errorf("extract: %w: %d", errSomeWebinars, n)
	}
	return nil
}

func doTransform(ctx context.Context, e *transform.Engine, res *RunResult, hooks Hooks, bad []BadFile, opts ...transform.RunOption) error {
	if hooks.Stage != nil {
		hooks.Stage("transform")
	}
	if err := checkLost(ctx, e.DB(), e.Lake(), bad); err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	r, err := e.Run(ctx, res.RunID, opts...)
	res.Transform = r
	if err != nil {
		return fmt.Errorf("transform: %w", err)
	}
	failpoint.Hit("transform.done")
	return nil
}

func doLoad(ctx context.Context, cfg *Config, client *hubspot.Client, e *transform.Engine, res *RunResult, opts SyncOptions) error {
	if opts.Hooks.Stage != nil {
		opts.Hooks.Stage("load")
	}
	sum, err := load.Contacts(ctx, load.Config{
		Client: client, DB: e.DB(), RunID: res.RunID, DryRun: opts.DryRun,
		Logger: cfg.logger(), Progress: opts.Hooks.LoadProgress, Diff: opts.Diff,
	})
	res.Load = sum
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	cfg.logger().InfoContext(ctx, "contacts loaded", "run_id", res.RunID, "created", sum.Created, "updated", sum.Updated,
		"unchanged", sum.Unchanged, "failed", sum.Failed, "dry_run", opts.DryRun)
	ac := activityConfig(cfg, client, e, res.RunID, opts.DryRun)
	ac.Diff = opts.Diff
	act, err := load.Activity(ctx, ac)
	res.Activity = act
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if u := unsettled(sum, act); u != nil {
		res.Err = errors.Join(res.Err, u)
	}
	return nil
}

// ErrUnsettled marks a load that left rows with an unknown outcome (sent,
// no readable answer) or refused: the run is partial, and the next run
// sends them again (every write is an upsert by a unique key or an update
// by id, so a row the CRM did apply is not doubled).
var ErrUnsettled = errors.New("rows not settled")

// unsettled is the error naming the first rows per object type that a
// load left unknown or failed; nil when it settled everything.
func unsettled(sum *load.Summary, act *load.ActivitySummary) error {
	n := sum.Unknown + sum.Failed
	lines := sum.Unsettled()
	if act != nil {
		for _, c := range []load.Counts{act.MarketingEvents, act.Attendance, act.TimelineEvents, act.Calls} {
			n += c.Unknown + c.Failed
		}
		lines = append(lines, act.Unsettled()...)
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("load: %w: %d rows with an unknown outcome or failed, sent again by the next run; first ones: %s",
		ErrUnsettled, n, strings.Join(lines, "; "))
}

// activityConfig is the activity load of a configuration: marketing events
// keyed by hubspot.external_account_id (default: the Zoom account id),
// calls upserted by zoomsync_call_id (never a second call of a recording,
// whatever load_state remembers), and timeline events only with a public
// app's id, developer key and OAuth token.
func activityConfig(cfg *Config, client *hubspot.Client, e *transform.Engine, runID string, dry bool) load.ActivityConfig {
	ac := load.ActivityConfig{Client: client, DB: e.DB(), RunID: runID, DryRun: dry, Logger: cfg.logger(),
		ExternalAccountID: cfg.Zoom.AccountID}
	if cfg.CRM != nil {
		ac.ExternalAccountID = cmp.Or(cfg.CRM.ExternalAccountID, cfg.Zoom.AccountID)
		ac.TimelineApp = cfg.CRM.Timeline.AppID
		ac.Events = cfg.CRM.EventsRoute()
	}
	if ac.ExternalAccountID == "" {
		ac.ExternalAccountID = "zoomsync"
	}
	ac.TimelineReady = ac.TimelineApp != "" && cfg.HubSpot.DeveloperKey != "" && cfg.HubSpot.AppToken != ""
	return ac
}
