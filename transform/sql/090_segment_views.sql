-- 090_segment_views.sql: the documented views of segment queries (README,
-- "Segment queries"), for `zoomsync query`, `zoomsync segments` and
-- notebooks. They reuse the relations above and compute nothing twice.
-- Reads:  stg_webinars, stg_webinar_instances, stg_instance_reports,
--         instance_spans, instance_sessions, presence
-- Writes: webinars, instances, attendance
--
-- Views: webinars (one row per webinar: its latest snapshot), instances (one
-- row per held instance, with its report's span) and attendance (one row per
-- person and instance attended). registrations comes from
-- 060_registrations.sql; contacts and audit are the engine's views over
-- out/contacts.parquet and out/audit.parquet. A recordings view comes with
-- the recordings stream.
-- Audit:  none.

CREATE OR REPLACE VIEW webinars AS
SELECT id AS webinar_id,
       uuid AS webinar_uuid,
       topic,
       type,
       start_time,
       duration AS duration_minutes,
       timezone,
       host_id,
       host_email,
       join_url,
       approval_type,
       is_simulive,
       agenda,
       created_at,
       fetched_at
FROM stg_webinars;

-- span_minutes and attendees are NULL for an instance without a usable
-- report (its attendance is unknown; the audit says why). session_id is the
-- uuid of the first instance of the instance's session (052_sessions.sql:
-- the instances a host drop split); an instance without a report span is a
-- session of its own.
CREATE OR REPLACE VIEW instances AS
WITH attendees AS (
    SELECT instance_uuid, count(*) AS attendees
    FROM presence
    GROUP BY instance_uuid
)
SELECT i.webinar_id,
       w.topic,
       i.uuid AS instance_uuid,
       i.start_time,
       r.start_time AS report_start_time,
       r.end_time AS report_end_time,
       round(s.span_us / 60e6, 2) AS span_minutes,
       CASE WHEN s.instance_uuid IS NOT NULL THEN coalesce(a.attendees, 0) END AS attendees,
       coalesce(x.session_id, i.uuid) AS session_id
FROM stg_webinar_instances i
LEFT JOIN stg_webinars w ON w.id = i.webinar_id
LEFT JOIN stg_instance_reports r ON r.uuid = i.uuid
LEFT JOIN instance_spans s ON s.instance_uuid = i.uuid
LEFT JOIN attendees a ON a.instance_uuid = i.uuid
LEFT JOIN instance_sessions x ON x.instance_uuid = i.uuid;

-- join_time and leave_time are the first join and the last leave of the
-- in-meeting sessions that count, as Zoom reported them (not clipped);
-- minutes_present and percent_present are the union of those sessions
-- clipped to the span (050_presence.sql), rounded to two decimals.
CREATE OR REPLACE VIEW attendance AS
SELECT p.person AS email,
       p.webinar_id,
       w.topic,
       p.instance_uuid,
       s.start_time,
       s.end_time,
       p.join_time,
       p.leave_time,
       p.sessions,
       round(p.present_us / 60e6, 2) AS minutes_present,
       round(p.percent_present, 2) AS percent_present
FROM presence p
JOIN instance_spans s USING (instance_uuid)
LEFT JOIN stg_webinars w ON w.id = p.webinar_id;
