-- 060_registrations.sql: the registrations that count, and each person's
-- latest one.
-- Reads:  stg_registrants, stg_webinars
-- Writes: registrations, last_registrations
-- Materialize: registrations
--
-- Views: registrations (email, webinar_id, topic, status, create_time,
-- first_name, last_name, registrant_id: one row per person and webinar with
-- status approved or pending and a valid email) and last_registrations (one
-- row per person: the counted registration with the latest create_time,
-- ties to the higher webinar id, with the webinar's join_url and the trimmed
-- names).
-- Audit:  none (denied registrations are not left-out rows; they just do not
--         count).

-- registrations is also a documented view of the README: one row per
-- person and webinar (a person registered twice, under two registrant ids,
-- keeps the latest registration), with the webinar's topic.
CREATE OR REPLACE VIEW registrations AS
SELECT r.person AS email,
       r.webinar_id,
       w.topic,
       r.status,
       r.create_time,
       r.first_name,
       r.last_name,
       r.id AS registrant_id
FROM stg_registrants r
LEFT JOIN stg_webinars w ON w.id = r.webinar_id
WHERE r.person IS NOT NULL
  AND r.status IN ('approved', 'pending')
QUALIFY row_number() OVER (
    PARTITION BY r.person, r.webinar_id
    ORDER BY r.create_time DESC, r.id DESC) = 1;

-- The URL is the webinar's join_url: a registrant's own join_url is personal.
CREATE OR REPLACE VIEW last_registrations AS
SELECT r.email AS person,
       r.webinar_id,
       r.create_time,
       nullif(trim(r.first_name), '') AS firstname,
       nullif(trim(r.last_name), '') AS lastname,
       nullif(w.join_url, '') AS join_url
FROM registrations r
LEFT JOIN stg_webinars w ON w.id = r.webinar_id
QUALIFY row_number() OVER (
    PARTITION BY r.email
    ORDER BY r.create_time DESC, r.webinar_id DESC, r.registrant_id DESC) = 1;
