-- 025_sync_settings.sql: the webinars that zoomsync.yaml's settings keep out.
-- Reads:  raw_extract_issues, raw_users, audit_reasons
-- Writes: latest_extract_run, webinars_switched_off, recordings_excluded
--
-- Views: latest_extract_run (the run id of the newest extraction: every
-- extraction lists the users), webinars_switched_off (one row per webinar the
-- newest extraction skipped by a setting, with its reason: the reasons
-- audit_reasons marks skips_webinar). audit_reasons is filled by the engine
-- from schema.AuditReasons before any SQL file runs. recordings_excluded:
-- one row per instance whose host's email domain the newest extraction found
-- in zoom.excluded_recording_domains (issue recording_domain_excluded) or
-- whose host's sync_recordings is off (issue recordings_setting_off): its
-- recording and transcript, even one an earlier run fetched, sync no more.
-- Audit:  none here (080_audit.sql reports the skipped webinars).
--
-- The extractor decides per webinar from the settings and writes an issue
-- row for every webinar it skips, at every run. A webinar skipped by the
-- newest extraction is out, even when an earlier run synced it: its rows stay
-- in the lake but count for no contact. Settings take effect at the next
-- extraction.

CREATE OR REPLACE VIEW latest_extract_run AS
SELECT max(run_id) AS run_id FROM raw_users;

CREATE OR REPLACE VIEW webinars_switched_off AS
SELECT DISTINCT ON (webinar_id) webinar_id, reason
FROM raw_extract_issues
WHERE run_id = (SELECT run_id FROM latest_extract_run)
  AND reason IN (SELECT reason FROM audit_reasons WHERE skips_webinar)
ORDER BY webinar_id, reason;

CREATE OR REPLACE VIEW recordings_excluded AS
SELECT DISTINCT instance_uuid
FROM raw_extract_issues
WHERE run_id = (SELECT run_id FROM latest_extract_run)
  AND reason IN ('recording_domain_excluded', 'recordings_setting_off');
