package load

import "fmt"

// rowFactsQuery names, for a load_log row (object type and key), the
// webinar and the email its key stands for, from the load-ready tables the
// keys are made of: a contact's key is its email; a timeline event's is
// "<template>/<event id>" (timelineQuery); a marketing event's its external
// event id; a participation's "<external event id>/<state>/<email>"; a
// call's its recording event id, and a call association's "<recording event
// id>/<contact id>" (callContactKey). Timeline templates name no webinar.
const rowFactsQuery = `
SELECT %[3]s AS object_type, email AS key, CAST(NULL AS BIGINT) AS webinar_id, email
FROM contacts
UNION ALL
SELECT %[4]s, t.template || '/' || t.event_id,
       coalesce(TRY_CAST(t.webinar_id AS BIGINT), r.webinar_id), t.email
FROM (%[1]s) t
LEFT JOIN recording_events r ON t.webinar_id IS NULL AND t.event_id = r.event_id || '-' || left(sha256(t.email), 16)
UNION ALL
SELECT %[5]s, external_event_id, webinar_id, NULL
FROM marketing_events
UNION ALL
SELECT %[6]s, p.external_event_id || '/' || p.state || '/' || p.email, m.webinar_id, p.email
FROM (%[2]s) p
JOIN marketing_events m USING (external_event_id)
UNION ALL
SELECT %[7]s, event_id, webinar_id, NULL
FROM recording_events
UNION ALL
SELECT %[8]s, r.event_id || '/' || s.crm_id, r.webinar_id, s.key
FROM recording_events r, unnest(r.attendees) AS u(email)
JOIN load_state s ON s.object_type = %[3]s AND s.key = u.email AND s.crm_id IS NOT NULL`

// RowFactsQuery returns a query over the catalog with the columns
// object_type, key, webinar_id and email: for every row the loader sends
// (the keys of load_state and load_log), the webinar and the person it is
// about, NULL where the key names none. The audit joins it to the rows the
// CRM rejected.
func RowFactsQuery() string {
	q := func(s string) string { return "'" + s + "'" }
	return fmt.Sprintf(rowFactsQuery, timelineQuery, participationsQuery, q(ObjectContact), q(ObjectTimelineEvent),
		q(ObjectMarketingEvent), q(ObjectParticipation), q(ObjectCall), q(ObjectCallContact))
}
