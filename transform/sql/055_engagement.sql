-- 055_engagement.sql: engagement beyond attendance (Q&A, polls, surveys,
-- registration tracking sources), for segments, notebooks and the contacts.
-- Reads:  raw_webinar_questions, raw_poll_answers, raw_survey_answers,
--         raw_tracking_sources, email_checks, webinars_switched_off,
--         stg_webinars, stg_webinar_instances, instance_spans, presence
-- Writes: stg_webinar_questions, stg_poll_answers, stg_survey_answers,
--         stg_tracking_sources, engagement_instances, questions,
--         poll_answers, survey_answers, registration_sources,
--         engagement_counts, engagement
--
-- Staging: the Q&A, poll and survey reports are per instance, tracking
-- sources per webinar; of each, the latest fetch (fetched_at, then run id)
-- of an instance (or webinar) is taken whole, as stg_participants does, so a
-- re-extracted report replaces the older one. Webinars the settings switched
-- off (webinars_switched_off) are left out. person is the email through the
-- person rules of 010_emails.sql (email_checks): NULL for anonymous askers,
-- guests and invalid emails, whose rows count for nobody.
--
-- Documented views (README, "Beyond HubSpot's integration"):
--   questions        one row per Q&A question: email (NULL: anonymous, guest
--                    or invalid), webinar_id, topic, instance_uuid,
--                    start_time (the instance's), question, answered,
--                    answer (NULL when unanswered; "live answered" as Zoom
--                    says for a question answered live)
--   poll_answers     one row per answer to a poll question: email,
--                    webinar_id, topic, instance_uuid, start_time, poll (the
--                    poll id), question, answer (a multiple choice answer is
--                    the choices joined by ";", as Zoom gives it), choices
--                    (the answer split on ";"), answered_at
--   survey_answers   one row per answer to a post-webinar survey question:
--                    email, webinar_id, topic, instance_uuid, start_time,
--                    survey_id, survey, question_id, question, answer,
--                    answered_at
--   registration_sources  one row per webinar and tracking source:
--                    webinar_id, topic, source, tracking_url, registrations,
--                    visitors
--   engagement       one row per person and instance the person attended,
--                    asked a question in, answered a poll or survey of:
--                    email, webinar_id, topic, instance_uuid, start_time,
--                    minutes_present, percent_present (050_presence.sql,
--                    rounded to two decimals; 0 when not present, NULL when
--                    the instance has no report span: attendance unknown),
--                    questions_asked (question rows), polls_answered
--                    (distinct poll questions answered),
--                    survey_questions_answered (distinct survey questions)
-- engagement_instances (instance_uuid, topic, start_time) is the instance's
-- topic and start: its report span's start, else the start Zoom listed.
-- Audit:  none (rows without a person are not audited: they are not
--         attendance and reach no contact).

CREATE OR REPLACE VIEW stg_webinar_questions AS
WITH latest AS (
    SELECT * EXCLUDE (run)
    FROM raw_webinar_questions
    WHERE webinar_id NOT IN (SELECT webinar_id FROM webinars_switched_off)
    QUALIFY dense_rank() OVER (PARTITION BY instance_uuid ORDER BY fetched_at DESC, run_id DESC) = 1
)
SELECT q.*, c.person
FROM latest q
LEFT JOIN email_checks c ON c.email = q.email;

CREATE OR REPLACE VIEW stg_poll_answers AS
WITH latest AS (
    SELECT * EXCLUDE (run)
    FROM raw_poll_answers
    WHERE webinar_id NOT IN (SELECT webinar_id FROM webinars_switched_off)
    QUALIFY dense_rank() OVER (PARTITION BY instance_uuid ORDER BY fetched_at DESC, run_id DESC) = 1
)
SELECT a.*, c.person
FROM latest a
LEFT JOIN email_checks c ON c.email = a.email;

CREATE OR REPLACE VIEW stg_survey_answers AS
WITH latest AS (
    SELECT * EXCLUDE (run)
    FROM raw_survey_answers
    WHERE webinar_id NOT IN (SELECT webinar_id FROM webinars_switched_off)
    QUALIFY dense_rank() OVER (PARTITION BY instance_uuid ORDER BY fetched_at DESC, run_id DESC) = 1
)
SELECT a.*, c.person
FROM latest a
LEFT JOIN email_checks c ON c.email = a.email;

-- One row per tracking source id of the latest fetch of each webinar.
CREATE OR REPLACE VIEW stg_tracking_sources AS
SELECT * EXCLUDE (run)
FROM raw_tracking_sources
WHERE webinar_id NOT IN (SELECT webinar_id FROM webinars_switched_off)
QUALIFY dense_rank() OVER (PARTITION BY webinar_id ORDER BY fetched_at DESC, run_id DESC) = 1
    AND row_number() OVER (PARTITION BY webinar_id, id ORDER BY fetched_at DESC, run_id DESC) = 1;

CREATE OR REPLACE VIEW engagement_instances AS
SELECT i.uuid AS instance_uuid,
       w.topic,
       coalesce(s.start_time, i.start_time) AS start_time
FROM stg_webinar_instances i
LEFT JOIN stg_webinars w ON w.id = i.webinar_id
LEFT JOIN instance_spans s ON s.instance_uuid = i.uuid;

CREATE OR REPLACE VIEW questions AS
SELECT q.person AS email,
       q.webinar_id,
       x.topic,
       q.instance_uuid,
       x.start_time,
       q.question,
       coalesce(trim(q.answer), '') <> '' AS answered,
       nullif(trim(q.answer), '') AS answer
FROM stg_webinar_questions q
LEFT JOIN engagement_instances x USING (instance_uuid);

CREATE OR REPLACE VIEW poll_answers AS
SELECT a.person AS email,
       a.webinar_id,
       x.topic,
       a.instance_uuid,
       x.start_time,
       a.poll_id AS poll,
       a.question,
       a.answer,
       string_split(a.answer, ';') AS choices,
       a.answered_at
FROM stg_poll_answers a
LEFT JOIN engagement_instances x USING (instance_uuid);

CREATE OR REPLACE VIEW survey_answers AS
SELECT a.person AS email,
       a.webinar_id,
       x.topic,
       a.instance_uuid,
       x.start_time,
       a.survey_id,
       a.survey_name AS survey,
       a.question_id,
       a.question,
       a.answer,
       a.answered_at
FROM stg_survey_answers a
LEFT JOIN engagement_instances x USING (instance_uuid);

CREATE OR REPLACE VIEW registration_sources AS
SELECT t.webinar_id,
       w.topic,
       t.source_name AS source,
       t.tracking_url,
       t.registration_count AS registrations,
       t.visitor_count AS visitors
FROM stg_tracking_sources t
LEFT JOIN stg_webinars w ON w.id = t.webinar_id;

-- engagement_counts: one row per person and instance the person asked a
-- question in or answered a poll or survey of; engagement adds the
-- instances the person attended. The contacts' totals (070_contacts.sql)
-- sum engagement_counts: summing engagement instead joined every attended
-- instance (7 M rows at 10 M participant rows) only to add zeros.
CREATE OR REPLACE VIEW engagement_counts AS
WITH asked AS (
    SELECT person, instance_uuid, min(webinar_id) AS webinar_id, count(*) AS questions_asked
    FROM stg_webinar_questions
    WHERE person IS NOT NULL
    GROUP BY person, instance_uuid
),
polled AS (
    SELECT person, instance_uuid, min(webinar_id) AS webinar_id,
           count(DISTINCT (poll_id, question)) AS polls_answered
    FROM stg_poll_answers
    WHERE person IS NOT NULL
    GROUP BY person, instance_uuid
),
surveyed AS (
    SELECT person, instance_uuid, min(webinar_id) AS webinar_id,
           count(DISTINCT (question_id, question)) AS survey_questions_answered
    FROM stg_survey_answers
    WHERE person IS NOT NULL
    GROUP BY person, instance_uuid
),
person_instances AS (
    SELECT person, instance_uuid FROM asked
    UNION SELECT person, instance_uuid FROM polled
    UNION SELECT person, instance_uuid FROM surveyed
)
SELECT k.person,
       k.instance_uuid,
       coalesce(a.webinar_id, o.webinar_id, v.webinar_id) AS webinar_id,
       coalesce(a.questions_asked, 0) AS questions_asked,
       coalesce(o.polls_answered, 0) AS polls_answered,
       coalesce(v.survey_questions_answered, 0) AS survey_questions_answered
FROM person_instances k
LEFT JOIN asked a USING (person, instance_uuid)
LEFT JOIN polled o USING (person, instance_uuid)
LEFT JOIN surveyed v USING (person, instance_uuid);

CREATE OR REPLACE VIEW engagement AS
WITH person_instances AS (
    SELECT person, instance_uuid FROM presence
    UNION SELECT person, instance_uuid FROM engagement_counts
)
SELECT k.person AS email,
       coalesce(p.webinar_id, c.webinar_id) AS webinar_id,
       x.topic,
       k.instance_uuid,
       x.start_time,
       CASE WHEN s.instance_uuid IS NOT NULL THEN round(coalesce(p.present_us, 0) / 60e6, 2) END AS minutes_present,
       CASE WHEN s.instance_uuid IS NOT NULL THEN round(coalesce(p.percent_present, 0), 2) END AS percent_present,
       coalesce(c.questions_asked, 0) AS questions_asked,
       coalesce(c.polls_answered, 0) AS polls_answered,
       coalesce(c.survey_questions_answered, 0) AS survey_questions_answered
FROM person_instances k
LEFT JOIN presence p USING (person, instance_uuid)
LEFT JOIN engagement_counts c USING (person, instance_uuid)
LEFT JOIN instance_spans s USING (instance_uuid)
LEFT JOIN engagement_instances x USING (instance_uuid);
