package pipelines

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/internal/report"
)

// ReportFilter narrows a report: one webinar (0: every one) and instances
// held on or after Since (zero: every one). A webinar is in the report when
// it has an instance held since then, or starts then or later.
type ReportFilter struct {
	Webinar int64
	Since   time.Time
}

// scope says what a report covers.
func (f ReportFilter) scope() string {
	s := "all webinars"
	if f.Webinar != 0 {
		s = "webinar " + strconv.FormatInt(f.Webinar, 10)
	}
	if !f.Since.IsZero() {
		s += " since " + f.Since.UTC().Format(time.DateOnly)
	}
	return s
}

// reportCTE selects the report's webinars (sel) and held instances
// (sel_instances) by the filter; every report query starts with it.
func (f ReportFilter) reportCTE() string {
	since := "NULL::BIGINT"
	if !f.Since.IsZero() {
		since = strconv.FormatInt(f.Since.UnixMicro(), 10)
	}
	webinar := "TRUE"
	if f.Webinar != 0 {
		webinar = "webinar_id = " + strconv.FormatInt(f.Webinar, 10)
	}
	return `WITH sel_instances AS (
    SELECT instance_uuid, webinar_id, start_time, start_us, span_us
    FROM instance_spans
    WHERE ` + webinar + ` AND (` + since + ` IS NULL OR start_us >= ` + since + `)
), sel AS (
    SELECT webinar_id, topic
    FROM webinars
    WHERE ` + webinar + ` AND (` + since + ` IS NULL OR epoch_us(start_time) >= ` + since + `
        OR webinar_id IN (SELECT webinar_id FROM sel_instances))
)
`
}

// ErrNoReportData is returned by ReportData for a lake no transform has
// built the views of yet.
var ErrNoReportData = errors.New("the lake has no transformed data yet: run zoomsync sync (or extract and transform) first")

// ReportData reads the figures of zoomsync report from the lake's views,
// in a read-only session.
func ReportData(ctx context.Context, sess *SQLSession, f ReportFilter) (*report.Data, error) {
	var n int
	if err := sess.conn.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_views() WHERE view_name IN ('webinars', 'instance_spans', 'presence')`).Scan(&n); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if n < 3 {
		return nil, ErrNoReportData
	}
	d := &report.Data{Generated: time.Now(), Scope: f.scope()}
	steps := []struct {
		what string
		read func(context.Context, *SQLSession, ReportFilter, *report.Data) error
	}{
		{"funnel", readFunnel}, {"presence per minute", readPresence}, {"attendance percent", readPercent},
		{"exclusions", readExclusions}, {"engagement", readEngagement},
	}
	for _, s := range steps {
		if err := s.read(ctx, sess, f, d); err != nil {
			return nil, fmt.Errorf("report: reading the %s: %w", s.what, err)
		}
	}
	return d, nil
}

// scanRows runs a report query and calls scan for each row.
func scanRows(ctx context.Context, sess *SQLSession, query string, scan func(func(...any) error) error) error {
	rows, err := sess.Rows(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func readFunnel(ctx context.Context, sess *SQLSession, f ReportFilter, d *report.Data) error {
	q := f.reportCTE() + `, reg AS (
    SELECT webinar_id, count(DISTINCT email) AS n FROM registrations GROUP BY webinar_id
), att AS (
    SELECT p.webinar_id, count(DISTINCT p.person) AS n,
           count(DISTINCT p.person) FILTER (WHERE p.percent_present >= 50) AS half
    FROM presence p JOIN sel_instances i USING (instance_uuid)
    GROUP BY p.webinar_id
)
SELECT s.webinar_id, coalesce(s.topic, ''), coalesce(reg.n, 0), coalesce(att.n, 0), coalesce(att.half, 0)
FROM sel s LEFT JOIN reg USING (webinar_id) LEFT JOIN att USING (webinar_id)
ORDER BY s.webinar_id`
	return scanRows(ctx, sess, q, func(scan func(...any) error) error {
		var r report.FunnelRow
		err := scan(&r.WebinarID, &r.Topic, &r.Registered, &r.Attended, &r.HalfOrMore)
		d.Funnel = append(d.Funnel, r)
		return err
	})
}

// readPresence counts, per instance and minute of its span, the people
// with a counting interval (presence_intervals: in the meeting, clipped
// to the span) that overlaps the minute.
func readPresence(ctx context.Context, sess *SQLSession, f ReportFilter, d *report.Data) error {
	q := f.reportCTE() + `, minutes AS (
    SELECT instance_uuid, start_us, unnest(range(0, CAST(ceil(span_us / 60e6) AS BIGINT))) AS minute
    FROM sel_instances
), counts AS (
    SELECT m.instance_uuid, m.minute, count(DISTINCT p.person) AS present
    FROM minutes m
    LEFT JOIN presence_intervals p
      ON p.instance_uuid = m.instance_uuid
     AND p.from_us < m.start_us + (m.minute + 1) * 60000000
     AND p.to_us > m.start_us + m.minute * 60000000
    GROUP BY ALL
)
SELECT i.webinar_id, coalesce(s.topic, ''), i.instance_uuid, i.start_time, list(c.present ORDER BY c.minute)
FROM sel_instances i
JOIN sel s USING (webinar_id)
JOIN counts c USING (instance_uuid)
GROUP BY ALL
ORDER BY i.start_time, i.instance_uuid`
	return scanRows(ctx, sess, q, func(scan func(...any) error) error {
		var p report.InstancePresence
		var counts []any
		if err := scan(&p.WebinarID, &p.Topic, &p.InstanceUUID, &p.Start, &counts); err != nil {
			return err
		}
		for _, c := range counts {
			n, ok := c.(int64)
			if !ok {
				return fmt.Errorf("instance %s: count %T", p.InstanceUUID, c)
			}
			p.PerMinute = append(p.PerMinute, n)
		}
		d.Presence = append(d.Presence, p)
		return nil
	})
}

func readPercent(ctx context.Context, sess *SQLSession, f ReportFilter, d *report.Data) error {
	for b := range report.PercentBuckets {
		w := 100 / report.PercentBuckets
		d.Percent = append(d.Percent, report.PercentBucket{From: b * w, To: (b + 1) * w})
	}
	q := f.reportCTE() + `SELECT least(CAST(floor(p.percent_present / ` + strconv.Itoa(100/report.PercentBuckets) + `) AS BIGINT), ` +
		strconv.Itoa(report.PercentBuckets-1) + `) AS bucket, count(*)
FROM presence p JOIN sel_instances i USING (instance_uuid)
GROUP BY bucket ORDER BY bucket`
	return scanRows(ctx, sess, q, func(scan func(...any) error) error {
		var b, n int64
		if err := scan(&b, &n); err != nil {
			return err
		}
		if b >= 0 && int(b) < len(d.Percent) {
			d.Percent[b].Attendances = n
		}
		return nil
	})
}

// readExclusions counts the last transform's audit rows by reason: of the
// report's webinars, and, in a report of every webinar, those of no
// webinar too.
func readExclusions(ctx context.Context, sess *SQLSession, f ReportFilter, d *report.Data) error {
	cond := "a.webinar_id IN (SELECT webinar_id FROM sel)"
	if f.Webinar == 0 && f.Since.IsZero() {
		cond = "TRUE"
	}
	q := f.reportCTE() + `SELECT a.reason, coalesce(a.category, ''), count(*) AS n
FROM audit a WHERE ` + cond + `
GROUP BY ALL ORDER BY n DESC, a.reason`
	return scanRows(ctx, sess, q, func(scan func(...any) error) error {
		var r report.ReasonCount
		err := scan(&r.Reason, &r.Category, &r.Rows)
		d.Exclusions = append(d.Exclusions, r)
		return err
	})
}

func readEngagement(ctx context.Context, sess *SQLSession, f ReportFilter, d *report.Data) error {
	count := func(name, view, extra string) string {
		return name + ` AS (SELECT x.webinar_id, count(*) AS n FROM ` + view + ` x
    WHERE x.instance_uuid IN (SELECT instance_uuid FROM sel_instances)` + extra + ` GROUP BY x.webinar_id)`
	}
	q := f.reportCTE() + `, ` + strings.Join([]string{
		`inst AS (SELECT webinar_id, count(*) AS n FROM sel_instances GROUP BY webinar_id)`,
		`rec AS (SELECT x.webinar_id, count(*) AS n, count(*) FILTER (WHERE x.has_transcript) AS t FROM recordings x
    WHERE x.instance_uuid IN (SELECT instance_uuid FROM sel_instances) GROUP BY x.webinar_id)`,
		count("q", "questions", ""),
		count("pa", "poll_answers", " AND x.email IS NOT NULL"),
		count("sa", "survey_answers", " AND x.email IS NOT NULL"),
	}, ",\n") + `
SELECT s.webinar_id, coalesce(s.topic, ''), coalesce(inst.n, 0), coalesce(rec.n, 0), coalesce(rec.t, 0),
       coalesce(q.n, 0), coalesce(pa.n, 0), coalesce(sa.n, 0)
FROM sel s LEFT JOIN inst USING (webinar_id) LEFT JOIN rec USING (webinar_id) LEFT JOIN q USING (webinar_id)
LEFT JOIN pa USING (webinar_id) LEFT JOIN sa USING (webinar_id)
ORDER BY s.webinar_id`
	return scanRows(ctx, sess, q, func(scan func(...any) error) error {
		var r report.EngagementRow
		err := scan(&r.WebinarID, &r.Topic, &r.Instances, &r.Recordings, &r.Transcripts, &r.Questions, &r.PollAnswers, &r.SurveyAnswers)
		d.Engagement = append(d.Engagement, r)
		return err
	})
}
