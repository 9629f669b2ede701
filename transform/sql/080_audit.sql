-- 080_audit.sql: one audit row per left-out raw row (or webinar, or instance).
-- Reads:  stg_participants, stg_registrants, stg_instance_reports,
--         person_exclusions, registrations, presence,
--         raw_extract_issues, raw_recordings, raw_transcripts,
--         latest_extract_run, audit_reasons
-- Writes: audit_rows, out_audit
--
-- Also reads the variable run_id (set by the engine). audit_reasons is filled
-- by the engine from schema.AuditReasons before any SQL file runs: each
-- reason's category, the reason an extract issue is audited as, and which
-- issues a later fetch settles. View audit_rows; temp table out_audit, which
-- the engine writes to out/audit.parquet.
-- Audit reasons (schema.AuditReasons has the categories and messages):
--   guest_no_email      a participant (or registrant) row without an email
--                       (category "attendees not synced"; detail: the name)
--   invalid_email       a participant or registrant row whose email is not
--                       valid ("emails excluded"; email: as Zoom gave it)
--   report_unavailable  an instance whose report the extractor could not get
--                       (raw issue report_too_old or report_missing, carried
--                       in detail) and that has no report since
--                       ("webinar data not synced"; one row per instance)
--   host_not_selected, sync_setting_off, webinar_switched_off,
--   host_domain_excluded
--                       a webinar the settings keep out ("sync setting
--                       disabled"); the extractor writes these at every run, so
--                       only the newest extraction's count
--   zoom_events_webinar a webinar created in Zoom Events ("webinar data not
--                       synced"), re-stated at every run like the above
--   recordings_setting_off, recording_domain_excluded, no_attendees,
--   recording_missing, recording_processing
--                       a recording not synced ("recording/transcript not
--                       synced"); recordings_setting_off and no_attendees are
--                       re-decided at every run like the settings above; a
--                       missing or processing recording is no longer left out
--                       once a later run fetched it
--   transcript_not_found, transcript_malformed
--                       a transcript that could not be had or read ("sync
--                       error"), until a later run fetched it
--   excluded_domain, crm_user, contact_deleted, secondary_email
--                       a person a rule of 065_rules.sql keeps out ("emails
--                       excluded"): one row per counted registration (stream
--                       registrants) and per attended instance (stream
--                       participants), with the person as email and the
--                       rule's detail
--   no_registration, webinar_missing, report_window_too_old and any other
--                       extractor issue: carried through, one row per
--                       webinar/instance and reason ("webinar data not synced")

CREATE OR REPLACE VIEW audit_rows AS
WITH issues AS (
    SELECT i.*, coalesce(r.reported_as, i.reason) AS audit_reason
    FROM raw_extract_issues i
    LEFT JOIN audit_reasons r ON r.reason = i.reason
),
-- One row per webinar, instance and reason (the latest); an instance whose
-- report a later run did get is no longer left out.
open_issues AS (
    SELECT i.*
    FROM issues i
    LEFT JOIN audit_reasons r ON r.reason = i.audit_reason
    WHERE NOT (coalesce(r.settled_by, '') = 'report'
               AND coalesce(i.instance_uuid, '') IN (SELECT uuid FROM stg_instance_reports))
      -- Decisions re-made at every run count from the newest extraction only.
      AND NOT (coalesce(r.redecided, false)
               AND i.run_id <> (SELECT run_id FROM latest_extract_run))
      -- A recording or transcript fetched after the issue settles it.
      AND NOT (coalesce(r.settled_by, '') = 'recording'
               AND EXISTS (SELECT 1 FROM raw_recordings x
                           WHERE x.instance_uuid = i.instance_uuid AND x.fetched_at > i.fetched_at))
      AND NOT (coalesce(r.settled_by, '') = 'transcript'
               AND EXISTS (SELECT 1 FROM raw_transcripts t
                           WHERE t.instance_uuid = i.instance_uuid AND t.fetched_at > i.fetched_at))
    QUALIFY row_number() OVER (
        PARTITION BY i.webinar_id, coalesce(i.instance_uuid, ''), i.audit_reason
        ORDER BY i.fetched_at DESC, i.run_id DESC) = 1
),
-- Guests without email and invalid emails come from one pass over each
-- staging view: stg_participants is not materialized, and each pass reads
-- the participants' files and their email checks.
left_out AS (
    SELECT CASE email_status WHEN 'empty' THEN 'guest_no_email' ELSE 'invalid_email' END AS reason,
           webinar_id,
           instance_uuid,
           'participants' AS stream,
           CASE WHEN email_status = 'invalid' THEN user_email END AS email,
           name AS detail
    FROM stg_participants
    WHERE email_status IN ('empty', 'invalid')

    UNION ALL
    SELECT CASE email_status WHEN 'empty' THEN 'guest_no_email' ELSE 'invalid_email' END,
           webinar_id, CAST(NULL AS VARCHAR), 'registrants',
           CASE WHEN email_status = 'invalid' THEN email END,
           trim(concat_ws(' ', first_name, last_name))
    FROM stg_registrants
    WHERE email_status IN ('empty', 'invalid')

    UNION ALL
    SELECT x.reason, r.webinar_id, CAST(NULL AS VARCHAR), 'registrants', x.person, x.detail
    FROM person_exclusions x
    JOIN registrations r ON r.email = x.person

    UNION ALL
    SELECT x.reason, p.webinar_id, p.instance_uuid, 'participants', x.person, x.detail
    FROM person_exclusions x
    JOIN presence p USING (person)

    UNION ALL
    SELECT audit_reason,
           webinar_id,
           nullif(instance_uuid, ''),
           nullif(stream, ''),
           CAST(NULL AS VARCHAR),
           CASE WHEN audit_reason = 'report_unavailable' THEN concat_ws(': ', reason, nullif(detail, ''))
                ELSE nullif(detail, '') END
    FROM open_issues
)
-- The category of a reason comes from audit_reasons; an extractor issue of
-- a reason it does not list is webinar data not synced.
SELECT coalesce(c.category, 'webinar data not synced') AS category,
       l.reason, l.webinar_id, l.instance_uuid, l.stream, l.email, l.detail
FROM left_out l
LEFT JOIN audit_reasons c ON c.reason = l.reason;

CREATE OR REPLACE TEMP TABLE out_audit AS
SELECT CAST(getvariable('run_id') AS VARCHAR) AS run_id, *
FROM audit_rows;
