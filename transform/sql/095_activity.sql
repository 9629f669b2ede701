-- 095_activity.sql: the CRM activity (DESIGN.md, "What the CRM receives":
-- Activity): registration, attendance and recording events, and one
-- marketing event per held instance (session_id names its session: the
-- uuid of the session's first instance, 052_sessions.sql).
-- Reads:  eligible_persons, registrations, attendance, stg_webinars,
--         stg_webinar_instances, instance_spans, instance_sessions,
--         webinars_switched_off, raw_recordings, raw_recording_files,
--         raw_transcripts, recordings_excluded
-- Writes: activity_persons, zs_activity_id(), stg_recordings,
--         recording_transcripts, out_registration_events,
--         out_attendance_events, out_recording_events, out_marketing_events
--
-- eligible_persons comes from 065_rules.sql; attendance from
-- 090_segment_views.sql (first join, last leave, minutes and percent present
-- from the presence views, not recomputed). View activity_persons (who may
-- get activity); macro zs_activity_id; views stg_recordings,
-- recording_transcripts; temp views out_registration_events,
-- out_attendance_events, out_recording_events and out_marketing_events,
-- which the engine writes to out/<table>.parquet.
-- Audit:  none (recordings left out are reported by the extractor's issues:
--         recordings_setting_off, recording_domain_excluded, no_attendees,
--         recording_missing, recording_processing; 080_audit.sql carries
--         them).
--
-- Numbered after 090 because it reuses the attendance view.
--
-- The out relations are views, not tables: the COPY that writes each one
-- streams it into a sort that can spill, where a table would hold every
-- row in memory first (at 10 M participant rows the attendance events
-- alone are 1.7 GB). A marketing event counts its registrants and
-- attendees; who they are is in registration_events and attendance_events
-- (its webinar_id and instance_uuid). Lists of emails per event were 40 M
-- strings at 10 M participant rows (the webinar's registrants repeated on
-- each of its instances), and DuckDB cannot spill a list aggregate's state,
-- so they ran out of memory (docs/performance.md, target 4). The
-- recordings' attendee lists are built only for instances with a
-- recording, which the calls need.
--
-- Deterministic ids (the first 32 hex digits of a SHA-256, so they are
-- URL-safe and the same at every run):
--   registration  'reg-'  || sha256(webinar_id || '|' || email)
--   attendance    'att-'  || sha256(instance_uuid || '|' || email)
--   recording     'rec-'  || sha256(instance_uuid)
--   marketing     'zoom-' || sha256(instance_uuid)   (externalEventId)

-- Only eligible persons get activity: eligible_persons (065_rules.sql) are
-- the contact persons no rule keeps out (CRM users, excluded domains,
-- secondary emails, deleted contacts).
CREATE OR REPLACE VIEW activity_persons AS
SELECT DISTINCT person FROM eligible_persons WHERE person IS NOT NULL;

CREATE OR REPLACE MACRO zs_activity_id(prefix, k) AS prefix || left(sha256(k), 32);

CREATE OR REPLACE TEMP VIEW out_registration_events AS
SELECT zs_activity_id('reg-', CAST(r.webinar_id AS VARCHAR) || '|' || r.email) AS event_id,
       r.email,
       r.webinar_id,
       coalesce(r.topic, '') AS webinar_name,
       r.create_time
FROM registrations r
WHERE r.email IN (SELECT person FROM activity_persons);

CREATE OR REPLACE TEMP VIEW out_attendance_events AS
SELECT zs_activity_id('att-', a.instance_uuid || '|' || a.email) AS event_id,
       a.email,
       a.webinar_id,
       coalesce(a.topic, '') AS webinar_name,
       a.instance_uuid,
       strftime(a.start_time, '%Y-%m-%d') AS date,
       a.start_time,
       a.join_time,
       a.leave_time,
       CAST(a.minutes_present AS DOUBLE) AS minutes_present,
       CAST(a.percent_present AS DOUBLE) AS percent_present
FROM attendance a
WHERE a.email IN (SELECT person FROM activity_persons);

-- The latest snapshot of each instance's recording and of its files.
CREATE OR REPLACE VIEW stg_recordings AS
SELECT * EXCLUDE (run)
FROM raw_recordings
WHERE webinar_id NOT IN (SELECT webinar_id FROM webinars_switched_off)
  AND instance_uuid NOT IN (SELECT instance_uuid FROM recordings_excluded)
QUALIFY row_number() OVER (PARTITION BY instance_uuid ORDER BY fetched_at DESC, run_id DESC) = 1;

-- One transcript per instance: the cues of the latest snapshot of the
-- audio transcript, else of the closed captions, in cue order.
CREATE OR REPLACE VIEW recording_transcripts AS
WITH latest AS (
    SELECT *
    FROM raw_transcripts
    QUALIFY dense_rank() OVER (
        PARTITION BY instance_uuid
        ORDER BY CASE file_type WHEN 'TRANSCRIPT' THEN 0 ELSE 1 END, fetched_at DESC, run_id DESC, file_id) = 1
)
SELECT instance_uuid,
       string_agg(CASE WHEN coalesce(trim(speaker), '') = '' THEN trim(text)
                       ELSE trim(speaker) || ': ' || trim(text) END,
                  chr(10) ORDER BY seq, start_ms) AS transcript
FROM latest
WHERE coalesce(trim(text), '') <> ''
GROUP BY instance_uuid;

CREATE OR REPLACE TEMP VIEW out_recording_events AS
WITH mp4 AS (
    SELECT f.instance_uuid,
           f.play_url
    FROM raw_recording_files f
    JOIN stg_recordings r ON r.instance_uuid = f.instance_uuid AND r.fetched_at = f.fetched_at
    WHERE f.file_type = 'MP4' AND f.ready
    QUALIFY row_number() OVER (PARTITION BY f.instance_uuid ORDER BY f.recording_start, f.id) = 1
),
attendees AS (
    SELECT instance_uuid, list(email ORDER BY email) AS attendees
    FROM out_attendance_events
    WHERE instance_uuid IN (SELECT instance_uuid FROM stg_recordings)
    GROUP BY instance_uuid
)
SELECT zs_activity_id('rec-', r.instance_uuid) AS event_id,
       r.instance_uuid,
       r.webinar_id,
       coalesce(nullif(r.topic, ''), w.topic, '') AS topic,
       r.start_time,
       r.duration AS duration_minutes,
       coalesce(nullif(m.play_url, ''), r.share_url) AS recording_url,
       coalesce(t.transcript, '') AS transcript,
       a.attendees
FROM stg_recordings r
JOIN mp4 m USING (instance_uuid)
JOIN attendees a USING (instance_uuid)
LEFT JOIN recording_transcripts t USING (instance_uuid)
LEFT JOIN stg_webinars w ON w.id = r.webinar_id
WHERE coalesce(nullif(m.play_url, ''), r.share_url, '') <> '';

CREATE OR REPLACE TEMP VIEW out_marketing_events AS
WITH registered AS (
    SELECT webinar_id, count(*) AS registrants
    FROM out_registration_events
    GROUP BY webinar_id
),
attended AS (
    SELECT instance_uuid, count(*) AS attendees
    FROM out_attendance_events
    GROUP BY instance_uuid
)
SELECT zs_activity_id('zoom-', i.uuid) AS external_event_id,
       i.uuid AS instance_uuid,
       i.webinar_id,
       coalesce(nullif(w.topic, ''), 'Zoom webinar ' || CAST(i.webinar_id AS VARCHAR)) AS name,
       coalesce(s.start_time, i.start_time) AS start_time,
       coalesce(s.end_time, i.start_time + to_minutes(coalesce(w.duration, 0))) AS end_time,
       coalesce(w.join_url, '') AS webinar_url,
       coalesce(g.registrants, 0) AS registrants,
       coalesce(t.attendees, 0) AS attendees,
       coalesce(x.session_id, i.uuid) AS session_id
FROM stg_webinar_instances i
LEFT JOIN stg_webinars w ON w.id = i.webinar_id
LEFT JOIN instance_spans s ON s.instance_uuid = i.uuid
LEFT JOIN registered g ON g.webinar_id = i.webinar_id
LEFT JOIN attended t ON t.instance_uuid = i.uuid
LEFT JOIN instance_sessions x ON x.instance_uuid = i.uuid
WHERE i.webinar_id NOT IN (SELECT webinar_id FROM webinars_switched_off);
