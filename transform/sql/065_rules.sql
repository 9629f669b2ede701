-- 065_rules.sql: the people rules: who may become a contact and get activity.
-- Reads:  registrations, presence, raw_crm_users, raw_crm_contacts_seen,
--         excluded_contact_domains, contact_ledger, zs_person()
-- Writes: stg_crm_users, stg_crm_contacts_seen, contact_persons,
--         person_exclusions, candidate_persons, eligible_persons
-- Materialize: person_exclusions, eligible_persons
--
-- raw_crm_users and raw_crm_contacts_seen are the CRM snapshot the sync
-- writes once this file has run, before its relations are materialised
-- (transform.BeforeRules; empty for a lake that has none). The engine
-- fills, before any SQL file runs, excluded_contact_domains(domain)
-- (zoomsync.yaml hubspot.excluded_contact_domains) and contact_ledger(email,
-- crm_id, acknowledged_at) (the contacts the loader created or updated, from
-- load_state).
-- Views: stg_crm_users (person, user_id: the latest users snapshot),
-- stg_crm_contacts_seen (the latest CRM answer per email), contact_persons
-- (every person with a counted registration or an attended instance),
-- person_exclusions (person, reason, detail: one row per contact person a
-- rule keeps out), candidate_persons and eligible_persons (below).
-- Audit:  none here; 080_audit.sql turns person_exclusions into rows of
--         category "emails excluded", one per counted registration and per
--         attended instance of the person, with these reasons:
--   excluded_domain   the email's domain is an excluded contact domain or a
--                     subdomain of one (mail.acme.com for acme.com; not
--                     notacme.com). Detail: "domain acme.com".
--   crm_user          the email is a CRM user's: no contact is created, and
--                     an existing contact with it gets no activity. Detail:
--                     "CRM user <id>".
--   contact_deleted   the loader created or updated this contact (ledger),
--                     and the CRM answered after that acknowledgement that
--                     it is archived, or that no contact has it any more
--                     (GDPR-deleted); or the loader never wrote it and the
--                     latest snapshot found only an archived contact with
--                     the email (someone else created and deleted it), or
--                     no contact at all after an earlier snapshot found it
--                     archived (then GDPR-deleted): it is not (re-)created.
--                     Detail: "contact <id> archived" or "contact <id> not
--                     found (GDPR-deleted)".
--   secondary_email   the email is another contact's hs_additional_emails
--                     value: no contact row and no event for it; only the
--                     primary email's own rows count. Detail: "primary
--                     <email> (contact <id>)".
-- A person hit by several rules gets the first reason in the order above.
-- Invalid emails and guests are no persons (010_emails.sql); their audit rows
-- are invalid_email and guest_no_email.
--
-- Documented views, for the load-ready tables of later files:
--
--   eligible_persons(person, contact_id)
--       The persons that become contacts and may get CRM activity: every
--       contact person (a valid email with a counted registration or an
--       attended instance) that no rule of this file keeps out. contact_id
--       is the CRM's id when known: the live contact whose primary email
--       this is in the latest snapshot, else the id the loader recorded
--       (NULL for a contact the next load creates). Activity tables
--       (registrations, attendance, recordings per contact) join it on
--       person; a row whose person is not in it sends nothing.
--
--   candidate_persons(person, known, cached)
--       The contact persons that no rule excludes without asking the CRM
--       (excluded domains and CRM users are settled here), that is the
--       emails the sync's CRM snapshot resolves before the rules decide:
--       known when the ledger holds the contact, cached when the latest
--       snapshot found the email live as a contact's primary email. Known
--       and cached emails are read only when the load is about to upsert
--       them (load.RecheckContacts), the others at every sync.

CREATE OR REPLACE VIEW stg_crm_users AS
SELECT DISTINCT ON (person) person, user_id
FROM (
    SELECT zs_person(email) AS person, id AS user_id
    FROM raw_crm_users
    WHERE run_id = (SELECT max(run_id) FROM raw_crm_users)
)
WHERE person <> ''
ORDER BY person, user_id;

CREATE OR REPLACE VIEW stg_crm_contacts_seen AS
SELECT zs_person(email) AS person,
       state,
       nullif(contact_id, '') AS contact_id,
       nullif(zs_person(primary_email), '') AS primary_email,
       secondary,
       fetched_at
FROM raw_crm_contacts_seen
WHERE email IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY zs_person(email) ORDER BY fetched_at DESC, run_id DESC) = 1;

CREATE OR REPLACE VIEW contact_persons AS
SELECT email AS person FROM registrations
UNION
SELECT person FROM presence;

CREATE OR REPLACE VIEW person_exclusions AS
WITH persons_domains AS (
    SELECT person, split_part(person, '@', 2) AS domain
    FROM contact_persons
),
hits AS (
    SELECT p.person, 1 AS rank, 'excluded_domain' AS reason, 'domain ' || min(d.domain) AS detail
    FROM persons_domains p
    JOIN excluded_contact_domains d
      ON p.domain = d.domain OR ends_with(p.domain, '.' || d.domain)
    GROUP BY p.person

    UNION ALL
    SELECT c.person, 2, 'crm_user', 'CRM user ' || u.user_id
    FROM contact_persons c
    JOIN stg_crm_users u USING (person)

    -- For a contact of the ledger, only an answer given after the loader's
    -- acknowledgement counts: a snapshot taken before the loader created
    -- the contact says not_found. An email the loader never wrote is
    -- deleted when its latest answer is archived, whoever created and
    -- deleted the contact, or not_found after an earlier snapshot found
    -- it archived (since GDPR-deleted).
    UNION ALL
    SELECT c.person, 3, 'contact_deleted',
           'contact ' || coalesce(s.contact_id, l.crm_id, a.contact_id, '?') ||
           CASE WHEN s.state = 'archived' THEN ' archived' ELSE ' not found (GDPR-deleted)' END
    FROM contact_persons c
    LEFT JOIN contact_ledger l ON l.email = c.person
    JOIN stg_crm_contacts_seen s USING (person)
    LEFT JOIN (SELECT zs_person(email) AS person, max(contact_id) AS contact_id
               FROM raw_crm_contacts_seen
               WHERE state = 'archived'
               GROUP BY ALL) a USING (person)
    WHERE (l.email IS NOT NULL AND s.state IN ('archived', 'not_found') AND s.fetched_at > l.acknowledged_at)
       OR (l.email IS NULL AND s.state = 'archived')
       OR (l.email IS NULL AND s.state = 'not_found' AND a.person IS NOT NULL)

    UNION ALL
    SELECT c.person, 4, 'secondary_email',
           'primary ' || s.primary_email || ' (contact ' || s.contact_id || ')'
    FROM contact_persons c
    JOIN stg_crm_contacts_seen s USING (person)
    WHERE s.state = 'live' AND s.secondary AND s.primary_email <> c.person
)
SELECT person, reason, detail
FROM hits
QUALIFY row_number() OVER (PARTITION BY person ORDER BY rank) = 1;

CREATE OR REPLACE VIEW candidate_persons AS
SELECT c.person,
       l.email IS NOT NULL AS known,
       coalesce(s.state = 'live' AND NOT s.secondary AND s.primary_email = c.person, false) AS cached
FROM contact_persons c
LEFT JOIN contact_ledger l ON l.email = c.person
LEFT JOIN stg_crm_contacts_seen s ON s.person = c.person
WHERE c.person NOT IN (SELECT person FROM person_exclusions WHERE reason IN ('excluded_domain', 'crm_user'));

CREATE OR REPLACE VIEW eligible_persons AS
SELECT c.person,
       coalesce(CASE WHEN s.state = 'live' AND NOT s.secondary THEN s.contact_id END, l.crm_id) AS contact_id
FROM contact_persons c
LEFT JOIN stg_crm_contacts_seen s ON s.person = c.person
LEFT JOIN contact_ledger l ON l.email = c.person
WHERE c.person NOT IN (SELECT person FROM person_exclusions);
