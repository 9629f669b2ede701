package pipelines

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// dedupePeople trims names and keeps the first person of each email (trimmed,
// lower-cased).
func dedupePeople(in []Person) []Person {
	seen := map[string]bool{}
	var out []Person
	for _, p := range in {
		p.Email = strings.TrimSpace(p.Email)
		p.FirstName, p.LastName = strings.TrimSpace(p.FirstName), strings.TrimSpace(p.LastName)
		k := strings.ToLower(p.Email)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

// ReadPeopleCSV reads people from CSV with a header row naming the columns
// email (required), first_name, last_name and webinar_id (optional; other
// columns are ignored). A webinar_id may hold spaces and dashes ("812 3456
// 7890"); one that is not a webinar id is a bad line. Bad lines are
// reported together, each with its line number.
func ReadPeopleCSV(r io.Reader) ([]Person, error) {
	r, err := utf8Text(r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("csv: empty file, want a header with email, first_name, last_name")
	}
	if err != nil {
		return nil, fmt.Errorf("csv: header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	ei, ok := col["email"]
	if !ok {
		return nil, fmt.Errorf("csv: header %q has no email column (want email, first_name, last_name)", strings.Join(header, ","))
	}
	fi, hasFirst := col["first_name"]
	li, hasLast := col["last_name"]
	wi, hasWebinar := col["webinar_id"]
	var out []Person
	var errs []error
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, fmt.Errorf("csv line %d: %w", pe.Line, pe.Err))
				if len(errs) > 20 {
					break
				}
				continue
			}
			return nil, fmt.Errorf("csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != len(header) {
			errs = append(errs, fmt.Errorf("csv line %d: %d fields, the header has %d", line, len(rec), len(header)))
			continue
		}
		p := Person{Email: rec[ei]}
		if hasFirst {
			p.FirstName = rec[fi]
		}
		if hasLast {
			p.LastName = rec[li]
		}
		if hasWebinar {
			p.Webinar = strings.TrimSpace(rec[wi])
			if _, err := ParseWebinarID(p.Webinar); p.Webinar != "" && err != nil {
				errs = append(errs, fmt.Errorf("csv line %d: webinar_id: %w", line, err))
				continue
			}
		}
		if strings.TrimSpace(p.Email) == "" {
			errs = append(errs, fmt.Errorf("csv line %d: email is empty", line))
			continue
		}
		out = append(out, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// PeopleFromSQL runs query in a read-only session (SQLSession) over the
// lake of cfg and reads the columns email (required), first_name,
// last_name and webinar_id (optional) by name. A webinar_id that is not a
// webinar id (spaces and dashes allowed) fails with its row number.
func PeopleFromSQL(ctx context.Context, cfg *Config, query string) ([]Person, error) {
	sess, err := OpenSQLSession(ctx, lakeOf(cfg))
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	rows, err := sess.Rows(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("running the --sql query: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	idx := func(name string) int {
		return slices.IndexFunc(cols, func(c string) bool { return strings.EqualFold(c, name) })
	}
	ei, fi, li, wi := idx("email"), idx("first_name"), idx("last_name"), idx("webinar_id")
	if ei < 0 {
		return nil, fmt.Errorf("the --sql query returns columns %s: want email (and first_name, last_name)", strings.Join(cols, ", "))
	}
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []Person
	for n := 1; rows.Next(); n++ {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("the --sql query, row %d: %w", n, err)
		}
		p := Person{Email: vals[ei].String}
		if fi >= 0 {
			p.FirstName = vals[fi].String
		}
		if li >= 0 {
			p.LastName = vals[li].String
		}
		if wi >= 0 {
			p.Webinar = strings.TrimSpace(vals[wi].String)
			if _, err := ParseWebinarID(p.Webinar); p.Webinar != "" && err != nil {
				return nil, fmt.Errorf("the --sql query, row %d: webinar_id: %w", n, err)
			}
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("the --sql query: %w", err)
	}
	return out, nil
}
