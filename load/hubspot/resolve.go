package hubspot

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// ResolveState is what Resolve found for an email.
type ResolveState int

// Resolve states.
const (
	// ResolvedNotFound: no contact, live or archived, has the email (never created,
	// or GDPR-deleted).
	ResolvedNotFound ResolveState = iota
	// ResolvedLive: a live contact has the email (primary or secondary).
	ResolvedLive
	// ResolvedArchived: only an archived (deleted, restorable) contact has it.
	ResolvedArchived
)

func (s ResolveState) String() string {
	switch s {
	case ResolvedLive:
		return "live"
	case ResolvedArchived:
		return "archived"
	}
	return "not found"
}

// Resolution is what the CRM knows about one email.
type Resolution struct {
	State ResolveState
	// ContactID and PrimaryEmail are set unless State is ResolvedNotFound.
	ContactID    string
	PrimaryEmail string
	// Secondary is true when the email is one of the contact's
	// hs_additional_emails, not its primary email (reference §4.5).
	Secondary bool
}

// Resolve looks emails up for the sync rules on secondary emails and
// deleted contacts (reference §4.4, §4.5): a batch read by email of the live
// contacts, then, for the emails not found, a second read with
// archived=true. Emails are matched case-insensitively and read 100 per
// call. The map is keyed by the emails as given; each email maps to its
// resolution (ResolvedNotFound included). resp is the last answer read.
//
// HubSpot API: POST /crm/v3/objects/contacts/batch/read?archived=false|true
func (s *ContactsService) Resolve(ctx context.Context, emails []string) (map[string]Resolution, *Response, error) {
	return s.resolve(ctx, emails, true)
}

// ResolveLive is Resolve without the second read: an email no live contact
// has is ResolvedNotFound, whether or not an archived contact has it. It
// suits emails the caller never wrote to the CRM, whose deletion does not
// matter (reference §4.4: check archived=true only for known contacts).
//
// HubSpot API: POST /crm/v3/objects/contacts/batch/read?archived=false
func (s *ContactsService) ResolveLive(ctx context.Context, emails []string) (map[string]Resolution, *Response, error) {
	return s.resolve(ctx, emails, false)
}

func (s *ContactsService) resolve(ctx context.Context, emails []string, archivedToo bool) (map[string]Resolution, *Response, error) {
	out := make(map[string]Resolution, len(emails))
	var keys []string // normalised, unique
	byKey := map[string][]string{}
	for _, e := range emails {
		k := normKey(e)
		if _, ok := byKey[k]; !ok && k != "" {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], e)
		out[e] = Resolution{}
	}
	resolved := map[string]Resolution{}
	var resp *Response // the last answer
	pending := keys
	passes := []bool{false}
	if archivedToo {
		passes = append(passes, true)
	}
	for _, archived := range passes {
		chunks := slices.Collect(slices.Chunk(pending, MaxBatchInputs))
		reads, r, err := s.readChunks(ctx, chunks, archived)
		resp = cmp.Or(r, resp)
		if err != nil {
			return nil, resp, err
		}
		var next []string
		for i, chunk := range chunks {
			for _, k := range chunk {
				if r, ok := match(k, reads[i].Found, archived); ok {
					resolved[k] = r
				} else {
					next = append(next, k)
				}
			}
		}
		pending = next
	}
	for k, r := range resolved {
		for _, e := range byKey[k] {
			out[e] = r
		}
	}
	return out, resp, nil
}

// readChunks batch-reads each chunk of emails, live or archived, as many at
// once as the client keeps in flight (Client.InFlight), all under its one
// limiter; the reads are returned in the order of chunks, with the last
// answer read.
func (s *ContactsService) readChunks(ctx context.Context, chunks [][]string, archived bool) ([]*ReadResult[*Contact], *Response, error) {
	reads := make([]*ReadResult[*Contact], len(chunks))
	resps := make([]*Response, len(chunks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, s.client.InFlight(0)))
	for i, chunk := range chunks {
		g.Go(func() error {
			read, r, err := s.BatchRead(gctx, BatchReadRequest{IDProperty: "email", IDs: chunk,
				Properties: []string{"email", "hs_additional_emails"}, Archived: archived})
			reads[i], resps[i] = read, r
			return err
		})
	}
	err := g.Wait()
	var last *Response
	for _, r := range resps {
		last = cmp.Or(r, last)
	}
	return reads, last, err
}

// match finds the contact holding email k (lower-case) among found: by
// primary email first, then by hs_additional_emails.
func match(k string, found []*Contact, archived bool) (Resolution, bool) {
	state := ResolvedLive
	if archived {
		state = ResolvedArchived
	}
	for _, c := range found {
		if normKey(c.Properties["email"]) == k {
			return Resolution{State: state, ContactID: c.ID, PrimaryEmail: normKey(c.Properties["email"])}, true
		}
	}
	for _, c := range found {
		for _, e := range strings.Split(c.Properties["hs_additional_emails"], ";") {
			if normKey(e) == k {
				return Resolution{State: state, ContactID: c.ID, PrimaryEmail: normKey(c.Properties["email"]), Secondary: true}, true
			}
		}
	}
	return Resolution{}, false
}
