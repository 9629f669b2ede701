package transform

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/zoomsync/zoomsync/schema"
)

// instanceSession is a row of want_sessions.json: an instance and its session.
type instanceSession struct {
	InstanceUUID string `json:"instance_uuid"`
	SessionID    string `json:"session_id"`
}

// runCase runs the embedded SQL over testdata/<name>/raw with the given
// session gap (and the case's options) and returns the engine, open.
func runCase(t *testing.T, name string, opts ...Option) (*Engine, schema.Lake) {
	t.Helper()
	e, lake := openCase(t, name, opts...)
	if _, err := e.Run(context.Background(), goldenRunID); err != nil {
		t.Fatal(err)
	}
	return e, lake
}

// sessionsOf lists the instances view's (instance_uuid, session_id), and
// checks that each marketing event names the same session.
func sessionsOf(t *testing.T, e *Engine) []instanceSession {
	t.Helper()
	rows, err := e.DB().Query(`
SELECT i.instance_uuid, i.session_id, m.session_id
FROM instances i LEFT JOIN marketing_events m USING (instance_uuid)
ORDER BY i.instance_uuid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []instanceSession
	for rows.Next() {
		var s instanceSession
		var event *string
		if err := rows.Scan(&s.InstanceUUID, &s.SessionID, &event); err != nil {
			t.Fatal(err)
		}
		if event == nil || *event != s.SessionID {
			t.Errorf("%s: the marketing event names session %v, the instances view %s", s.InstanceUUID, event, s.SessionID)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEngine_Run_sessions: testdata/sessions-host-drop/derivation.md derives
// the contacts with the default gap (15 minutes: want_contacts.json, also
// checked by TestEngine_Run_golden) and with stitching off (gap 0:
// want_contacts_gap0.json), and the sessions of want_sessions.json.
func TestEngine_Run_sessions(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("testdata", "sessions-host-drop")
	e, lake := runCase(t, "sessions-host-drop", WithSessionGap(DefaultSessionGap))
	golden(t, filepath.Join(dir, "want_contacts.json"), readOut[schema.Contact](t, lake.Out(schema.TableContacts)))
	golden(t, filepath.Join(dir, "want_sessions.json"), sessionsOf(t, e))

	e0, lake0 := runCase(t, "sessions-host-drop", WithSessionGap(0))
	golden(t, filepath.Join(dir, "want_contacts_gap0.json"), readOut[schema.Contact](t, lake0.Out(schema.TableContacts)))
	for _, s := range sessionsOf(t, e0) {
		if s.SessionID != s.InstanceUUID {
			t.Errorf("gap 0: instance %s is in session %s, want its own", s.InstanceUUID, s.SessionID)
		}
	}
}

// TestEngine_Run_sessionGapZero: with stitching off, every figure is the
// instance's, exactly as before sessions existed: for every golden case,
// session_presence is presence row for row, and the contacts' attendance
// columns are the per-instance rollup of presence (the query 070_contacts.sql
// ran before sessions); the cases without instances of one webinar within
// 15 minutes of each other give the same contacts with either gap.
func TestEngine_Run_sessionGapZero(t *testing.T) {
	t.Parallel()
	cases, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			t.Parallel()
			e, lake := runCase(t, c.Name(), WithSessionGap(0))
			checkPerInstance(t, e)
			if c.Name() != "sessions-host-drop" {
				golden(t, filepath.Join("testdata", c.Name(), "want_contacts.json"),
					readOut[schema.Contact](t, lake.Out(schema.TableContacts)))
			}
		})
	}
}

func checkPerInstance(t *testing.T, e *Engine) {
	t.Helper()
	for _, q := range []string{
		`SELECT count(*) FROM (
		     (SELECT person, session_id, webinar_id, present_us, span_us, percent_present FROM session_presence
		      EXCEPT ALL SELECT person, instance_uuid, webinar_id, present_us, span_us, percent_present FROM presence)
		     UNION ALL
		     (SELECT person, instance_uuid, webinar_id, present_us, span_us, percent_present FROM presence
		      EXCEPT ALL SELECT person, session_id, webinar_id, present_us, span_us, percent_present FROM session_presence))`,
		`WITH before AS (
		     SELECT p.person AS email, count(*) AS attended, round(avg(p.percent_present), 2) AS average_percent,
		            strftime(max(s.start_time), '%Y-%m-%d') AS last_date
		     FROM presence p JOIN instance_spans s USING (instance_uuid)
		     WHERE p.present_us > 0 GROUP BY p.person)
		 SELECT count(*) FROM contacts c LEFT JOIN before b USING (email)
		 WHERE c.zoom_total_webinars_attended <> coalesce(b.attended, 0)
		    OR c.zoom_average_webinar_attendance_percent IS DISTINCT FROM b.average_percent
		    OR c.zoom_last_webinar_attended_date IS DISTINCT FROM b.last_date`,
	} {
		var n int
		if err := e.DB().QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("gap 0: %d rows differ from the per-instance figures:\n%s", n, q)
		}
	}
}
