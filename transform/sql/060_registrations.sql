-- 060_registrations.sql: the registrations that count, and each person's
-- latest one.
-- Reads:  stg_registrants, stg_webinars.
-- Writes: views registrations (person, webinar_id, registrant_id, names,
--         create_time: rows with status approved or pending and a valid
--         email) and last_registrations (one row per person: the counted
--         registration with the latest create_time, ties to the higher
--         webinar id, with the webinar's join_url and the trimmed names).
-- Audit:  none (denied registrations are not left-out rows; they just do not
--         count).

CREATE OR REPLACE VIEW registrations AS
SELECT person,
       webinar_id,
       id AS registrant_id,
       first_name,
       last_name,
       status,
       create_time
FROM stg_registrants
WHERE person IS NOT NULL
  AND status IN ('approved', 'pending');

-- The URL is the webinar's join_url: a registrant's own join_url is personal.
CREATE OR REPLACE VIEW last_registrations AS
SELECT r.person,
       r.webinar_id,
       r.create_time,
       nullif(trim(r.first_name), '') AS firstname,
       nullif(trim(r.last_name), '') AS lastname,
       nullif(w.join_url, '') AS join_url
FROM registrations r
LEFT JOIN stg_webinars w ON w.id = r.webinar_id
QUALIFY row_number() OVER (
    PARTITION BY r.person
    ORDER BY r.create_time DESC, r.webinar_id DESC, r.registrant_id DESC) = 1;
