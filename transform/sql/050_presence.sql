-- 050_presence.sql: time present per person and instance.
-- Reads:  stg_instance_reports, stg_participants
-- Writes: instance_spans, presence_intervals, presence
-- Materialize: presence_intervals, presence
--
-- Views: instance_spans (instance_uuid, webinar_id, start/end, span_us),
-- presence_intervals (each in-meeting row clipped to its span, with its
-- join_time and leave_time as Zoom gave them) and presence (person,
-- instance_uuid, webinar_id, present_us, span_us, percent_present), one row
-- per person and instance attended.
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

-- Gaps and islands: in start order, a row opens a new island when it starts
-- after the furthest end of the rows before it; an island's length is its
-- furthest end minus its first start; present time is the sum over islands.
-- Identical clipped intervals (duplicate report rows, or rows that all
-- began before the start) are kept once: the two windows below sort them
-- separately, and a tie broken differently by the second would put a row
-- that opens no island before the one that does, joining it to the island
-- before and counting the gap between them.
CREATE OR REPLACE VIEW presence AS
WITH distinct_intervals AS (
    SELECT DISTINCT person, instance_uuid, from_us, to_us
    FROM presence_intervals
),
ordered AS (
    SELECT *,
           max(to_us) OVER (
               PARTITION BY person, instance_uuid ORDER BY from_us, to_us
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach_before
    FROM distinct_intervals
),
numbered AS (
    SELECT *,
           sum(CASE WHEN reach_before IS NULL OR from_us > reach_before THEN 1 ELSE 0 END) OVER (
               PARTITION BY person, instance_uuid ORDER BY from_us, to_us
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
    FROM ordered
),
islands AS (
    SELECT person, instance_uuid, island, max(to_us) - min(from_us) AS length_us
    FROM numbered
    GROUP BY person, instance_uuid, island
),
present AS (
    SELECT person, instance_uuid, CAST(sum(length_us) AS BIGINT) AS present_us
    FROM islands
    GROUP BY person, instance_uuid
)
SELECT p.person,
       p.instance_uuid,
       s.webinar_id,
       p.present_us,
       s.span_us,
       CAST(p.present_us AS DOUBLE) / s.span_us * 100 AS percent_present
FROM present p
JOIN instance_spans s USING (instance_uuid)
WHERE p.present_us > 0;
