-- 050_presence.sql: time present per person and instance.
-- Reads:  stg_instance_reports, stg_participants
-- Writes: instance_spans, presence_intervals, presence
-- Materialize: presence_intervals, presence
--
-- Views: instance_spans (instance_uuid, webinar_id, start/end, span_us),
-- presence_intervals (each in-meeting row clipped to its span, with its
-- join_time and leave_time as Zoom gave them) and presence (person,
-- instance_uuid, webinar_id, present_us, span_us, percent_present, and the
-- first join_time, last leave_time and number of in-meeting rows: sessions),
-- one row per person and instance attended.
-- Audit:  none (participants of an instance without a report do not count;
--         the extractor's report_too_old / report_missing issues become
--         report_unavailable rows in 080_audit.sql).
--
-- An instance's span is start_time..end_time of its report; an instance
-- without a report (or with an empty span) has none. Time present is the
-- length of the union of the person's in_meeting rows (waiting-room rows do
-- not count), each join..leave clipped to the span, in microseconds.

CREATE OR REPLACE VIEW instance_spans AS
SELECT uuid AS instance_uuid,
       webinar_id,
       start_time,
       end_time,
       epoch_us(start_time) AS start_us,
       epoch_us(end_time) AS end_us,
       epoch_us(end_time) - epoch_us(start_time) AS span_us
FROM stg_instance_reports
WHERE end_time > start_time;

CREATE OR REPLACE VIEW presence_intervals AS
SELECT p.person,
       p.instance_uuid,
       p.seq,
       p.join_time,
       p.leave_time,
       greatest(epoch_us(p.join_time), s.start_us) AS from_us,
       least(epoch_us(p.leave_time), s.end_us) AS to_us
FROM stg_participants p
JOIN instance_spans s USING (instance_uuid)
WHERE p.person IS NOT NULL
  AND p.status = 'in_meeting'
  AND least(epoch_us(p.leave_time), s.end_us) > greatest(epoch_us(p.join_time), s.start_us);

-- Time present is the length of the union of the person's intervals. In
-- start order (from_us, then to_us), a row adds what it reaches past the
-- furthest end of the rows before it (reach_before): to_us minus the later
-- of its start and that end, or nothing. The rows before it all start no
-- later, so whatever of it lies before reach_before is already counted.
-- The order of identical intervals does not matter (the second adds
-- nothing), so no DISTINCT is needed, and one window does what gaps and
-- islands did with two windows and two aggregates (052_sessions.sql counts
-- a stitched session the same way). The same aggregate keeps what the
-- attendance view shows: the first join, the last leave and the number of
-- in-meeting rows, so that it reads presence alone.
--
-- Both relations are materialized (into Parquet files: materializeSQL in
-- transform/run.go). presence_intervals is read again only for the
-- sessions a host drop split (052_sessions.sql), and from its file that
-- costs a scan; from the view it cost the participants' files, their
-- latest reports and the email checks again (10 M participant rows: the
-- contacts' out file took 17.5 s instead of 8.3 s).
CREATE OR REPLACE VIEW presence AS
WITH ordered AS (
    SELECT person,
           instance_uuid,
           join_time,
           leave_time,
           from_us,
           to_us,
           max(to_us) OVER (
               PARTITION BY person, instance_uuid ORDER BY from_us, to_us
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach_before
    FROM presence_intervals
),
present AS (
    SELECT person,
           instance_uuid,
           CAST(sum(greatest(to_us - greatest(from_us, coalesce(reach_before, from_us)), 0)) AS BIGINT) AS present_us,
           min(join_time) AS join_time,
           max(leave_time) AS leave_time,
           count(*) AS sessions
    FROM ordered
    GROUP BY person, instance_uuid
)
SELECT p.person,
       p.instance_uuid,
       s.webinar_id,
       p.present_us,
       s.span_us,
       CAST(p.present_us AS DOUBLE) / s.span_us * 100 AS percent_present,
       p.join_time,
       p.leave_time,
       p.sessions
FROM present p
JOIN instance_spans s USING (instance_uuid)
WHERE p.present_us > 0;
