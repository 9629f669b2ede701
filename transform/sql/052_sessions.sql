-- 052_sessions.sql: sessions, the instances of one webinar that a host drop
-- split (DESIGN.md, "What the CRM receives": Sessions; docs/engagement.md).
-- Reads:  instance_spans, session_settings, presence_intervals, presence
-- Writes: instance_sessions, session_presence
--
-- Views: instance_sessions (one row per instance with a report span: its
-- session and the session's span) and session_presence (one row per person
-- and session attended). session_settings(gap_us) is filled by the engine
-- from zoomsync.yaml's zoom.session_gap_minutes (transform.WithSessionGap)
-- before any SQL file runs.
-- Audit:  none.
--
-- Definition. When the host's connection drops, Zoom ends the instance and
-- starts another (new uuid, same webinar id) minutes later, so one session
-- becomes two instances. Instances of one webinar id whose report spans
-- (050_presence.sql: instance_spans) are separated by at most the gap form
-- one session: in start order, an instance opens a new session when it
-- starts more than gap_us after the furthest end of the webinar's instances
-- before it (overlapping or touching spans stitch). A gap of 0 turns
-- stitching off: every instance is a session of its own, and every figure
-- is the instance's, exactly as without sessions.
--   session_id   the uuid of the session's first instance (by start, then
--                end, then uuid): deterministic, and the instance's own
--                uuid for a session of one instance
--   span         the length of the union of the instances' spans
--   presence     the length of the union of the person's in-meeting
--                intervals, each clipped to its instance's span
--                (presence_intervals): the instance's time present
--                (050_presence.sql) for a session of one instance
--   percent      presence / span * 100
-- A person attended a session when the presence is longer than zero. The
-- contact properties count and average sessions (070_contacts.sql);
-- attendance events, marketing events and the engagement view stay per
-- instance (the marketing events name their session).
--
-- A union's length is computed here as the sum, over the intervals in start
-- order, of each interval's part beyond the furthest end of the intervals
-- before it: the same length as the islands of 050_presence.sql.

CREATE OR REPLACE VIEW instance_sessions AS
WITH ordered AS (
    SELECT *,
           max(end_us) OVER (
               PARTITION BY webinar_id ORDER BY start_us, end_us, instance_uuid
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach_before
    FROM instance_spans
),
numbered AS (
    SELECT o.*,
           sum(CASE WHEN o.reach_before IS NULL OR g.gap_us <= 0 OR o.start_us - o.reach_before > g.gap_us
                    THEN 1 ELSE 0 END) OVER (
               PARTITION BY o.webinar_id ORDER BY o.start_us, o.end_us, o.instance_uuid
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session_no
    FROM ordered o
    CROSS JOIN session_settings g
),
sessioned AS (
    SELECT *,
           first_value(instance_uuid) OVER (
               PARTITION BY webinar_id, session_no ORDER BY start_us, end_us, instance_uuid) AS session_id,
           max(end_us) OVER (
               PARTITION BY webinar_id, session_no ORDER BY start_us, end_us, instance_uuid
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS session_reach_before
    FROM numbered
)
SELECT instance_uuid,
       webinar_id,
       session_id,
       count(*) OVER (PARTITION BY session_id) AS instances,
       min(start_time) OVER (PARTITION BY session_id) AS session_start_time,
       max(end_time) OVER (PARTITION BY session_id) AS session_end_time,
       CAST(sum(greatest(end_us - greatest(start_us, coalesce(session_reach_before, start_us)), 0))
            OVER (PARTITION BY session_id) AS BIGINT) AS session_span_us
FROM sessioned;

-- Sessions of one instance take the instance's presence row as it is;
-- stitched sessions (more than one instance) the union of their intervals.
CREATE OR REPLACE VIEW session_presence AS
WITH stitched_intervals AS (
    SELECT DISTINCT p.person, s.session_id, p.from_us, p.to_us
    FROM presence_intervals p
    JOIN instance_sessions s USING (instance_uuid)
    WHERE s.instances > 1
),
ordered AS (
    SELECT *,
           max(to_us) OVER (
               PARTITION BY person, session_id ORDER BY from_us, to_us
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach_before
    FROM stitched_intervals
),
stitched AS (
    SELECT person, session_id,
           CAST(sum(greatest(to_us - greatest(from_us, coalesce(reach_before, from_us)), 0)) AS BIGINT) AS present_us
    FROM ordered
    GROUP BY person, session_id
),
stitched_sessions AS (
    SELECT DISTINCT session_id, webinar_id, instances, session_start_time, session_span_us
    FROM instance_sessions
    WHERE instances > 1
)
SELECT p.person,
       s.session_id,
       p.webinar_id,
       s.instances,
       s.session_start_time AS start_time,
       p.present_us,
       p.span_us,
       p.percent_present
FROM presence p
JOIN instance_sessions s USING (instance_uuid)
WHERE s.instances = 1
UNION ALL
SELECT x.person,
       x.session_id,
       s.webinar_id,
       s.instances,
       s.session_start_time AS start_time,
       x.present_us,
       s.session_span_us AS span_us,
       CAST(x.present_us AS DOUBLE) / s.session_span_us * 100 AS percent_present
FROM stitched x
JOIN stitched_sessions s USING (session_id)
WHERE x.present_us > 0;
