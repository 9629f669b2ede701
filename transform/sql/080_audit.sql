-- 080_audit.sql: one audit row per left-out raw row (or webinar, or instance).
-- Reads:  stg_participants, stg_registrants, stg_instance_reports,
--         person_exclusions, registrations, presence,
--         raw_extract_issues, raw_recordings, raw_transcripts,
--         latest_extract_run; the variable run_id (set by the engine).
-- Writes: view audit_rows; temp table out_audit, which the engine writes to
--         out/audit.parquet.
-- Audit reasons:
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
--   recordings_setting_off, no_attendees, recording_missing,
--   recording_processing
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
    SELECT *,
           CASE WHEN reason IN ('report_too_old', 'report_missing') THEN 'report_unavailable'
                ELSE reason END AS audit_reason
    FROM raw_extract_issues
),
-- One row per webinar, instance and reason (the latest); an instance whose
-- report a later run did get is no longer left out.
open_issues AS (
    SELECT *,
           CASE WHEN audit_reason IN ('host_not_selected', 'sync_setting_off', 'webinar_switched_off', 'host_domain_excluded')
                     THEN 'sync setting disabled'
                WHEN audit_reason IN ('recordings_setting_off', 'no_attendees', 'recording_missing', 'recording_processing')
                     THEN 'recording/transcript not synced'
                WHEN audit_reason IN ('transcript_not_found', 'transcript_malformed')
                     THEN 'sync error'
                ELSE 'webinar data not synced' END AS category
    FROM issues i
    WHERE NOT (audit_reason = 'report_unavailable'
               AND coalesce(instance_uuid, '') IN (SELECT uuid FROM stg_instance_reports))
      -- Decisions re-made at every run count from the newest extraction only.
      AND NOT (audit_reason IN ('host_not_selected', 'sync_setting_off', 'webinar_switched_off',
                                'host_domain_excluded', 'recordings_setting_off', 'no_attendees')
               AND run_id <> (SELECT run_id FROM latest_extract_run))
      -- A recording or transcript fetched after the issue settles it.
      AND NOT (audit_reason IN ('recording_missing', 'recording_processing')
               AND EXISTS (SELECT 1 FROM raw_recordings r
                           WHERE r.instance_uuid = i.instance_uuid AND r.fetched_at > i.fetched_at))
      AND NOT (audit_reason IN ('transcript_not_found', 'transcript_malformed')
               AND EXISTS (SELECT 1 FROM raw_transcripts t
                           WHERE t.instance_uuid = i.instance_uuid AND t.fetched_at > i.fetched_at))
    QUALIFY row_number() OVER (
        PARTITION BY webinar_id, coalesce(instance_uuid, ''), audit_reason
        ORDER BY fetched_at DESC, run_id DESC) = 1
)
SELECT 'attendees not synced' AS category,
       'guest_no_email' AS reason,
       webinar_id,
       instance_uuid,
       'participants' AS stream,
       CAST(NULL AS VARCHAR) AS email,
       name AS detail
FROM stg_participants
WHERE email_status = 'empty'

UNION ALL
SELECT 'attendees not synced', 'guest_no_email', webinar_id, CAST(NULL AS VARCHAR), 'registrants',
       CAST(NULL AS VARCHAR), trim(concat_ws(' ', first_name, last_name))
FROM stg_registrants
WHERE email_status = 'empty'

UNION ALL
SELECT 'emails excluded', 'invalid_email', webinar_id, instance_uuid, 'participants', user_email, name
FROM stg_participants
WHERE email_status = 'invalid'

UNION ALL
SELECT 'emails excluded', 'invalid_email', webinar_id, CAST(NULL AS VARCHAR), 'registrants',
       email, trim(concat_ws(' ', first_name, last_name))
FROM stg_registrants
WHERE email_status = 'invalid'

UNION ALL
SELECT 'emails excluded', x.reason, r.webinar_id, CAST(NULL AS VARCHAR), 'registrants', x.person, x.detail
FROM person_exclusions x
JOIN registrations r ON r.email = x.person

UNION ALL
SELECT 'emails excluded', x.reason, p.webinar_id, p.instance_uuid, 'participants', x.person, x.detail
FROM person_exclusions x
JOIN presence p USING (person)

UNION ALL
SELECT category,
       audit_reason,
       webinar_id,
       nullif(instance_uuid, ''),
       nullif(stream, ''),
       CAST(NULL AS VARCHAR),
       CASE WHEN audit_reason = 'report_unavailable' THEN concat_ws(': ', reason, nullif(detail, ''))
            ELSE nullif(detail, '') END
FROM open_issues;

CREATE OR REPLACE TEMP TABLE out_audit AS
SELECT CAST(getvariable('run_id') AS VARCHAR) AS run_id, *
FROM audit_rows;
