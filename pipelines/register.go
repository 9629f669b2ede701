package pipelines

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/zoomsync/zoomsync/extract/zoom"
)

// Person is someone to register for a webinar.
type Person struct {
	Email     string
	FirstName string
	LastName  string
	// Webinar is the webinar id of the person's row (a webinar_id column,
	// as the integration's workflow action reads it from a contact
	// property), spaces and dashes allowed; empty means the webinar of
	// RegisterOptions.
	Webinar string
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
	WebinarID    int64  `json:"webinar_id"`
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
	// ("862 1234 5678", "862-1234-5678"). RegisterAll uses it for the
	// people whose Webinar is empty.
	Webinar string
	People  []Person
	// Progress, when set, is told after each registration request how many
	// of the total have had their answer; it may be called from several
	// goroutines at once.
	Progress func(done, total int)
}

// RegisterAll registers each person for the webinar of their row
// (Person.Webinar) or, when it is empty, opts.Webinar: the people are
// grouped per webinar, in the order each webinar first appears, and each
// group goes through Register, with every guard of a single webinar (the
// webinar read, its host, its account, its form, its registrants). Before
// anything is read, every webinar id is checked: a row whose id is not
// one, or that has none while opts.Webinar is empty, fails the job, naming
// the first such rows. A job error stops at its webinar; the results of
// the webinars done (and of that one, as far as it went) are returned.
func RegisterAll(ctx context.Context, cfg *Config, opts RegisterOptions) ([]*RegisterResult, error) {
	groups, err := groupByWebinar(opts)
	if err != nil {
		return nil, err
	}
	var out []*RegisterResult
	for _, g := range groups {
		res, err := Register(ctx, cfg, g)
		if res != nil {
			out = append(out, res)
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// groupByWebinar splits opts.People per webinar id (normalised), in the
// order of first appearance.
func groupByWebinar(opts RegisterOptions) ([]RegisterOptions, error) {
	var (
		groups []RegisterOptions
		index  = map[int64]int{}
		bad    []string
	)
	for i, p := range opts.People {
		raw := cmp.Or(strings.TrimSpace(p.Webinar), opts.Webinar)
		if raw == "" {
			bad = append(bad, fmt.Sprintf("person %d (%s): no webinar_id and no --webinar", i+1, p.Email))
			continue
		}
		id, err := ParseWebinarID(raw)
		if err != nil {
			bad = append(bad, fmt.Sprintf("person %d (%s): %v", i+1, p.Email, err))
			continue
		}
		g, ok := index[id]
		if !ok {
			g = len(groups)
			index[id] = g
			groups = append(groups, RegisterOptions{Webinar: strconv.FormatInt(id, 10)})
		}
		groups[g].People = append(groups[g].People, p)
	}
	if len(bad) > 0 {
		if len(bad) > 5 {
			bad = append(bad[:5], fmt.Sprintf("and %d more", len(bad)-5))
		}
		return nil, fmt.Errorf("register: %s", strings.Join(bad, "; "))
	}
	return groups, nil
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
	c := ZoomClient(cfg)

	f, refusal, err := readRegistration(ctx, c, id)
	if f.webinar != nil {
		res.Topic = f.webinar.Topic
	}
	if err != nil {
		return res, err
	}
	if refusal != "" {
		log.InfoContext(ctx, "register: refusing every person", "reason", refusal, "people", len(people))
		for _, p := range people {
			res.People = append(res.People, refusedPerson(id, p, refusal))
		}
		return res, nil
	}

	res.People = make([]RegisterOutcome, len(people))
	var toSend []int
	for i, p := range people {
		o, send := classify(p, f)
		o.WebinarID = id
		res.People[i] = o
		if send {
			toSend = append(toSend, i)
		}
	}
	workers := min(max(cfg.Concurrency, 1), 8, max(len(toSend), 1))
	if err := sendRegistrations(ctx, c, id, f.webinar, workers, res, toSend, opts.Progress); err != nil {
		return res, err
	}
	log.InfoContext(ctx, "register: done", "people", len(people), "sent", res.Sent)
	return res, nil
}

// registration is what Register reads about a webinar before it decides
// anyone: the webinar, the emails of its host, whether its form requires a
// last name, and the status of every current registrant.
type registration struct {
	webinar          *zoom.Webinar
	hosts            map[string]bool   // lower-cased trimmed emails of the host
	lastNameRequired bool              // the form requires last_name
	status           map[string]string // lower-cased trimmed email → registrant status
}

// readRegistration reads the webinar, the account's users, the registration
// form and the registrants. refusal is non-empty when nobody can be
// registered; webinar is set once read, whatever follows.
func readRegistration(ctx context.Context, c *zoom.Client, id int64) (f registration, refusal string, err error) {
	w, _, err := c.Webinars.Get(ctx, id)
	switch {
	case errors.Is(err, zoom.ErrWebinarNotFound):
		return f, RefusalNotFound, nil
	case err != nil:
		return f, "", fmt.Errorf("register: reading webinar %d: %w", id, err)
	}
	f.webinar = w
	users, err := accountUsers(ctx, c)
	if err != nil {
		return f, "", err
	}
	hostEmail, ok := users[w.HostID]
	if !ok {
		return f, RefusalOtherAccount, nil
	}
	f.hosts = map[string]bool{hostEmail: true, normEmail(w.HostEmail): true}
	if !w.HasRegistration() {
		return f, RefusalNoRegistration, nil
	}
	q, _, err := c.Webinars.ListRegistrantQuestions(ctx, id)
	switch {
	case errors.Is(err, zoom.ErrNoRegistration):
		return f, RefusalNoRegistration, nil
	case err != nil:
		return f, "", fmt.Errorf("register: reading the registration questions of webinar %d: %w", id, err)
	}
	var extra []string
	f.lastNameRequired, extra = formFields(q)
	if len(extra) > 0 {
		return f, "registration requires fields zoomsync does not send: " + strings.Join(extra, ", "), nil
	}
	f.status, err = registrantStatuses(ctx, c, id)
	return f, "", err
}

// normEmail is an email as Register compares them: trimmed, lower-cased.
func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// accountUsers maps the id of every user of the account, active and
// inactive, to the user's email.
func accountUsers(ctx context.Context, c *zoom.Client) (map[string]string, error) {
	users := map[string]string{}
	for _, status := range []string{"active", "inactive"} {
		for u, err := range c.Users.ListIter(ctx, &zoom.UserListOptions{Status: status}) {
			if err != nil {
				return nil, fmt.Errorf("register: listing the account's users: %w", err)
			}
			if u.ID != "" {
				users[u.ID] = normEmail(u.Email)
			}
		}
	}
	return users, nil
}

// formFields reads a registration form: whether it requires a last name,
// and the required fields and custom questions zoomsync does not send.
func formFields(q *zoom.RegistrantQuestions) (lastNameRequired bool, extra []string) {
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
	return lastNameRequired, extra
}

// registrantStatuses maps the email of every registrant of the webinar to
// its status; an email both denied and approved or pending keeps the latter.
func registrantStatuses(ctx context.Context, c *zoom.Client, id int64) (map[string]string, error) {
	status := map[string]string{}
	for _, st := range []string{zoom.RegistrantApproved, zoom.RegistrantPending, zoom.RegistrantDenied} {
		for r, err := range c.Webinars.ListRegistrantsIter(ctx, id, &zoom.RegistrantListOptions{Status: st}) {
			if err != nil {
				return nil, fmt.Errorf("register: listing the %s registrants of webinar %d: %w", st, id, err)
			}
			e := normEmail(r.Email)
			if _, seen := status[e]; !seen || st != zoom.RegistrantDenied {
				status[e] = st
			}
		}
	}
	return status, nil
}

// classify decides one person without asking Zoom: refused (invalid email,
// the host, denied before, a name missing), already registered (approved
// or pending), or to send (send true, the outcome then holds the person
// with the normalised email and no outcome yet).
func classify(p Person, f registration) (o RegisterOutcome, send bool) {
	o = RegisterOutcome{Email: p.Email, FirstName: p.FirstName, LastName: p.LastName}
	email, valid := registrantEmail(p.Email)
	switch {
	case !valid:
		o.Outcome, o.Reason = OutcomeRefused, RefusalInvalidEmail
	case f.hosts[email]:
		o.Outcome, o.Reason = OutcomeRefused, RefusalHost
	case f.status[email] == zoom.RegistrantApproved:
		o.Outcome, o.Reason = OutcomeAlreadyRegistered, "approved"
	case f.status[email] == zoom.RegistrantPending:
		o.Outcome, o.Reason = OutcomeAlreadyRegistered, "pending approval"
	case f.status[email] == zoom.RegistrantDenied:
		o.Outcome, o.Reason = OutcomeRefused, RefusalDenied
	case p.FirstName == "":
		o.Outcome, o.Reason = OutcomeRefused, RefusalNoFirstName
	case f.lastNameRequired && p.LastName == "":
		o.Outcome, o.Reason = OutcomeRefused, RefusalNoLastName
	default:
		o.Email = email
		return o, true
	}
	return o, false
}

// notSent is the reason of the people left unsent when the run stopped.
const notSent = "not sent: the run stopped"

// sendRegistrations POSTs res.People[i] for each i of toSend, with at most
// workers requests in flight: the client's token bucket keeps the rate
// under Zoom's Light quota, the workers hide the round trips. A refusal
// that stops the webinar (over, daily limit) refuses everyone not sent yet
// with its reason; an error that stops the job (unreachable, cancelled)
// refuses them as not sent and is returned.
func sendRegistrations(ctx context.Context, c *zoom.Client, id int64, w *zoom.Webinar, workers int, res *RegisterResult, toSend []int,
	progress func(done, total int)) error {
	var (
		mu       sync.Mutex
		stopped  string // a reason that refuses everyone not sent yet
		jobErr   error
		answered int
	)
	var g errgroup.Group
	g.SetLimit(workers)
	for _, i := range toSend {
		o := &res.People[i]
		g.Go(func() error {
			mu.Lock()
			if stopped != "" || jobErr != nil || ctx.Err() != nil {
				o.Outcome, o.Reason = OutcomeRefused, cmp.Or(stopped, notSent)
				mu.Unlock()
				return nil
			}
			res.Sent++
			mu.Unlock()

			created, _, err := c.Webinars.AddRegistrant(ctx, id, &zoom.RegistrantRequest{
				Email: o.Email, FirstName: o.FirstName, LastName: o.LastName,
			})
			mu.Lock()
			defer mu.Unlock()
			if answered++; progress != nil {
				progress(answered, len(toSend))
			}
			reason, stop, fatal := registerError(err)
			switch {
			case err == nil:
				o.Outcome, o.RegistrantID, o.JoinURL = OutcomeRegistered, created.RegistrantID, created.JoinURL
				if w.Settings.ApprovalType == zoom.ApprovalManual {
					o.Outcome = OutcomePending
				}
			case fatal:
				o.Outcome, o.Reason = OutcomeRefused, notSent
				if jobErr == nil {
					jobErr = err
				}
			default:
				o.Outcome, o.Reason = OutcomeRefused, reason
				if stop && stopped == "" {
					stopped = reason
				}
			}
			return nil
		})
	}
	g.Wait() //nolint:errcheck // the workers report through jobErr
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if jobErr != nil {
		return fmt.Errorf("register: webinar %d: %w", id, jobErr)
	}
	return nil
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
	case errors.As(err, &ae) && errors.Is(err, zoom.ErrNoRegistration):
		return "registration refused by Zoom (3000): " + ae.Message, false, false
	case errors.As(err, &ae) && errors.Is(err, zoom.ErrValidation):
		var fields []string
		for _, f := range ae.Errors {
			fields = append(fields, f.Field)
		}
		return "Zoom validation failed (300): " + cmp.Or(strings.Join(fields, ", "), ae.Message), false, false
	case errors.As(err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500 && ae.StatusCode != 401:
		return fmt.Sprintf("refused by Zoom (%d code %d): %s", ae.StatusCode, ae.Code, ae.Message), false, false
	}
	return "", false, true
}

func refusedPerson(webinarID int64, p Person, reason string) RegisterOutcome {
	return RegisterOutcome{WebinarID: webinarID, Email: p.Email, FirstName: p.FirstName, LastName: p.LastName, Outcome: OutcomeRefused, Reason: reason}
}
