package extract

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/schema"
)

// Engagement beyond attendance (issue 11). Per held instance that anybody
// attended, its Q&A, poll and survey reports, one stage each (StageQA,
// StagePolls, StageSurvey), settled like the instance's other stages: Zoom
// may change a report until the instance's end plus the look-back. Nobody
// can ask, answer a poll or a survey in an instance nobody attended, so such
// an instance costs none of these calls (as it costs no recording call); if
// a later fetch of its report finds attendees, they are fetched then. Per
// listed webinar that takes registrations, its tracking sources
// (StageTrackingSources), settled like its registrants.
//
// A report Zoom does not have (404, 3001) or that holds no row is
// StatusMissing until it settles; a report past Zoom's year is unavailable.

// engagementWriters are the part writers of the engagement streams.
type engagementWriters struct {
	qa      *partWriter[schema.WebinarQuestion]
	polls   *partWriter[schema.PollAnswer]
	survey  *partWriter[schema.SurveyAnswer]
	sources *partWriter[schema.TrackingSource]
}

func newEngagementWriters(l schema.Lake, runID string) engagementWriters {
	return engagementWriters{
		qa:      newPartWriter[schema.WebinarQuestion](l, schema.StreamWebinarQuestions, runID),
		polls:   newPartWriter[schema.PollAnswer](l, schema.StreamPollAnswers, runID),
		survey:  newPartWriter[schema.SurveyAnswer](l, schema.StreamSurveyAnswers, runID),
		sources: newPartWriter[schema.TrackingSource](l, schema.StreamTrackingSources, runID),
	}
}

func (e engagementWriters) closers() []func() ([]lakefile.File, error) {
	return []func() ([]lakefile.File, error){e.qa.Close, e.polls.Close, e.survey.Close, e.sources.Close}
}

// count fills the Summary's engagement rows.
func (e engagementWriters) count(s *Summary) {
	s.WebinarQuestions, s.PollAnswers = e.qa.Rows(), e.polls.Rows()
	s.SurveyAnswers, s.TrackingSources = e.survey.Rows(), e.sources.Rows()
}

// engagementStages are the engagement reports of one attended instance,
// one task each (fetched when its stage needs it), each settled at settle.
func (r *run) engagementStages(webinarID int64, uuid string, settle time.Time) []stageTask {
	id, now, reports := r.cfg.RunID, r.now, r.cfg.Client.Reports
	stage := func(name string) engagementStage {
		return engagementStage{webinarID: webinarID, st: Stage{"instance", uuid, name}, settle: settle}
	}
	return []stageTask{
		func(ctx context.Context) error {
			return fetchReport(ctx, r, stage(StageQA), schema.StreamWebinarQuestions, reports.GetWebinarQA, r.engage.qa,
				func(q *zoom.WebinarQA) []schema.WebinarQuestion {
					return webinarQuestionRows(id, now, webinarID, uuid, q)
				})
		},
		func(ctx context.Context) error {
			return fetchReport(ctx, r, stage(StagePolls), schema.StreamPollAnswers, reports.GetWebinarPolls, r.engage.polls,
				func(p *zoom.WebinarPolls) []schema.PollAnswer { return pollAnswerRows(id, now, webinarID, uuid, p) })
		},
		func(ctx context.Context) error {
			return fetchReport(ctx, r, stage(StageSurvey), schema.StreamSurveyAnswers, reports.GetWebinarSurvey, r.engage.survey,
				func(s *zoom.WebinarSurvey) []schema.SurveyAnswer {
					return surveyAnswerRows(id, now, webinarID, uuid, s)
				})
		},
	}
}

// engagementStage is one engagement report of one instance to fetch.
type engagementStage struct {
	webinarID int64
	st        Stage // its ID is the instance uuid
	settle    time.Time
}

// fetchReport fetches one engagement report of an instance when its stage
// needs it, and writes its rows: the rows of one fetch are one snapshot.
func fetchReport[R, T any](ctx context.Context, r *run, es engagementStage, stream string,
	get func(context.Context, string) (*R, *zoom.Response, error), w *partWriter[T], rows func(*R) []T) error {
	st := es.st
	if !r.state.Needs(st, r.now) {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	rep, _, err := get(ctx, st.ID)
	switch {
	case errors.Is(err, zoom.ErrReportTooOld):
		r.state.Set(st, StageState{Status: StatusUnavailable, FetchedAt: r.now, RunID: r.cfg.RunID})
		return r.issue(es.webinarID, st.ID, stream, schema.ReasonReportTooOld, err.Error())
	case errors.Is(err, zoom.ErrNotFound), errors.Is(err, zoom.ErrWebinarNotFound):
		r.state.Set(st, StageState{Status: StatusMissing, FetchedAt: r.now, SettleAfter: es.settle, RunID: r.cfg.RunID})
		return nil
	case err != nil:
		if r.limited(err, &st) {
			return nil
		}
		return fmt.Errorf("getting the %s of instance %s: %w", stream, st.ID, err)
	}
	got := rows(rep)
	if err := w.Write(got); err != nil {
		return err
	}
	status := StatusDone
	if len(got) == 0 {
		status = StatusMissing // nothing (yet): asked again until it settles
	}
	r.state.Set(st, StageState{Status: status, FetchedAt: r.now, SettleAfter: es.settle, RunID: r.cfg.RunID})
	return nil
}

// trackingSources fetches a webinar's registration tracking sources (one
// call, not paginated). A webinar Zoom no longer has, or that takes no
// registrations, has none: StatusMissing until settle.
func (r *run) trackingSources(ctx context.Context, webinarID int64, st Stage, settle time.Time) error {
	sources, _, err := r.cfg.Client.Webinars.ListTrackingSources(ctx, webinarID)
	switch {
	case errors.Is(err, zoom.ErrNotFound), errors.Is(err, zoom.ErrWebinarNotFound), errors.Is(err, zoom.ErrNoRegistration):
		r.state.Set(st, StageState{Status: StatusMissing, FetchedAt: r.now, SettleAfter: settle, RunID: r.cfg.RunID})
		return nil
	case err != nil:
		if r.limited(err, &st) {
			return nil
		}
		return fmt.Errorf("listing tracking sources of %d: %w", webinarID, err)
	}
	rows := trackingSourceRows(r.cfg.RunID, r.now, webinarID, sources)
	if err := r.engage.sources.Write(rows); err != nil {
		return err
	}
	status := StatusDone
	if len(rows) == 0 {
		status = StatusMissing
	}
	r.state.Set(st, StageState{Status: status, FetchedAt: r.now, SettleAfter: settle, RunID: r.cfg.RunID})
	return nil
}
