-- 040_stg_participants.sql: the participant rows of each instance's latest
-- report.
-- Reads:  raw_participants, email_checks, webinars_switched_off
-- Writes: stg_participants
--
-- View stg_participants: the rows whose fetched_at is the latest of their
-- instance_uuid, with person (NULL when the email is empty or invalid) and
-- email_status ('valid', 'empty', 'invalid').
-- Audit:  none here (080_audit.sql reads email_status).
--
-- One join..leave session is one row; a person who rejoins has several rows.
-- A re-extracted report replaces the older one whole.
--
-- Not materialized: at 10 M rows a copy of every column held 2.7 GB in
-- memory, more than the engine's memory limit. The latest report of each
-- instance is a semi-join with a 40,000-row aggregate (a window over every
-- column held them all too), so each reader (050_presence.sql, which
-- materializes the in-meeting rows, the persons view and 080_audit.sql)
-- streams the raw Parquet files (docs/performance.md, target 4).

CREATE OR REPLACE VIEW stg_participants AS
WITH latest_report AS (
    SELECT instance_uuid, max(fetched_at) AS fetched_at
    FROM raw_participants
    GROUP BY instance_uuid
)
SELECT p.* EXCLUDE (run),
       c.person,
       coalesce(c.email_status, 'empty') AS email_status
FROM raw_participants p
SEMI JOIN latest_report l ON l.instance_uuid = p.instance_uuid AND l.fetched_at = p.fetched_at
LEFT JOIN email_checks c ON c.email = p.user_email
WHERE p.webinar_id NOT IN (SELECT webinar_id FROM webinars_switched_off);
