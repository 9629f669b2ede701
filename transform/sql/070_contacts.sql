-- 070_contacts.sql: one load-ready row per contact.
-- Reads:  stg_registrants, stg_participants, registrations,
--         last_registrations, session_presence, engagement_counts,
--         eligible_persons
-- Writes: persons, contact_rows, out_contacts
--
-- Views persons (every valid email of the staged registrants and
-- participants) and contact_rows; temp view out_contacts, which the engine
-- writes to out/contacts.parquet. eligible_persons comes from
-- 065_rules.sql.
-- Audit:  none (the persons the rules keep out are audited by 080_audit.sql
--         from person_exclusions).
--
-- A contact is an eligible person (065_rules.sql): a person with at least
-- one counted registration or one attended instance (time present > 0)
-- that no rule keeps out. Attendance counts and averages sessions
-- (052_sessions.sql: the instances of one webinar a host drop split are one
-- session; with zoom.session_gap_minutes 0, every instance is a session).
-- Of the registration data, only the email, first name and last name reach
-- the CRM; the other columns are these counts, the URL and the date,
-- computed by zoomsync:
--   zoom_total_webinar_registrations        distinct webinars registered for
--   zoom_total_webinars_attended            sessions attended
--   zoom_average_webinar_attendance_percent mean percent present over the
--                                           sessions attended, rounded to 2
--                                           decimals; NULL when none
--   zoom_last_registered_webinar_url        join_url of the latest registration's
--                                           webinar; NULL when none
--   zoom_webinar_questions_asked            Q&A questions asked
--                                           (engagement_counts,
--                                           055_engagement.sql); 0 when none
--   zoom_webinar_polls_answered             poll questions answered
--                                           (engagement_counts); 0 when none
--   zoom_last_webinar_attended_date         day (YYYY-MM-DD, UTC) of the start
--                                           of the latest session attended (its
--                                           first instance's report start, as
--                                           that instance's attendance event
--                                           date); NULL when none
--   firstname, lastname                     from that latest registration
-- The counts are 0, not NULL, without activity, like the registrations and
-- attendance counts; the percent and the date, which have no value without
-- an attended session, are NULL (the loader then clears the property).

CREATE OR REPLACE VIEW persons AS
SELECT person FROM stg_registrants WHERE person IS NOT NULL
UNION
SELECT person FROM stg_participants WHERE person IS NOT NULL;

CREATE OR REPLACE VIEW contact_rows AS
WITH registered AS (
    SELECT email AS person, count(DISTINCT webinar_id) AS webinars
    FROM registrations
    GROUP BY email
),
attended AS (
    SELECT person,
           count(*) AS sessions,
           round(avg(percent_present), 2) AS average_percent,
           strftime(max(start_time), '%Y-%m-%d') AS last_date
    FROM session_presence
    WHERE present_us > 0
    GROUP BY person
),
engaged AS (
    SELECT person,
           sum(questions_asked) AS questions_asked,
           sum(polls_answered) AS polls_answered
    FROM engagement_counts
    GROUP BY person
)
SELECT c.person AS email,
       l.firstname,
       l.lastname,
       CAST(a.average_percent AS DOUBLE) AS zoom_average_webinar_attendance_percent,
       l.join_url AS zoom_last_registered_webinar_url,
       CAST(coalesce(r.webinars, 0) AS BIGINT) AS zoom_total_webinar_registrations,
       CAST(coalesce(a.sessions, 0) AS BIGINT) AS zoom_total_webinars_attended,
       CAST(coalesce(g.questions_asked, 0) AS BIGINT) AS zoom_webinar_questions_asked,
       CAST(coalesce(g.polls_answered, 0) AS BIGINT) AS zoom_webinar_polls_answered,
       a.last_date AS zoom_last_webinar_attended_date
FROM eligible_persons c
LEFT JOIN registered r USING (person)
LEFT JOIN attended a USING (person)
LEFT JOIN engaged g USING (person)
LEFT JOIN last_registrations l USING (person);

CREATE OR REPLACE TEMP VIEW out_contacts AS
SELECT * FROM contact_rows;
