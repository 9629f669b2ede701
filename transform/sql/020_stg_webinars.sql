-- 020_stg_webinars.sql: the latest snapshot of each user, webinar, instance
-- and instance report.
-- Reads:  raw_users, raw_webinars, raw_webinar_instances, raw_instance_reports
-- Writes: stg_users, stg_webinars, stg_webinar_instances, stg_instance_reports
--
-- Views: stg_users (one row per id), stg_webinars (per id),
-- stg_webinar_instances (per uuid), stg_instance_reports (per uuid).
-- Audit:  none.
-- Each keeps, per natural key, the row with the latest fetched_at (ties: the
-- later run id), so that a re-extracted object replaces its older rows.

CREATE OR REPLACE VIEW stg_users AS
SELECT * EXCLUDE (run)
FROM raw_users
QUALIFY row_number() OVER (PARTITION BY id ORDER BY fetched_at DESC, run_id DESC) = 1;

CREATE OR REPLACE VIEW stg_webinars AS
SELECT * EXCLUDE (run)
FROM raw_webinars
QUALIFY row_number() OVER (PARTITION BY id ORDER BY fetched_at DESC, run_id DESC) = 1;

CREATE OR REPLACE VIEW stg_webinar_instances AS
SELECT * EXCLUDE (run)
FROM raw_webinar_instances
QUALIFY row_number() OVER (PARTITION BY uuid ORDER BY fetched_at DESC, run_id DESC) = 1;

CREATE OR REPLACE VIEW stg_instance_reports AS
SELECT * EXCLUDE (run)
FROM raw_instance_reports
QUALIFY row_number() OVER (PARTITION BY uuid ORDER BY fetched_at DESC, run_id DESC) = 1;
