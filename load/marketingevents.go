package load

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/zoomsync/zoomsync/load/hubspot"
)

// marketingEventsQuery lists one marketing event per held webinar instance,
// with its session and the number of instances in it (more than one when a
// host drop split the session).
const marketingEventsQuery = `
SELECT external_event_id, webinar_id, name, start_time, end_time, webinar_url,
       session_id, count(*) OVER (PARTITION BY session_id) AS session_instances
FROM marketing_events
ORDER BY external_event_id`

// marketingEvents upserts the marketing events by external event id.
func (a *activity) marketingEvents(ctx context.Context) error {
	state, err := a.stateOf(ctx, ObjectMarketingEvent)
	if err != nil {
		return err
	}
	s := newSink(a.recorder, sinkSpec[*hubspot.MarketingEvent]{
		objectType: ObjectMarketingEvent,
		counts:     &a.sum.MarketingEvents,
		write:      a.upsertMarketingEvents,
	})
	defer s.wait() // on an early return, the batches in flight are recorded first
	rows, err := a.cfg.DB.QueryContext(ctx, marketingEventsQuery)
	if err != nil {
		return fmt.Errorf("reading marketing_events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name, url, session string
		var webinar, sessionInstances int64
		var start, end time.Time
		if err := rows.Scan(&id, &webinar, &name, &start, &end, &url, &session, &sessionInstances); err != nil {
			return err
		}
		note := ""
		if sessionInstances > 1 {
			note = sessionDescription(session, sessionInstances)
		}
		it := a.marketingEvent(id, webinar, name, start, end, url, note)
		it.prev, it.seen = state[id]
		if err := s.add(ctx, it); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return s.close(ctx)
}

// sessionDescription is what the description of an instance's marketing
// event adds when a host drop split its session into several instances: the
// session (the uuid of its first instance) and its size. The events stay
// per instance, as HubSpot's integration records them.
func sessionDescription(session string, instances int64) string {
	return fmt.Sprintf(", one of the %d instances of session %s (the host's connection dropped)", instances, session)
}

// marketingEvent maps a row of marketing_events to the event sent; note
// ends the description ("" for an instance that is a session of its own).
func (a *activity) marketingEvent(id string, webinar int64, name string, start, end time.Time, url, note string) item[*hubspot.MarketingEvent] {
	ev := &hubspot.MarketingEvent{
		ExternalAccountID: a.cfg.ExternalAccountID, ExternalEventID: id,
		EventName: name, EventOrganizer: a.cfg.Organizer, EventType: "WEBINAR",
		StartDateTime: start.UTC(), EndDateTime: end.UTC(), EventURL: url,
		EventCompleted:   true,
		EventDescription: "Zoom webinar " + strconv.FormatInt(webinar, 10) + note,
	}
	h := hashProperties(map[string]string{
		"externalAccountId": ev.ExternalAccountID, "eventName": ev.EventName, "eventOrganizer": ev.EventOrganizer,
		"eventType": ev.EventType, "startDateTime": ev.StartDateTime.Format(time.RFC3339), "endDateTime": ev.EndDateTime.Format(time.RFC3339),
		"eventUrl": ev.EventURL, "eventDescription": ev.EventDescription, "eventCompleted": "true",
	})
	return item[*hubspot.MarketingEvent]{key: id, hash: h, in: ev}
}

// upsertMarketingEvents writes one batch. HubSpot fails the whole upsert on
// any invalid input: there are no per-row errors. The answer does not name
// the external ids reliably, so an event keeps the id it had when the
// answer has none for it.
func (a *activity) upsertMarketingEvents(ctx context.Context, batch []item[*hubspot.MarketingEvent]) (answer, error) {
	events := make([]*hubspot.MarketingEvent, len(batch))
	for i, it := range batch {
		events[i] = it.in
	}
	res, _, err := a.cfg.Client.MarketingEvents.Upsert(ctx, events)
	if err != nil {
		return answer{}, err
	}
	ids := map[string]string{}
	for _, r := range res {
		if r != nil && r.ExternalEventID != "" {
			ids[r.ExternalEventID] = cmp.Or(r.ObjectID, r.ID)
		}
	}
	results := make([]result, len(batch))
	for i, it := range batch {
		results[i] = result{crmID: cmp.Or(ids[it.key], it.prev.crmID)}
	}
	return answer{results: results}, nil
}
