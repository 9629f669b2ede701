package load

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/zoomsync/zoomsync/internal/failpoint"
	"github.com/zoomsync/zoomsync/load/hubspot"
)

// MaxCallBody caps hs_call_body: HubSpot caps text values near 65,536
// characters (reference §3), and the call body also holds the recording
// URL and a note when the transcript is cut.
const MaxCallBody = 60000

const callsQuery = `
SELECT event_id, topic, start_time, duration_minutes, recording_url, transcript,
       array_to_string(attendees, chr(10)) AS attendees
FROM recording_events
ORDER BY event_id`

// CallProperties are the call record of a recording: title, start,
// duration, recording URL (HTTPS only: HubSpot refuses others) and a body
// with the URL and the transcript, cut to MaxCallBody characters with a
// note saying so.
func CallProperties(topic string, start time.Time, minutes int, recordingURL, transcript string) map[string]string {
	body := "Zoom webinar recording: " + recordingURL
	if transcript != "" {
		body += "\n\nTranscript:\n" + transcript
	}
	if r := []rune(body); len(r) > MaxCallBody {
		note := fmt.Sprintf("\n\n[transcript cut at %d of %d characters; the full text is in the zoomsync lake]", MaxCallBody, len(r))
		body = string(r[:MaxCallBody-len([]rune(note))]) + note
	}
	p := map[string]string{
		"hs_timestamp":      start.UTC().Format(time.RFC3339),
		"hs_call_title":     "Webinar recording: " + topic,
		"hs_call_body":      body,
		"hs_call_duration":  strconv.FormatInt(int64(minutes)*60_000, 10),
		"hs_call_direction": "OUTBOUND",
		"hs_call_status":    "COMPLETED",
	}
	if strings.HasPrefix(recordingURL, "https://") {
		p["hs_call_recording_url"] = recordingURL
	}
	return p
}

// CallsProperties returns the calls properties zoomsync creates (in
// PropertyGroup) before it upserts calls: zoomsync_call_id, the unique key
// of a recording's call. Each call returns new values.
func CallsProperties() []*hubspot.Property {
	return []*hubspot.Property{
		{Name: hubspot.CallIDProperty, Label: "zoomsync: recording id", Type: "string", FieldType: "text", HasUniqueValue: true,
			Description: "The Zoom recording this call was made from: zoomsync writes the call by it, so never twice."},
	}
}

// callRow is a recording's call: what is sent, and the attendees that
// load_state does not record as associated with it (missing).
type callRow struct {
	in      hubspot.CallInput
	missing []string
}

// calls writes one call per recording, associated with its attendees.
// The calls load_state does not know go through one sink (batch upsert by
// zoomsync_call_id, or batch create with CreateCalls), those it
// knows through another (batch update by the id kept in load_state); then
// the attendees missing are associated. Never a second call for a
// recording: an upsert finds the call by its unique key whatever load_state
// remembers, and a create is never resent. Each batch is recorded with the
// associations it made, in one transaction, so a run that stops partway
// keeps the ids of the calls it wrote.
//
// The calls' own properties (zoomsync_call_id, for upserts) are made sure
// of before the first batch of either sink only: a run with nothing to send
// reads none.
func (a *activity) calls(ctx context.Context) error {
	state, err := a.stateOf(ctx, ObjectCall)
	if err != nil {
		return err
	}
	linked, err := a.stateOf(ctx, ObjectCallContact)
	if err != nil {
		return err
	}
	write := a.upsertCalls
	if a.cfg.CreateCalls {
		write = a.createCalls
	}
	// A batch create is not idempotent: its batches go one at a time.
	creates := newSink(a.recorder, sinkSpec[callRow]{objectType: ObjectCall, counts: &a.sum.Calls, write: write, serial: a.cfg.CreateCalls,
		prepare: a.ensureCallProperties})
	updates := newSink(a.recorder, sinkSpec[callRow]{objectType: ObjectCall, counts: &a.sum.Calls, write: a.updateCalls,
		prepare: a.ensureCallProperties})
	// A sink whose add failed waits for its own batches; the other's are
	// waited for here before returning.
	defer func() { _, _ = creates.wait(), updates.wait() }()
	rows, err := a.cfg.DB.QueryContext(ctx, callsQuery)
	if err != nil {
		return fmt.Errorf("reading recording_events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, topic, url, transcript, attendees string
		var start time.Time
		var minutes int
		if err := rows.Scan(&id, &topic, &start, &minutes, &url, &transcript, &attendees); err != nil {
			return err
		}
		cids := a.attendeeIDs(attendees)
		if len(cids) == 0 {
			creates.skip(id, "NO_CONTACT_ID", "no attendee has a CRM id yet; retried next run")
			continue
		}
		props := CallProperties(topic, start, minutes, url, transcript)
		if !a.cfg.CreateCalls {
			// Calls created before carry their key once updated with it.
			props[hubspot.CallIDProperty] = id
		}
		hp := maps.Clone(props)
		hp["contacts"] = strings.Join(cids, ",")
		it := item[callRow]{key: id, hash: hashProperties(hp),
			in: callRow{in: hubspot.CallInput{ObjectWriteTraceID: id, Properties: props, ContactIDs: cids}}}
		it.prev, it.seen = state[id]
		for _, cid := range cids {
			if _, ok := linked[callContactKey(id, cid)]; !ok {
				it.in.missing = append(it.in.missing, cid)
			}
		}
		s := creates
		if it.seen {
			s = updates
		}
		if err := s.add(ctx, it); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return cmp.Or(creates.close(ctx), updates.close(ctx))
}

// attendeeIDs are the contact ids of a recording's attendees (one email a
// line), sorted, without duplicates.
func (a *activity) attendeeIDs(attendees string) []string {
	var cids []string
	for _, e := range strings.Split(attendees, "\n") {
		if cid, ok := a.contactIDs[e]; ok {
			cids = append(cids, cid)
		}
	}
	slices.Sort(cids)
	return slices.Compact(cids)
}

// createCalls creates one batch of calls with their attendees. After a lost
// answer (a transport error or a 5xx, not resent) the batch fails; HubSpot
// may hold the calls all the same, and the next run cannot tell.
func (a *activity) createCalls(ctx context.Context, batch []item[callRow]) (answer, error) {
	in := make([]hubspot.CallInput, len(batch))
	for i, it := range batch {
		in[i] = it.in.in
	}
	outs, _, err := a.cfg.Client.Calls.BatchCreate(ctx, in)
	if err != nil {
		return answer{}, err
	}
	ans := answer{results: make([]result, len(batch))}
	var links []ack // the attendees went with the create
	for i, o := range outs {
		ans.results[i] = result{crmID: o.CallID, err: o.Err}
		if o.Err == nil {
			links = appendLinks(links, batch[i].key, o.CallID, batch[i].in.in.ContactIDs)
		}
	}
	ans.also = []outcomes{{ObjectCallContact, new(Counts), links}}
	return ans, nil
}

// updateCalls updates one batch of calls created earlier and associates
// the attendees they lack. A call whose attendees could not all be
// associated is failed, so that the next run sends it again, with the ones
// still missing.
func (a *activity) updateCalls(ctx context.Context, batch []item[callRow]) (answer, error) {
	in := make([]hubspot.CallUpdate, len(batch))
	for i, it := range batch {
		in[i] = hubspot.CallUpdate{ID: it.prev.crmID, ObjectWriteTraceID: it.key, Properties: it.in.in.Properties}
	}
	outs, _, err := a.cfg.Client.Calls.BatchUpdate(ctx, in)
	if err != nil {
		return answer{}, err
	}
	callIDs := make([]string, len(batch))
	for i, it := range batch {
		if outs[i].Err == nil {
			callIDs[i] = it.prev.crmID
		}
	}
	refused, links, stop := a.associate(ctx, batch, callIDs)
	ans := answer{results: make([]result, len(batch)), stop: stop}
	for i, it := range batch {
		ans.results[i] = result{crmID: it.prev.crmID, err: cmp.Or(outs[i].Err, refused[i])}
	}
	ans.also = []outcomes{{ObjectCallContact, new(Counts), links}}
	return ans, nil
}

// upsertCalls writes one batch of calls load_state does not know by their
// zoomsync_call_id (the recording's event id), then associates their
// attendees (associating a pair twice changes nothing). Resending it is
// harmless, so a lost answer is retried like any request, and a call whose
// outcome stayed unknown is upserted again by the next run. A call whose
// attendees could not all be associated is failed, to be sent again.
func (a *activity) upsertCalls(ctx context.Context, batch []item[callRow]) (answer, error) {
	in := make([]hubspot.UpsertInput, len(batch))
	for i, it := range batch {
		in[i] = hubspot.UpsertInput{ID: it.key, IDProperty: hubspot.CallIDProperty, ObjectWriteTraceID: it.key, Properties: it.in.in.Properties}
	}
	outs, _, err := a.cfg.Client.Calls.BatchUpsert(ctx, in)
	if err != nil {
		return answer{}, err
	}
	callIDs := make([]string, len(batch))
	for i, o := range outs {
		if o.Err == nil {
			callIDs[i] = o.ID
		}
	}
	refused, links, stop := a.associate(ctx, batch, callIDs)
	ans := answer{results: make([]result, len(batch)), stop: stop}
	for i, o := range outs {
		ans.results[i] = result{crmID: o.ID, err: cmp.Or(o.Err, refused[i]), outcome: OutcomeUpdated}
		if o.Created {
			ans.results[i].outcome = OutcomeCreated
		}
	}
	ans.also = []outcomes{{ObjectCallContact, new(Counts), links}}
	return ans, nil
}

// associate associates the missing attendees of the calls of a batch that
// were written (callIDs[i] is row i's call, empty when it was not), up to
// 100 pairs a request, the requests at once (as many as the client keeps
// in flight; associating a pair twice changes nothing, so the order does
// not matter). It returns per batch row the first refusal (nil when every
// pair was made) and the call_contact acks of the pairs made; and the
// context's error once it has ended.
func (a *activity) associate(ctx context.Context, batch []item[callRow], callIDs []string) ([]*hubspot.BatchError, []ack, error) {
	var pairs []hubspot.CallContact
	var rowOf []int
	for i, it := range batch {
		if callIDs[i] == "" {
			continue
		}
		for _, cid := range it.in.missing {
			pairs = append(pairs, hubspot.CallContact{CallID: callIDs[i], ContactID: cid})
			rowOf = append(rowOf, i)
		}
	}
	chunks := slices.Collect(slices.Chunk(pairs, hubspot.MaxBatchInputs))
	res := make([][]hubspot.AssociationOutcome, len(chunks))
	errs := make([]error, len(chunks))
	var g errgroup.Group // each chunk keeps its own error
	g.SetLimit(a.maxInFlight())
	for c, chunk := range chunks {
		g.Go(func() error {
			res[c], _, errs[c] = a.cfg.Client.Calls.AssociateContacts(ctx, chunk)
			failpoint.Hit("load.after-call-association")
			return nil
		})
	}
	_ = g.Wait()
	refused := make([]*hubspot.BatchError, len(batch))
	var links []ack
	for j := range pairs {
		i, c := rowOf[j], j/hubspot.MaxBatchInputs
		switch err := errs[c]; {
		case err != nil:
			refused[i] = cmp.Or(refused[i], &hubspot.BatchError{Category: errCategory(err), Message: err.Error()})
		case res[c][j%hubspot.MaxBatchInputs].Err != nil:
			refused[i] = cmp.Or(refused[i], res[c][j%hubspot.MaxBatchInputs].Err)
		default:
			links = appendLinks(links, batch[i].key, pairs[j].CallID, []string{pairs[j].ContactID})
		}
	}
	if slices.ContainsFunc(errs, func(err error) bool { return err != nil }) && ctx.Err() != nil {
		return refused, links, ctx.Err()
	}
	return refused, links, nil
}

// callContactKey is the load_state key of a recording's call → contact
// association (object type call_contact).
func callContactKey(recording, contactID string) string { return recording + "/" + contactID }

func appendLinks(links []ack, recording, callID string, contactIDs []string) []ack {
	for _, cid := range contactIDs {
		links = append(links, ack{key: callContactKey(recording, cid), crmID: callID, outcome: OutcomeCreated,
			hash: hashProperties(map[string]string{"call": callID, "contact": cid})})
	}
	return links
}

// ensureCallProperties creates the calls' own properties once per load,
// unless calls are batch-created (they then need none).
func (a *activity) ensureCallProperties(ctx context.Context) error {
	if a.cfg.CreateCalls || a.callPropertiesEnsured {
		return nil
	}
	created, _, err := a.cfg.Client.Properties.Ensure(ctx, "calls", PropertyGroup(), CallsProperties())
	if err != nil {
		return fmt.Errorf("creating calls properties: %w", err)
	}
	a.sum.PropertiesCreated = append(a.sum.PropertiesCreated, created...)
	a.callPropertiesEnsured = true
	failpoint.Hit("load.after-call-property-bootstrap")
	return nil
}
