package load

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/zoomsync/zoomsync/load/hubspot"
)

// participationsQuery lists every participation: registrations per
// webinar go to each held instance's event; attendance to its instance's.
// The order keeps the participations of one (event, state) together: they
// are sent in batches of one event and state.
const participationsQuery = `
SELECT m.external_event_id, 'register' AS state, r.email, r.create_time AS at,
       CAST(NULL AS TIMESTAMPTZ) AS joined, CAST(NULL AS TIMESTAMPTZ) AS left_at
FROM marketing_events m
JOIN registration_events r ON r.webinar_id = m.webinar_id
UNION ALL
SELECT m.external_event_id, 'attend', t.email, t.join_time, t.join_time, t.leave_time
FROM marketing_events m
JOIN attendance_events t ON t.instance_uuid = m.instance_uuid
ORDER BY 1, 2, 3`

// participation is one contact's participation in one event and state.
type participation struct {
	event string
	state hubspot.SubscriberState
	in    hubspot.Attendance
}

// participations records who registered for and attended each marketing
// event, by contact id.
func (a *activity) participations(ctx context.Context) error {
	state, err := a.stateOf(ctx, ObjectParticipation)
	if err != nil {
		return err
	}
	evState, err := a.stateOf(ctx, ObjectMarketingEvent)
	if err != nil {
		return err
	}
	s := newSink(a.recorder, sinkSpec[participation]{
		objectType: ObjectParticipation,
		counts:     &a.sum.Attendance,
		group:      func(p participation) string { return p.event + "/" + string(p.state) },
		write:      a.recordAttendance,
	})
	defer s.wait() // on an early return, the batches in flight are recorded first
	rows, err := a.cfg.DB.QueryContext(ctx, participationsQuery)
	if err != nil {
		return fmt.Errorf("reading participations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var event, st, email string
		var at time.Time
		var joined, left sql.NullTime
		if err := rows.Scan(&event, &st, &email, &at, &joined, &left); err != nil {
			return err
		}
		key := event + "/" + st + "/" + email
		cid, ok := a.contactIDs[email]
		if !ok {
			s.skip(key, "NO_CONTACT_ID", "the contact has no CRM id yet (not loaded or refused); retried next run")
			continue
		}
		// Participations of an event whose upsert failed (or whose outcome
		// is unknown) this run wait for the event.
		if _, known := evState[event]; (!known && !a.cfg.DryRun) || a.eventUnsettled(event) {
			s.skip(key, "NO_MARKETING_EVENT", "the marketing event is not in the CRM yet; retried next run")
			continue
		}
		it := participationItem(key, event, st, cid, at, joined, left)
		it.prev, it.seen = state[key]
		if err := s.add(ctx, it); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return s.close(ctx)
}

// participationItem maps a row of participationsQuery to what is sent.
func participationItem(key, event, st, cid string, at time.Time, joined, left sql.NullTime) item[participation] {
	in := hubspot.Attendance{ContactID: cid, At: at.UTC()}
	props := map[string]string{"contactId": cid, "at": at.UTC().Format(time.RFC3339)}
	if joined.Valid {
		in.JoinedAt = joined.Time.UTC()
		props["joinedAt"] = in.JoinedAt.Format(time.RFC3339)
	}
	if left.Valid {
		in.LeftAt = left.Time.UTC()
		props["leftAt"] = in.LeftAt.Format(time.RFC3339)
	}
	return item[participation]{key: key, hash: hashProperties(props),
		in: participation{event: event, state: hubspot.SubscriberState(st), in: in}}
}

// recordAttendance writes one batch (one event and state).
func (a *activity) recordAttendance(ctx context.Context, batch []item[participation]) (answer, error) {
	in := make([]hubspot.Attendance, len(batch))
	for i, it := range batch {
		in[i] = it.in.in
	}
	p := batch[0].in
	outs, _, err := a.cfg.Client.MarketingEvents.RecordAttendance(ctx, a.cfg.ExternalAccountID, p.event, p.state, in)
	if err != nil {
		return answer{}, err
	}
	results := make([]result, len(batch))
	for i, it := range batch {
		results[i] = result{crmID: it.in.in.ContactID, err: outs[i].Err}
	}
	return answer{results: results}, nil
}

// eventUnsettled reports whether the upsert of marketing event event failed
// or has an unknown outcome this run. The batches of participations in
// flight record (and so write a.unsettled) meanwhile.
func (a *activity) eventUnsettled(event string) bool {
	a.unsettledMu.Lock()
	defer a.unsettledMu.Unlock()
	return a.unsettled[ObjectMarketingEvent+" "+event]
}
