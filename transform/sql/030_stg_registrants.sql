-- 030_stg_registrants.sql: the registrants of the latest listing snapshots.
-- Reads:  raw_registrants, email_checks, webinars_switched_off
-- Writes: stg_registrants
-- Materialize: stg_registrants
--
-- View stg_registrants: one row per (webinar_id, registrant id), with person
-- (the trimmed, lower-cased email; NULL when empty or invalid) and
-- email_status ('valid', 'empty', 'invalid').
-- Audit:  none here (080_audit.sql reads email_status).
--
-- Zoom lists registrants per webinar and status; the extractor fetches the
-- three listings of a webinar together and writes them as one snapshot with
-- one fetched_at. The latest snapshot of a webinar is taken whole (rows of
-- older snapshots are ignored, so a registrant dropped from every listing
-- drops out), then a registrant that shows up in more than one listing
-- (moved from pending to approved) keeps its latest row. Webinars that the
-- settings switched off (webinars_switched_off) are left out.

CREATE OR REPLACE VIEW stg_registrants AS
WITH latest AS (
    SELECT webinar_id, max(fetched_at) AS fetched_at
    FROM raw_registrants
    GROUP BY webinar_id
),
latest_listing AS (
    SELECT r.* EXCLUDE (run)
    FROM raw_registrants r
    SEMI JOIN latest l ON l.webinar_id = r.webinar_id AND l.fetched_at = r.fetched_at
    WHERE r.webinar_id NOT IN (SELECT webinar_id FROM webinars_switched_off)
),
one_per_registrant AS (
    SELECT *
    FROM latest_listing
    QUALIFY row_number() OVER (
        PARTITION BY webinar_id, id
        ORDER BY fetched_at DESC, status, create_time DESC, run_id DESC) = 1
)
SELECT r.*,
       c.person,
       coalesce(c.email_status, 'empty') AS email_status
FROM one_per_registrant r
LEFT JOIN email_checks c ON c.email = r.email;
