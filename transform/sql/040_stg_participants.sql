-- 040_stg_participants.sql: the participant rows of each instance's latest
-- report.
-- Reads:  raw_participants, email_checks, webinars_switched_off
-- Writes: stg_participants
-- Materialize: stg_participants
--
-- View stg_participants: the rows whose fetched_at is the latest of their
-- instance_uuid, with person (NULL when the email is empty or invalid) and
-- email_status ('valid', 'empty', 'invalid').
-- Audit:  none here (080_audit.sql reads email_status).
--
-- One join..leave session is one row; a person who rejoins has several rows.
-- A re-extracted report replaces the older one whole.

CREATE OR REPLACE VIEW stg_participants AS
WITH latest_report AS (
    SELECT * EXCLUDE (run)
    FROM raw_participants
    WHERE webinar_id NOT IN (SELECT webinar_id FROM webinars_switched_off)
    QUALIFY fetched_at = max(fetched_at) OVER (PARTITION BY instance_uuid)
)
SELECT p.*,
       c.person,
       coalesce(c.email_status, 'empty') AS email_status
FROM latest_report p
LEFT JOIN email_checks c ON c.email = p.user_email;
