// Package syncdiff compares what two syncs left behind: the state of a
// HubSpot simulator and the out tables of a lake. The fault-injection and
// crash tests use it to prove a damaged run, once completed, ends exactly as
// a fault-free run of the same account.
package syncdiff

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/load/hubspottest"
)

// State is a canonical snapshot: one entry per object, its key naming the
// object by what identifies it across portals (emails, external ids,
// zoomsync ids), never by a portal-assigned id; a second object under one
// key gets the key with "#2" appended, so a doubled object is an extra key.
type State map[string]string

// volatile are the properties the simulator sets itself at write time.
var volatile = map[string]bool{
	"hs_object_id": true, "createdate": true, "lastmodifieddate": true, "hs_lastmodifieddate": true,
	"hs_createdate": true,
}

func (s State) add(key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(fmt.Sprint(v))
	}
	k := key
	for n := 2; ; n++ {
		if _, dup := s[k]; !dup {
			break
		}
		k = fmt.Sprintf("%s#%d", key, n)
	}
	s[k] = string(b)
}

func stable(props map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range props {
		if !volatile[k] {
			out[k] = v
		}
	}
	return out
}

// CRM snapshots a HubSpot simulator: contacts by email (their properties),
// calls by zoomsync_call_id (else by title and timestamp) with their
// contacts' emails, marketing events by external ids, participations by
// event, email and state, timeline events by template and id.
func CRM(hs *hubspottest.Server) State {
	s := State{}
	emailOf := map[string]string{}
	for _, c := range hs.Contacts() {
		emailOf[c.ID] = c.Email
		s.add("contact "+c.Email, struct {
			Archived bool
			Props    map[string]string
		}{c.Archived, stable(c.Properties)})
	}
	for _, c := range hs.Calls() {
		key := c.Properties["zoomsync_call_id"]
		if key == "" {
			key = c.Properties["hs_call_title"] + " @" + c.Properties["hs_timestamp"]
		}
		var emails []string
		for _, id := range c.ContactIDs {
			emails = append(emails, emailOf[id])
		}
		slices.Sort(emails)
		s.add("call "+key, struct {
			Props    map[string]string
			Contacts []string
		}{stable(c.Properties), emails})
	}
	for _, e := range hs.MarketingEvents() {
		id := e.ExternalAccountID + "/" + e.ExternalEventID
		e.ObjectID, e.Writes = "", 0
		s.add("marketing-event "+id, e)
		for _, p := range hs.Participations(e.ExternalEventID) {
			email := p.Email
			if email == "" {
				email = emailOf[p.ContactID]
			}
			s.add("participation "+id+" "+email+" "+p.State, struct {
				OccurredAt time.Time
				Props      map[string]string
			}{p.OccurredAt, p.Properties})
		}
	}
	for _, e := range hs.TimelineEvents() {
		email := e.Email
		if email == "" {
			email = emailOf[e.ObjectID]
		}
		s.add("timeline-event "+e.TemplateID+" "+e.ID, struct {
			Email     string
			Tokens    map[string]string
			ExtraData any
			Timestamp time.Time
		}{email, e.Tokens, e.ExtraData, e.Timestamp})
	}
	return s
}

// Out snapshots the out tables of a lake (dir/out/*.parquet) through db, a
// DuckDB connection: one entry per row, keyed by table and the row's
// values (a run_id column blanked), counting repeats as State.add does.
func Out(db *sql.DB, lakeDir string) (State, error) {
	files, err := filepath.Glob(filepath.Join(lakeDir, "out", "*.parquet"))
	if err != nil {
		return nil, err
	}
	s := State{}
	for _, f := range files {
		table := strings.TrimSuffix(filepath.Base(f), ".parquet")
		if err := addRows(s, db, table, f); err != nil {
			return nil, fmt.Errorf("out table %s: %w", table, err)
		}
	}
	return s, nil
}

func addRows(s State, db *sql.DB, table, path string) error {
	rows, err := db.Query("SELECT * FROM read_parquet('" + strings.ReplaceAll(path, "'", "''") + "')")
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	s.add("table "+table+" columns", cols)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, c := range cols {
			if c == "run_id" {
				vals[i] = nil // names the run that wrote the table, not data
			}
		}
		b, err := json.Marshal(vals)
		if err != nil {
			b = []byte(fmt.Sprint(vals...))
		}
		s.add("row "+table+" "+string(b), true)
	}
	return rows.Err()
}

// Diff lists the differences between want and got: keys missing from got,
// keys only in got, and keys whose values differ; sorted, at most max
// entries described (max <= 0: all), and the total count.
func Diff(want, got State, max int) (lines []string, total int) {
	add := func(line string) {
		total++
		if max <= 0 || len(lines) < max {
			lines = append(lines, line)
		}
	}
	keys := make([]string, 0, len(want)+len(got))
	for k := range want {
		keys = append(keys, k)
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		w, inWant := want[k]
		g, inGot := got[k]
		switch {
		case !inGot:
			add("missing: " + k)
		case !inWant:
			add("extra:   " + k + " = " + g)
		case w != g:
			add("differs: " + k + "\n   want " + w + "\n   got  " + g)
		}
	}
	return lines, total
}

// Count tallies a state's entries by kind (the key's first word).
func (s State) Count() map[string]int {
	out := map[string]int{}
	for k := range s {
		kind, _, _ := strings.Cut(k, " ")
		out[kind]++
	}
	return out
}
