package transform

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/zoomsync/zoomsync/schema"
)

// TestEngine_Run_presenceDuplicateSessions: sessions that are the same
// interval once clipped to the span (a report's duplicate rows, or several
// rows that all began in the waiting time before the start) count once.
// Each person is present 10:00-10:10 and, in 29 identical rows,
// 10:20-10:30: 20 of 60 minutes, 33.33 %. Before the fix, the ties in the
// presence window's ORDER BY let a duplicate row that does not open an
// island sort before the one that does, so that row joined the previous
// island and the 10:10-10:20 gap was counted (40 minutes, 66.67 %). The
// sort only breaks ties out of order with many partitions, hence 5,000
// persons.
func TestEngine_Run_presenceDuplicateSessions(t *testing.T) {
	const persons, dups = 5000, 29
	lake := schema.Lake{Dir: t.TempDir()}
	fetched := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return time.Date(2024, 5, 7, h, m, 0, 0, time.UTC) }
	report := schema.InstanceReport{RunID: "r1", FetchedAt: fetched, WebinarID: 1001, UUID: "inst-a1",
		StartTime: at(10, 0), EndTime: at(11, 0), Duration: 60}
	writeParquet(t, lake.RawPart(schema.StreamInstanceReports, "r1", 0), report, []any{report})
	var rows []any
	for p := range persons {
		email := fmt.Sprintf("p%05d@example.com", p)
		row := func(seq int, join, leave time.Time) schema.Participant {
			return schema.Participant{RunID: "r1", FetchedAt: fetched, WebinarID: 1001, InstanceUUID: "inst-a1",
				Seq: int32(seq), Name: email, UserEmail: email, JoinTime: join, LeaveTime: leave, Status: "in_meeting"}
		}
		rows = append(rows, row(0, at(10, 0), at(10, 10)))
		for d := range dups {
			rows = append(rows, row(1+d, at(10, 20), at(10, 30)))
		}
	}
	writeParquet(t, lake.RawPart(schema.StreamParticipants, "r1", 0), schema.Participant{}, rows)

	ctx := context.Background()
	e, err := Open(ctx, lake)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.Run(ctx, goldenRunID); err != nil {
		t.Fatal(err)
	}
	contacts := readOut[schema.Contact](t, lake.Out(schema.TableContacts))
	if len(contacts) != persons {
		t.Fatalf("%d contacts, want %d", len(contacts), persons)
	}
	wrong := 0
	for _, c := range contacts {
		if p := c.ZoomAverageWebinarAttendancePercent; p == nil || *p != 33.33 || c.ZoomTotalWebinarsAttended != 1 {
			if wrong++; wrong <= 3 {
				t.Errorf("%s: percent %v, attended %d; want 33.33, 1", c.Email, deref(p), c.ZoomTotalWebinarsAttended)
			}
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d contacts have a wrong percent", wrong, persons)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
