package load

import (
	"context"
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
// transform's candidate_persons view lists it (see transform.Candidates).
type Candidate struct {
	Email string
	// Known: load_state holds the contact (the loader created or updated
	// it), so its deletion must be checked, live and archived.
	Known bool
	// Cached: an earlier snapshot found it live as a contact's primary
	// email. Unless Known, it is not read again.
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
	// Cached candidates were not read again; Read were, of which Known
	// are in the loader's ledger. Those found in no live contact were
	// also looked up among the archived contacts.
	Cached, Read, Known int
	// Outcomes of the emails read.
	Live, Archived, NotFound, Secondary int
	// Files are the raw files the snapshot committed (for the lake
	// manifest), in the order written.
	Files []lakefile.File `json:"files,omitempty"`
}

// CRMSnapshot is the stage between extract and transform that gives the
// transform's rules what only the CRM knows, as raw streams of the lake:
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
// Only emails that matter are read: a candidate the loader never wrote
// needs a live read (learning existing contacts and secondaries), unless
// an earlier snapshot already found it live as a primary email (Cached); a
// Known candidate is read live at every run, since it could have been
// deleted since. Every email read that no live contact has is then read
// among the archived contacts (reference §4.4): a Known one was deleted
// since the loader wrote it, and an unknown one is a contact the load would
// create, which must not happen when someone deleted a contact with that
// email, whoever created it (rule contact_deleted). That costs one batch
// read per 100 contacts about to be created and per 100 known contacts
// gone, nothing on a run with no new person. The transform keeps the
// latest row per email, so cached emails keep their earlier row.
//
// Both streams are written like the extractor's: part files under a
// temporary name, synced and renamed. Nothing is written to the CRM.
func CRMSnapshot(ctx context.Context, cfg SnapshotConfig) (*SnapshotSummary, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
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
	var known, unknown []string
	for _, c := range cands {
		switch {
		case c.Known:
			known = append(known, c.Email)
		case c.Cached:
			sum.Cached++
		default:
			unknown = append(unknown, c.Email)
		}
	}
	sum.Read, sum.Known = len(known)+len(unknown), len(known)
	// One lookup for both: live reads of every email, then archived reads
	// of those no live contact has (a known contact deleted since, or a
	// contact about to be created that someone deleted).
	read := append(known, unknown...)
	resolved, _, err := cfg.Client.Contacts.Resolve(ctx, read)
	if err != nil {
		return sum, fmt.Errorf("looking up candidate emails: %w", err)
	}
	now = cfg.Now().UTC()
	var seen []schema.CRMContactSeen
	for _, email := range read {
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
	if err := writeRaw(cfg, sum, schema.StreamCRMContactsSeen, seen); err != nil {
		return sum, err
	}
	failpoint.Hit("crm-snapshot.after-write")
	cfg.Logger.InfoContext(ctx, "CRM snapshot", "users", sum.Users, "candidates", sum.Candidates,
		"read", sum.Read, "cached", sum.Cached, "live", sum.Live, "archived", sum.Archived,
		"not_found", sum.NotFound, "secondary", sum.Secondary)
	return sum, nil
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
