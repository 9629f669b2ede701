package transform

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// WithExcludedContactDomains sets the excluded contact domains of
// zoomsync.yaml (hubspot.excluded_contact_domains): a person whose email is
// in one of them, or in a subdomain of one, becomes no contact (audit reason
// excluded_domain). Domains are trimmed and lower-cased; a leading "@" or
// "." is dropped.
func WithExcludedContactDomains(domains []string) Option {
	return func(e *Engine) {
		e.excludedDomains = nil
		for _, d := range domains {
			d = strings.TrimLeft(strings.ToLower(strings.TrimSpace(d)), "@.")
			if d != "" && !slices.Contains(e.excludedDomains, d) {
				e.excludedDomains = append(e.excludedDomains, d)
			}
		}
		slices.Sort(e.excludedDomains)
	}
}

// fillRuleTables (re)creates the two tables the rules of 065_rules.sql read
// besides the lake, like known_tlds: excluded_contact_domains(domain) from
// the engine's option, and contact_ledger(email, crm_id, acknowledged_at):
// the contacts the loader created or updated (load_state, object_type
// 'contact'), empty when the loader never ran. Copying the ledger keeps the
// SQL free of the loader's DDL: load_state may not exist yet, and the
// transform does not create the loader's tables.
func (e *Engine) fillRuleTables(ctx context.Context, q execQuerier) error {
	stmts := []string{"CREATE OR REPLACE TABLE excluded_contact_domains (domain VARCHAR PRIMARY KEY)"}
	if len(e.excludedDomains) > 0 {
		vals := make([]string, len(e.excludedDomains))
		for i, d := range e.excludedDomains {
			vals[i] = "(" + QuoteString(d) + ")"
		}
		stmts = append(stmts, "INSERT INTO excluded_contact_domains VALUES "+strings.Join(vals, ", "))
	}
	kind, err := relationKind(ctx, q, "load_state")
	if err != nil {
		return err
	}
	ledger := `CREATE OR REPLACE TABLE contact_ledger AS
SELECT CAST(NULL AS VARCHAR) AS email, CAST(NULL AS VARCHAR) AS crm_id,
       CAST(NULL AS TIMESTAMP WITH TIME ZONE) AS acknowledged_at
WHERE false`
	if kind != "" {
		// acknowledged_at is a UTC TIMESTAMP; the session's time zone is UTC.
		ledger = `CREATE OR REPLACE TABLE contact_ledger AS
SELECT key AS email, nullif(crm_id, '') AS crm_id,
       CAST(acknowledged_at AS TIMESTAMP WITH TIME ZONE) AS acknowledged_at
FROM load_state
WHERE object_type = 'contact'`
	}
	stmts = append(stmts, ledger)
	for _, s := range stmts {
		if _, err := q.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("transform: filling the rule tables: %w", err)
		}
	}
	return nil
}

// Candidate is a person the transform would make a contact of and that no
// rule keeps out without asking the CRM (see candidate_persons in
// 065_rules.sql).
type Candidate struct {
	Email string
	// Known: the loader created or updated the contact (load_state), so a
	// read must tell whether it was deleted since (archived or GDPR-deleted).
	Known bool
	// Cached: an earlier CRM snapshot found the email live as a contact's
	// primary email; unless Known, it need not be read again.
	Cached bool
}

// BeforeRules has Run call snapshot once the people rules of
// 065_rules.sql are defined and before their relations are materialised:
// the one point of a sync where the CRM snapshot can ask the CRM about the
// candidate emails and the rules then read its answers, in the same pass
// over the SQL files (the chain runs once per sync). snapshot gets
// candidates, which lists candidate_persons as the lake is when it is
// called; Run re-creates the raw views over the lake's files before that
// list and again after snapshot returns, so the raw files snapshot has
// written by then (raw/crm_users before the list, raw/crm_contacts_seen
// after it) are what the rules read. An error of snapshot stops the Run,
// which then writes nothing.
func BeforeRules(snapshot func(ctx context.Context, candidates func(context.Context) ([]Candidate, error)) error) RunOption {
	return func(o *runOptions) { o.beforeRules = snapshot }
}

// beforeRules calls the Run's BeforeRules snapshot after the first file
// whose header says it writes candidate_persons (text is the file that
// just ran), once. Not as soon as the relation exists: the catalog keeps
// the view of the previous Run, so the snapshot would list its candidates
// after the first file, through the views of the previous version's SQL
// and with nothing of this Run materialized yet (at --scale 16, 1 s of
// every sync with nothing new).
func (s *session) beforeRules(ctx context.Context, text string) error {
	if s.opts.beforeRules == nil || s.rulesSeen || !slices.Contains(parseHeader(text).Writes, "candidate_persons") {
		return nil
	}
	s.rulesSeen = true
	if err := s.opts.beforeRules(ctx, s.candidates); err != nil {
		return err
	}
	return s.e.createViews(ctx, s.tx)
}

// candidates re-creates the raw views, then lists candidate_persons.
func (s *session) candidates(ctx context.Context) ([]Candidate, error) {
	if err := s.e.createViews(ctx, s.tx); err != nil {
		return nil, err
	}
	rows, err := s.tx.QueryContext(ctx, "SELECT person, known, cached FROM candidate_persons ORDER BY person")
	if err != nil {
		return nil, fmt.Errorf("transform: reading candidate_persons: %w", err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var c Candidate
		if err := rows.Scan(&c.Email, &c.Known, &c.Cached); err != nil {
			return nil, fmt.Errorf("transform: reading candidate_persons: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("transform: reading candidate_persons: %w", err)
	}
	return out, nil
}
