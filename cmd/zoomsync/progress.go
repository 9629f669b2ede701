package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/pipelines"
)

// heartbeatEvery is how often a run that draws no bars logs its progress.
const heartbeatEvery = 10 * time.Second

// progress shows how far a run is: on a terminal (--progress) a bar per
// stage (extract, crm snapshot, transform, load) with its count, rate and
// ETA; otherwise a heartbeat log line every heartbeatEvery. Its methods
// are safe for concurrent use: the extraction's workers report from their
// own goroutines.
type progress struct {
	mu      sync.Mutex
	w       io.Writer    // where bars are drawn
	bars    bool         // draw bars (else heartbeats)
	log     *slog.Logger // heartbeats
	stage   string
	unit    string // what done counts: webinars, contacts
	done    int
	total   int // -1: unknown
	started time.Time
	bar     *progressbar.ProgressBar
	stop    chan struct{}
	ended   sync.WaitGroup
}

// newProgress starts the heartbeat when there are no bars; Close ends it.
func newProgress(w io.Writer, bars bool, log *slog.Logger, every time.Duration) *progress {
	p := &progress{w: w, bars: bars, log: log, total: -1, stop: make(chan struct{})}
	if !bars {
		p.ended.Add(1)
		go p.heartbeat(every)
	}
	return p
}

// progressHooks draws the progress of a run (see progress); stop ends it
// once the run returned.
func progressHooks(c *cli.Context, cfg *pipelines.Config) (hooks pipelines.Hooks, stop func()) {
	p := newProgress(os.Stderr, c.Bool("progress"), cfg.Logger, heartbeatEvery)
	return p.hooks(), p.Close
}

// registerProgress shows the registrations of zoomsync register: a bar
// on a terminal, else heartbeats.
func registerProgress(cfg *pipelines.Config) *progress {
	p := newProgress(os.Stderr, isTerminal(os.Stderr), cfg.Logger, heartbeatEvery)
	p.Stage("register")
	return p
}

func (p *progress) hooks() pipelines.Hooks {
	return pipelines.Hooks{
		Stage:           p.Stage,
		ExtractProgress: func(done, total int) { p.Set("webinars", done, total) },
		LoadProgress:    func(rows int) { p.Set("contacts", rows, -1) },
	}
}

// Stage starts a stage: the bar of the one before ends.
func (p *progress) Stage(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishBar()
	p.stage, p.unit, p.done, p.total, p.started = name, "", 0, -1, time.Now()
	if p.bars {
		p.bar = p.newBar(-1, name, "steps")
	}
}

// Set reports done of total (-1: unknown) units of the stage.
func (p *progress) Set(unit string, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done < p.done && unit == p.unit {
		return // a worker that reports late: the count only grows
	}
	if p.bars && (p.bar == nil || unit != p.unit || total != p.total) {
		p.finishBar()
		p.bar = p.newBar(total, p.stage+" ("+unit+")", unit)
	}
	p.unit, p.done, p.total = unit, done, total
	if p.bar != nil {
		p.bar.Set(done) //nolint:errcheck // drawing on a terminal
	}
}

// Close ends the heartbeat and the last bar. It is safe to call twice.
func (p *progress) Close() {
	p.mu.Lock()
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	p.finishBar()
	p.mu.Unlock()
	p.ended.Wait()
}

// newBar draws a bar (total -1: a spinner) that stays, finished, on its
// line: the stages' bars read as the run's log.
func (p *progress) newBar(total int, what, unit string) *progressbar.ProgressBar {
	b := progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit),
		progressbar.OptionSetPredictTime(true), progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionOnCompletion(func() { io.WriteString(p.w, "\n") }), //nolint:errcheck // drawing
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSpinnerType(14))
	b.RenderBlank() //nolint:errcheck // drawing on a terminal
	return b
}

// finishBar ends the bar drawn; p.mu is held.
func (p *progress) finishBar() {
	if p.bar != nil {
		p.bar.Finish() //nolint:errcheck // drawing on a terminal
		p.bar = nil
	}
}

// heartbeat logs the progress every interval until Close: the run's sign
// of life where no bar is drawn (a cron job, a container's log), at info
// level, so that --log-level warn keeps a job's log to its problems.
func (p *progress) heartbeat(every time.Duration) {
	defer p.ended.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.beat()
		}
	}
}

// beat writes one heartbeat: the stage, its count, rate and ETA.
func (p *progress) beat() {
	p.mu.Lock()
	stage, unit, done, total, started := p.stage, p.unit, p.done, p.total, p.started
	p.mu.Unlock()
	if stage == "" || p.log == nil || !p.log.Enabled(context.Background(), slog.LevelInfo) {
		return // --log-level warn or error: no heartbeat either
	}
	elapsed := time.Since(started)
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "progress", 0)
	r.AddAttrs(slog.String("stage", stage), slog.Duration("elapsed", elapsed))
	if unit != "" {
		rate := float64(done) / elapsed.Seconds()
		r.AddAttrs(slog.String("unit", unit), slog.Int("done", done), slog.Float64("per_s", rate))
		if total >= 0 {
			r.AddAttrs(slog.Int("total", total))
			if rate > 0 {
				r.AddAttrs(slog.Duration("eta", time.Duration(float64(total-done)/rate*float64(time.Second))))
			}
		}
	}
	p.log.Handler().Handle(context.Background(), r) //nolint:errcheck // a log line
}
