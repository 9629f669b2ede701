package pipelines

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/zoomsync/zoomsync/load"
	"github.com/zoomsync/zoomsync/load/hubspot"
)

// DiffColumns are the columns of a dry run's diff (sync --dry-run --diff):
// one row per field of an object created or updated (old is the CRM's
// value, read from the CRM for contacts, NULL for a created object or
// when the CRM is not read), one row per object skipped, with its reason.
var DiffColumns = []string{"object_type", "key", "action", "field", "old", "new", "reason"}

// Diff gathers what a dry run would send (SyncOptions.Diff).
type Diff struct {
	mu   sync.Mutex
	rows []load.DiffRow
}

// Add records one object; safe for concurrent use.
func (d *Diff) Add(r load.DiffRow) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rows = append(d.rows, r)
}

// Rows returns the diff in DiffColumns, sorted by object type, key and
// field. The old values of updated contacts are read from the CRM (batch
// read by email, reads only); a field whose old and new values are equal
// is left out.
func (d *Diff) Rows(ctx context.Context, cfg *Config) ([][]any, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	old, err := d.oldContacts(ctx, cfg)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(d.rows, func(i, j int) bool {
		a, b := d.rows[i], d.rows[j]
		return a.ObjectType < b.ObjectType || a.ObjectType == b.ObjectType && a.Key < b.Key
	})
	var out [][]any
	for _, r := range d.rows {
		if r.Action == load.OutcomeSkipped {
			out = append(out, []any{r.ObjectType, r.Key, r.Action, nil, nil, nil, r.Reason})
			continue
		}
		prev, known := old[r.Key]
		for _, f := range r.Fields() {
			var was any
			if r.ObjectType == load.ObjectContact && r.Action == load.OutcomeUpdated && known {
				name, isProp := strings.CutPrefix(f, "properties.")
				v := prev[name]
				if !isProp || v == r.Values[f] { // the key (id, idProperty), or no change
					continue
				}
				was = v
			}
			out = append(out, []any{r.ObjectType, r.Key, r.Action, f, was, r.Values[f], nil})
		}
	}
	return out, nil
}

// oldContacts reads the CRM's values of the properties the dry run would
// update, by email.
func (d *Diff) oldContacts(ctx context.Context, cfg *Config) (map[string]map[string]string, error) {
	var emails []string
	props := map[string]bool{}
	for _, r := range d.rows {
		if r.ObjectType != load.ObjectContact || r.Action != load.OutcomeUpdated {
			continue
		}
		emails = append(emails, r.Key)
		for f := range r.Values {
			if p, ok := strings.CutPrefix(f, "properties."); ok {
				props[p] = true
			}
		}
	}
	out := map[string]map[string]string{}
	if len(emails) == 0 {
		return out, nil
	}
	client := HubSpotClient(cfg)
	names := sortedNames(props)
	for i := 0; i < len(emails); i += 100 {
		res, _, err := client.Contacts.BatchRead(ctx, hubspot.BatchReadRequest{IDProperty: "email", IDs: emails[i:min(i+100, len(emails))], Properties: names})
		if err != nil {
			return nil, fmt.Errorf("diff: reading the contacts' values in the CRM: %w", err)
		}
		for _, c := range res.Found {
			out[strings.ToLower(c.Properties["email"])] = c.Properties
		}
	}
	return out, nil
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
