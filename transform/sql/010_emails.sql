-- 010_emails.sql: what a person is.
-- Reads:  known_tlds, raw_registrants, raw_participants,
--         raw_webinar_questions, raw_poll_answers, raw_survey_answers
-- Writes: zs_person(), zs_email_status(), email_checks
-- Materialize: email_checks
--
-- known_tlds is filled by the engine before any SQL file runs, from the last
-- labels of the lake's emails that are ICANN top-level domains.
-- zs_person(email) and zs_email_status(person) are macros; email_checks(email,
-- person, email_status) holds each distinct raw email of the registrants,
-- participants, Q&A askers and poll and survey respondents checked once, for
-- the staging views to join (checking per row costs a regex per session row);
-- the staging views read it, hence materialized.
-- Audit:  none here; 080_audit.sql emits guest_no_email and invalid_email from
--         the status computed by zs_email_status.

-- A person is the email lower-cased and trimmed of surrounding whitespace.
CREATE OR REPLACE MACRO zs_person(email) AS
    lower(trim(email, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)));

-- 'empty' (a guest), 'valid' or 'invalid'. Valid: one '@'; a non-empty local
-- part of letters, digits and . _ % + - '; a domain of at least two labels of
-- [a-z0-9-], none empty or starting or ending with a hyphen; a last label that
-- is a real top-level domain (so example.con and example.cpm are invalid).
CREATE OR REPLACE MACRO zs_email_status(person) AS
    CASE
        WHEN person IS NULL OR person = '' THEN 'empty'
        WHEN regexp_full_match(person,
                 '[a-z0-9._%+''-]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+')
             AND regexp_extract(person, '[^.]+$') IN (SELECT tld FROM known_tlds) THEN 'valid'
        ELSE 'invalid'
    END;

CREATE OR REPLACE VIEW email_checks AS
WITH emails AS (
    SELECT email FROM raw_registrants
    UNION
    SELECT user_email FROM raw_participants
    UNION
    SELECT email FROM raw_webinar_questions
    UNION
    SELECT email FROM raw_poll_answers
    UNION
    SELECT email FROM raw_survey_answers
),
checked AS (
    SELECT email, zs_person(email) AS p, zs_email_status(zs_person(email)) AS email_status
    FROM emails
    WHERE email IS NOT NULL
)
SELECT email,
       CASE WHEN email_status = 'valid' THEN p END AS person,
       email_status
FROM checked;
