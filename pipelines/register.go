package pipelines

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/schema"
	"github.com/zoomsync/zoomsync/transform"
)

// Person is someone to register for a webinar.
type Person struct {
	Email     string
	FirstName string
	LastName  string
}

// Outcomes of a registration.
const (
	OutcomeRegistered        = "registered"
	OutcomePending           = "pending approval"
	OutcomeAlreadyRegistered = "already registered"
	OutcomeRefused           = "refused"
)

// Reasons of refusals the job decides itself (Zoom's own messages are
// reported as they come for the rest).
const (
	RefusalHost           = "webinar host cannot register"
	RefusalOver           = "webinar is over, registration closed (Zoom 3038)"
	RefusalNoRegistration = "webinar has no registration (approval_type 2, Zoom 3000)"
	RefusalOtherAccount   = "webinar belongs to another Zoom account"
	RefusalNotFound       = "webinar not found: unknown, expired, or of another Zoom account (Zoom 3001)"
	RefusalInvalidEmail   = "invalid email address"
	RefusalDenied         = "registration denied"
	RefusalDailyCap       = "Zoom's daily cap of registration requests for this person reached; retry after 00:00 UTC"
	RefusalNoFirstName    = "first name missing (Zoom requires it)"
	RefusalNoLastName     = "last name missing (this webinar requires it)"
)

// RegisterOutcome is what happened to one person.
type RegisterOutcome struct {
	Email        string `json:"email"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Outcome      string `json:"outcome"`
	Reason       string `json:"reason"`
	RegistrantID string `json:"registrant_id,omitempty"`
	JoinURL      string `json:"join_url,omitempty"`
}

// OK reports whether the person is registered: newly, pending approval or
// already.
func (o RegisterOutcome) OK() bool { return o.Outcome != OutcomeRefused }

// RegisterResult is what Register did.
type RegisterResult struct {
	WebinarID int64
	Topic     string
	People    []RegisterOutcome // one per distinct email, in input order
	Sent      int               // POST /webinars/{webinarId}/registrants requests made
}

// AllOK reports whether every person is registered, pending or already registered.
func (r *RegisterResult) AllOK() bool {
	for _, p := range r.People {
		if !p.OK() {
			return false
		}
	}
	return true
}

// RegisterOptions say whom to register where.
type RegisterOptions struct {
	// Webinar is the webinar id as typed: spaces and dashes are dropped
	// ("862 1234 5678", "862-1234-5678").
	Webinar string
	People  []Person
}

// ParseWebinarID drops spaces and dashes from a webinar id and checks
// that digits remain.
func ParseWebinarID(s string) (int64, error) {
	d := NormalizeWebinarID(s)
	if d == "" {
		return 0, fmt.Errorf("webinar id %q: empty", s)
	}
	for _, r := range d {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("webinar id %q: want digits (spaces and dashes allowed)", s)
		}
	}
	id, err := strconv.ParseInt(d, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("webinar id %q: out of range", s)
	}
	return id, nil
}

// registrantEmailPattern is a plain address: one "@", a dotted domain of letters,
// digits and dashes, a top-level domain of two letters or more.
var registrantEmailPattern = regexp.MustCompile(`^[a-z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}$`)

// registrantEmail trims and lower-cases an email; ok is false when the
// result is not a plain address.
func registrantEmail(s string) (string, bool) {
	e := strings.ToLower(strings.TrimSpace(s))
	if len(e) > 128 || strings.Contains(e, "..") || !registrantEmailPattern.MatchString(e) {
		return e, false
	}
	return e, true
}

// Register registers people for one webinar of the configured Zoom
// account, sending first name, last name and email only.
//
// Before sending anything it reads the webinar (GET /webinars/{id}), the
// account's users (GET /users, active and inactive), the registration form
// (GET .../registrants/questions) and the registrants of each status. It
// refuses everyone, without sending, when the webinar is unknown or expired
// (Zoom answers 404/3001, which is also what a webinar of another account
// answers), when its host is not a user of the account ("webinar belongs
// to another Zoom account"), when it takes no registration, or when its
// form requires a field other than first name, last name and email or a
// custom question (the reason names them).
//
// Then, per distinct email (trimmed, lower-cased): an invalid email, the
// host's email, a missing first name, or a missing last name the form
// requires are refused locally; approved and pending registrants are
// reported "already registered" and denied ones refused, without sending;
// everyone else is POSTed and reported "registered" (auto-approve) or
// "pending approval" (manual approval). Zoom's refusals are mapped: 3027
// host, 3038 over (nobody after is sent), 3000, 300 with the fields, and the
// per-registrant daily cap. A daily limit of the Light label stops sending;
// the rest are refused with that reason.
//
// The error is non-nil when the job could not run (configuration, Zoom
// unreachable, cancelled); the result then holds what was done.
func Register(ctx context.Context, cfg *Config, opts RegisterOptions) (*RegisterResult, error) {
	id, err := ParseWebinarID(opts.Webinar)
	if err != nil {
		return nil, err
	}
	if err := cfg.ValidateZoom(); err != nil {
		return nil, err
	}
	log := cfg.logger().With("webinar_id", id)
	res := &RegisterResult{WebinarID: id}
	people := dedupePeople(opts.People)
	refuseAll := func(reason string) (*RegisterResult, error) {
		log.InfoContext(ctx, "register: refusing every person", "reason", reason, "people", len(people))
		for _, p := range people {
			res.People = append(res.People, refusedPerson(p, reason))
		}
		return res, nil
	}
	c := ZoomClient(cfg)

	w, _, err := c.Webinars.Get(ctx, id)
	switch {
	case errors.Is(err, zoom.ErrWebinarNotFound):
		return refuseAll(RefusalNotFound)
	case err != nil:
		return res, fmt.Errorf("register: reading webinar %d: %w", id, err)
	}
	res.Topic = w.Topic
	users := map[string]string{} // user id → lower-cased email
	for _, status := range []string{"active", "inactive"} {
		for u, err := range c.Users.ListIter(ctx, &zoom.UserListOptions{Status: status}) {
			if err != nil {
				return res, fmt.Errorf("register: listing the account's users: %w", err)
			}
			if u.ID != "" {
				users[u.ID] = strings.ToLower(strings.TrimSpace(u.Email))
			}
		}
	}
	hostEmail, ok := users[w.HostID]
	if !ok {
		return refuseAll(RefusalOtherAccount)
	}
	hosts := map[string]bool{hostEmail: true, strings.ToLower(strings.TrimSpace(w.HostEmail)): true}
	if !w.HasRegistration() {
		return refuseAll(RefusalNoRegistration)
	}
	q, _, err := c.Webinars.ListRegistrantQuestions(ctx, id)
	switch {
	case errors.Is(err, zoom.ErrNoRegistration):
		return refuseAll(RefusalNoRegistration)
	case err != nil:
		return res, fmt.Errorf("register: reading the registration questions of webinar %d: %w", id, err)
	}
	var extra []string
	lastNameRequired := false
	for _, x := range q.Questions {
		switch {
		case !x.Required:
		case x.FieldName == "last_name":
			lastNameRequired = true
		case x.FieldName != "first_name" && x.FieldName != "email":
			extra = append(extra, x.FieldName)
		}
	}
	for _, x := range q.CustomQuestions {
		if x.Required {
			extra = append(extra, fmt.Sprintf("custom question %q", x.Title))
		}
	}
	if len(extra) > 0 {
		return refuseAll("registration requires fields zoomsync does not send: " + strings.Join(extra, ", "))
	}

	status := map[string]string{} // lower-cased trimmed email → registrant status
	for _, st := range []string{zoom.RegistrantApproved, zoom.RegistrantPending, zoom.RegistrantDenied} {
		for r, err := range c.Webinars.ListRegistrantsIter(ctx, id, &zoom.RegistrantListOptions{Status: st}) {
			if err != nil {
				return res, fmt.Errorf("register: listing the %s registrants of webinar %d: %w", st, id, err)
			}
			e := strings.ToLower(strings.TrimSpace(r.Email))
			if _, seen := status[e]; !seen || st != zoom.RegistrantDenied {
				status[e] = st
			}
		}
	}

	res.People = make([]RegisterOutcome, len(people))
	var toSend []int
	for i, p := range people {
		o := RegisterOutcome{Email: p.Email, FirstName: p.FirstName, LastName: p.LastName}
		email, valid := registrantEmail(p.Email)
		switch {
		case !valid:
			o.Outcome, o.Reason = OutcomeRefused, RefusalInvalidEmail
		case hosts[email]:
			o.Outcome, o.Reason = OutcomeRefused, RefusalHost
		case status[email] == zoom.RegistrantApproved:
			o.Outcome, o.Reason = OutcomeAlreadyRegistered, "approved"
		case status[email] == zoom.RegistrantPending:
			o.Outcome, o.Reason = OutcomeAlreadyRegistered, "pending approval"
		case status[email] == zoom.RegistrantDenied:
			o.Outcome, o.Reason = OutcomeRefused, RefusalDenied
		case p.FirstName == "":
			o.Outcome, o.Reason = OutcomeRefused, RefusalNoFirstName
		case lastNameRequired && p.LastName == "":
			o.Outcome, o.Reason = OutcomeRefused, RefusalNoLastName
		default:
			o.Email = email
			toSend = append(toSend, i)
		}
		res.People[i] = o
	}

	// Send with a few workers: the client's token bucket keeps the rate
	// under Zoom's Light quota, the workers hide the round trips.
	var (
		mu      sync.Mutex
		stopped string // a reason that refuses everyone not sent yet
		jobErr  error
		next    int
	)
	workers := min(max(cfg.Concurrency, 1), 8, max(len(toSend), 1))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				if next >= len(toSend) {
					mu.Unlock()
					return
				}
				i := toSend[next]
				next++
				if stopped != "" || jobErr != nil || ctx.Err() != nil {
					res.People[i].Outcome, res.People[i].Reason = OutcomeRefused, orString(stopped, "not sent: the run stopped")
					mu.Unlock()
					continue
				}
				res.Sent++
				mu.Unlock()

				o := &res.People[i]
				created, _, err := c.Webinars.AddRegistrant(ctx, id, &zoom.RegistrantRequest{
					Email: o.Email, FirstName: o.FirstName, LastName: o.LastName,
				})
				mu.Lock()
				reason, stop, fatal := registerError(err)
				switch {
				case err == nil:
					o.Outcome, o.RegistrantID, o.JoinURL = OutcomeRegistered, created.RegistrantID, created.JoinURL
					if w.Settings.ApprovalType == zoom.ApprovalManual {
						o.Outcome = OutcomePending
					}
				case fatal:
					o.Outcome, o.Reason = OutcomeRefused, "not sent: the run stopped"
					if jobErr == nil {
						jobErr = err
					}
				default:
					o.Outcome, o.Reason = OutcomeRefused, reason
					if stop && stopped == "" {
						stopped = reason
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if jobErr != nil {
		return res, fmt.Errorf("register: webinar %d: %w", id, jobErr)
	}
	log.InfoContext(ctx, "register: done", "people", len(people), "sent", res.Sent)
	return res, nil
}

// registerError maps an AddRegistrant error to a refusal reason; stop means
// nobody after should be sent, fatal that the job cannot go on.
func registerError(err error) (reason string, stop, fatal bool) {
	var ae *zoom.APIError
	switch {
	case err == nil:
		return "", false, false
	case errors.Is(err, zoom.ErrHostCannotRegister):
		return RefusalHost, false, false
	case errors.Is(err, zoom.ErrWebinarOver):
		return RefusalOver, true, false
	case errors.Is(err, zoom.ErrRegistrantDailyCap):
		return RefusalDailyCap, false, false
	case errors.Is(err, zoom.ErrDailyLimit):
		return "Zoom's daily rate limit reached; not sent", true, false
	case errors.Is(err, zoom.ErrWebinarNotFound):
		return RefusalNotFound, true, false
	case errors.As(err, &ae) && ae.Code == 3000:
		return "registration refused by Zoom (3000): " + ae.Message, false, false
	case errors.As(err, &ae) && errors.Is(err, zoom.ErrValidation):
		var fields []string
		for _, f := range ae.Errors {
			fields = append(fields, f.Field)
		}
		return "Zoom validation failed (300): " + orString(strings.Join(fields, ", "), ae.Message), false, false
	case errors.As(err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500 && ae.StatusCode != 401:
		return fmt.Sprintf("refused by Zoom (%d code %d): %s", ae.StatusCode, ae.Code, ae.Message), false, false
	}
	return "", false, true
}

func orString(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func refusedPerson(p Person, reason string) RegisterOutcome {
	return RegisterOutcome{Email: p.Email, FirstName: p.FirstName, LastName: p.LastName, Outcome: OutcomeRefused, Reason: reason}
}

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
// email (required), first_name and last_name (optional; other columns are
// ignored). Bad lines are reported together, each with its line number.
func ReadPeopleCSV(r io.Reader) ([]Person, error) {
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

// PeopleFromSQL runs query read-only over the lake of cfg and reads the
// columns email (required), first_name and last_name (optional) by name.
func PeopleFromSQL(ctx context.Context, cfg *Config, query string) ([]Person, error) {
	e, err := transform.OpenReadOnly(ctx, schema.Lake{Dir: cfg.DataDir})
	if err != nil {
		return nil, err
	}
	defer e.Close()
	rows, err := e.DB().QueryContext(ctx, query)
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
	ei, fi, li := idx("email"), idx("first_name"), idx("last_name")
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
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("the --sql query: %w", err)
	}
	return out, nil
}
