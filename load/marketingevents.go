package load

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/zoomsync/zoomsync/load/hubspot"
)

// marketingEventsQuery lists one marketing event per held webinar instance.
const marketingEventsQuery = `
SELECT external_event_id, webinar_id, name, start_time, end_time, webinar_url
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
		var id, name, url string
		var webinar int64
		var start, end time.Time
		if err := rows.Scan(&id, &webinar, &name, &start, &end, &url); err != nil {
			return err
		}
		it := a.marketingEvent(id, webinar, name, start, end, url)
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

// marketingEvent maps a row of marketing_events to the event sent.
func (a *activity) marketingEvent(id string, webinar int64, name string, start, end time.Time, url string) item[*hubspot.MarketingEvent] {
	ev := &hubspot.MarketingEvent{
		ExternalAccountID: a.cfg.ExternalAccountID, ExternalEventID: id,
		EventName: name, EventOrganizer: a.cfg.Organizer, EventType: "WEBINAR",
		StartDateTime: start.UTC(), EndDateTime: end.UTC(), EventURL: url,
		EventCompleted:   true,
		EventDescription: "Zoom webinar " + strconv.FormatInt(webinar, 10),
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
