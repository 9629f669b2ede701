// Package report renders the lake's figures as one self-contained HTML
// page of charts (zoomsync report): the registration → attendance funnel
// per webinar, attendees present per minute over each instance, the
// distribution of attendance percent, the rows left out by reason, and
// recordings and engagement per webinar. The charts are built with
// go-echarts and drawn by ECharts with its SVG renderer; echarts.min.js is
// inlined (embedded in the binary), so the page opens offline.
package report

import (
	"time"
)

// Data is what a report shows. pipelines.ReportData reads it from the lake.
type Data struct {
	Generated time.Time // when the data was read
	Scope     string    // what the report covers, in words ("all webinars", "webinar 123 since 2026-01-01")

	Funnel     []FunnelRow
	Presence   []InstancePresence
	Percent    []PercentBucket
	Exclusions []ReasonCount
	Engagement []EngagementRow
}

// FunnelRow is one webinar's registration → attendance funnel: people
// registered (approved or pending), people who attended at least one
// instance, and people who were present for at least half of one.
type FunnelRow struct {
	WebinarID  int64
	Topic      string
	Registered int64
	Attended   int64
	HalfOrMore int64
}

// InstancePresence is one held instance: how many people were present
// (in the meeting, not the waiting room) during each minute of its span.
type InstancePresence struct {
	WebinarID    int64
	Topic        string
	InstanceUUID string
	Start        time.Time
	PerMinute    []int64 // index m: present at some time in [start+m min, start+m+1 min)
}

// PercentBucket counts the attendances (person and instance) whose
// percent present is in [From, To), the last bucket including 100.
type PercentBucket struct {
	From, To    int
	Attendances int64
}

// ReasonCount is how many audit rows one reason left out.
type ReasonCount struct {
	Reason   string
	Category string
	Rows     int64
}

// EngagementRow is one webinar's recordings and engagement.
type EngagementRow struct {
	WebinarID     int64
	Topic         string
	Instances     int64 // held instances
	Recordings    int64 // instances with a cloud recording
	Transcripts   int64 // recordings with a transcript
	Questions     int64 // Q&A questions asked
	PollAnswers   int64 // poll answers given
	SurveyAnswers int64 // survey answers given
}

// PercentBuckets is the width of the attendance percent histogram's bars.
const PercentBuckets = 10
