package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/zoomsync/zoomsync/internal/failpoint"
	"github.com/zoomsync/zoomsync/internal/lakefile"
	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/schema"
)

// Candidate is an email the transform would make a contact of, as the
// transform's candidate_persons view lists it (see transform.BeforeRules).
type Candidate struct {
	Email string
	// Known: load_state holds the contact (the loader created or updated
	// it); it is read only before the load upserts it (RecheckContacts).
	Known bool
	// Cached: an earlier snapshot found it live as a contact's primary
	// email; it too is read only before an upsert.
	Cached bool
}

// SnapshotConfig configures CRMSnapshot.
type SnapshotConfig struct {
	Client *hubspot.Client
	Lake   schema.Lake
	RunID  string
	// Candidates lists the candidate emails of the lake as it is once the
	// users are written (the rules leave CRM users out of them).
	Candidates func(context.Context) ([]Candidate, error)
	Logger     *slog.Logger
	Now        func() time.Time
}

// SnapshotSummary counts what the CRM snapshot read.
type SnapshotSummary struct {
	Users      int `json:"users"`
	Candidates int `json:"candidates"`
	// Read candidates were read before the rules: those the loader never
	// wrote and no earlier snapshot found live. Cached ones were found live
	// before, and Known ones are in the loader's ledger: neither is read
	// then. Rechecked are the contacts read after the transform, before
	// the load upserts them (RecheckContacts). Those found in no live
	// contact were also looked up among the archived contacts.
	Cached, Read, Known, Rechecked int
	// Outcomes of the emails read.
	Live, Archived, NotFound, Secondary int
	// Files are the raw files the snapshot committed (for the lake
	// manifest), in the order written.
	Files []lakefile.File `json:"files,omitempty"`
}

// CRMSnapshot is the stage of a sync that gives the transform's rules what
// only the CRM knows, as raw streams of the lake; the transform calls it
// once its rules are defined (transform.BeforeRules), so the rules of the
// same pass read its answers:
//
//  1. raw/crm_users: every user of the CRM account (GET /settings/v3/users,
//     100 per page). Their emails never become contacts.
//  2. raw/crm_contacts_seen: for the candidate emails (the valid persons the
//     transform would make contacts of, minus excluded domains and CRM
//     users), whether a contact has each one as its primary or a secondary
//     email, live or archived (POST .../contacts/batch/read, 100 emails per
//     call). The rules use it for secondary emails and deleted contacts, and
//     eligible_persons for the contact ids.
//
// Only emails that matter are read, so that a run with nothing new reads
// nothing but the users: here, the candidates the loader never wrote and no
// earlier snapshot found live as a primary email. Each is read live and,
// when no live contact has it, among the archived contacts (reference
// §4.4): a contact about to be created must not be when someone deleted a
// contact with that email, whoever created it (rule contact_deleted). A
// known or cached candidate is read only when the load is about to upsert
// it (RecheckContacts, after the transform): the only write that could
// bring back a deleted contact is an upsert by email, so that is when its
// deletion matters. The transform keeps the latest row per email, so
// emails not read keep their earlier row.
//
// Both streams are written like the extractor's: part files under a
// temporary name, synced and renamed. Nothing is written to the CRM.
func CRMSnapshot(ctx context.Context, cfg SnapshotConfig) (*SnapshotSummary, error) {
	cfg = cfg.withDefaults()
	sum := &SnapshotSummary{}
	now := cfg.Now().UTC()
	var users []schema.CRMUser
	for u, err := range cfg.Client.Users.ListIter(ctx) {
		if err != nil {
			return sum, fmt.Errorf("listing the CRM's users: %w", err)
		}
		users = append(users, schema.CRMUser{RunID: cfg.RunID, FetchedAt: now, ID: u.ID, Email: u.Email,
			FirstName: u.FirstName, LastName: u.LastName})
	}
	if err := writeRaw(cfg, sum, schema.StreamCRMUsers, users); err != nil {
		return sum, err
	}
	sum.Users = len(users)

	cands, err := cfg.Candidates(ctx)
	if err != nil {
		return sum, fmt.Errorf("listing candidate emails: %w", err)
	}
	sum.Candidates = len(cands)
	var read []string
	for _, c := range cands {
		switch {
		case c.Known:
			sum.Known++
		case c.Cached:
			sum.Cached++
		default:
			read = append(read, c.Email)
		}
	}
	sum.Read = len(read)
	if _, err := readEmails(ctx, cfg, sum, read); err != nil {
		return sum, err
	}
	failpoint.Hit("crm-snapshot.after-write")
	cfg.Logger.InfoContext(ctx, "CRM snapshot", "users", sum.Users, "candidates", sum.Candidates,
		"read", sum.Read, "known", sum.Known, "cached", sum.Cached, "live", sum.Live, "archived", sum.Archived,
		"not_found", sum.NotFound, "secondary", sum.Secondary)
	return sum, nil
}

func (cfg SnapshotConfig) withDefaults() SnapshotConfig {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// readEmails resolves emails (live, then archived for those no live
// contact has), writes the answers as a part of raw/crm_contacts_seen,
// counts them into sum and returns them.
func readEmails(ctx context.Context, cfg SnapshotConfig, sum *SnapshotSummary, emails []string) ([]schema.CRMContactSeen, error) {
	if len(emails) == 0 {
		return nil, nil
	}
	resolved, _, err := cfg.Client.Contacts.Resolve(ctx, emails)
	if err != nil {
		return nil, fmt.Errorf("looking up candidate emails: %w", err)
	}
	now := cfg.Now().UTC()
	seen := make([]schema.CRMContactSeen, 0, len(emails))
	for _, email := range emails {
		r := resolved[email]
		row := schema.CRMContactSeen{RunID: cfg.RunID, FetchedAt: now, Email: email,
			ContactID: r.ContactID, PrimaryEmail: r.PrimaryEmail, Secondary: r.Secondary}
		switch r.State {
		case hubspot.ResolvedLive:
			row.State = schema.CRMContactLive
			sum.Live++
		case hubspot.ResolvedArchived:
			row.State = schema.CRMContactArchived
			sum.Archived++
		default:
			row.State = schema.CRMContactNotFound
			sum.NotFound++
		}
		if r.Secondary {
			sum.Secondary++
		}
		seen = append(seen, row)
	}
	return seen, writeRaw(cfg, sum, schema.StreamCRMContactsSeen, seen)
}

// recheckQuery lists the load-ready contacts with the contact id the
// transform gave each: the one the loader recorded, else the latest live
// one a snapshot found.
const recheckQuery = `
SELECT c.email,
       coalesce(nullif(s.crm_id, ''),
                (SELECT max_by(r.contact_id, r.fetched_at) FROM raw_crm_contacts_seen r
                 WHERE r.email = c.email AND r.state = 'live')) AS contact_id
FROM contacts c
LEFT JOIN load_state s ON s.object_type = 'contact' AND s.key = c.email`

// RecheckContacts reads, after the transform and before the load, the
// contacts the load is about to upsert (their properties differ from what
// the CRM acknowledged) whose email this run's snapshot did not read: the
// contacts of the loader's ledger and those an earlier snapshot found
// live. An upsert by email would re-create such a contact had it been
// deleted since, or write to another contact had it been merged. The
// answers go to raw/crm_contacts_seen like the snapshot's and are counted
// in sum (Rechecked). changed reports whether any answer differs from what
// the transform assumed (live, as the primary email, with the same contact
// id): the transform must then run again, so that its rules see them.
// A run with nothing new upserts nothing, and so reads nothing here.
func RecheckContacts(ctx context.Context, cfg SnapshotConfig, db *sql.DB, sum *SnapshotSummary) (changed bool, err error) {
	cfg = cfg.withDefaults()
	if err := EnsureState(ctx, db); err != nil {
		return false, err
	}
	pending := map[string]bool{}
	err = queryText(ctx, db, "contacts", contactsQuery, func(names []string, row []sql.NullString) error {
		if it := contactItem(names, row); !it.seen || it.prev.hash != it.hash {
			pending[it.key] = true
		}
		return nil
	})
	if err != nil || len(pending) == 0 {
		return false, err
	}
	if err := dropReadThisRun(ctx, db, cfg.RunID, pending); err != nil || len(pending) == 0 {
		return false, err
	}
	expected := map[string]string{}
	var emails []string
	err = queryText(ctx, db, "contacts to recheck", recheckQuery, func(_ []string, row []sql.NullString) error {
		if pending[row[0].String] {
			emails = append(emails, row[0].String)
			expected[row[0].String] = row[1].String
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	seen, err := readEmails(ctx, cfg, sum, emails)
	sum.Rechecked += len(seen)
	for _, r := range seen {
		if r.State != schema.CRMContactLive || r.Secondary || r.PrimaryEmail != r.Email || r.ContactID != expected[r.Email] {
			changed = true
		}
	}
	cfg.Logger.InfoContext(ctx, "CRM recheck before the load", "rechecked", len(seen), "changed", changed)
	return changed, err
}

// dropReadThisRun removes from pending the emails the run's snapshot read.
func dropReadThisRun(ctx context.Context, db *sql.DB, runID string, pending map[string]bool) error {
	rows, err := db.QueryContext(ctx, "SELECT email FROM raw_crm_contacts_seen WHERE run_id = ?", runID)
	if err != nil {
		return fmt.Errorf("reading the run's snapshot: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var email string
		if err := rows.Scan(&email); err != nil {
			return fmt.Errorf("reading the run's snapshot: %w", err)
		}
		delete(pending, email)
	}
	return rows.Err()
}

// writeRaw writes rows as one part of a raw stream of the run and adds the
// files it committed to sum.Files.
func writeRaw[T any](cfg SnapshotConfig, sum *SnapshotSummary, stream string, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	w := lakefile.NewPartWriter[T](cfg.Lake, stream, cfg.RunID)
	err := w.Write(rows)
	files, cerr := w.Close()
	sum.Files = append(sum.Files, files...)
	if err == nil {
		err = cerr
	}
	if err != nil {
		return errors.Join(fmt.Errorf("writing raw/%s", stream), err)
	}
	return nil
}
