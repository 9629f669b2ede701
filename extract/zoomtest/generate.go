package zoomtest

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GenConfig parameterises Generate. Zero values pick the demo defaults.
type GenConfig struct {
	Seed int64
	// Now anchors the account's clock; zero → 2026-11-01T00:00:00Z. Every generated time is
	// before Now except the start of upcoming webinars.
	Now time.Time
	// Hosts is the number of licensed hosts; zero → 3. One basic user and one pending user
	// (without id) are always added.
	Hosts int
	// Webinars is the number of webinars; zero → 15, holding 40 instances in all, plus a
	// 16th: a second upcoming webinar whose registration form requires more than first name,
	// last name and email, and a 17th: a webinar held ~100 days before Now that has
	// expired since. The first eight are the special cases (upcoming, two type 9, type 6,
	// expired, older than a year, simulive, no registration), the rest single webinars.
	Webinars int
	// People is the size of the pool registrants and attendees are drawn from; zero → 1500.
	People int
	// Scale multiplies the account: Scale blocks, each a whole account of this config
	// (hosts, basic and pending users, webinars, people, meetings), one after the other in
	// Users, Webinars and Meetings. Block 0 is exactly the account of Scale 1 (zero → 1);
	// block k is drawn from a seed mixed from Seed and k, with webinar and meeting ids,
	// uuids, user names and people's emails unique across blocks. The demo set at Scale 16:
	// about 650 held instances and 20,000 distinct emails (`zoomsync sim zoom --scale 16`).
	Scale int
	// noEngagement leaves out what genEngagement adds: its test compares the two accounts.
	noEngagement bool
	// noHostDrops leaves out what genHostDrops adds, likewise.
	noHostDrops bool
}

// DefaultNow is the account clock of generated accounts when GenConfig.Now is zero.
var DefaultNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// DemoAccount is the demo account for a seed: Generate(GenConfig{Seed: seed}).
func DemoAccount(seed int64) *Account { return Generate(GenConfig{Seed: seed}) }

// Generate builds an account deterministically from cfg: the same config always yields the
// same account (no wall clock, no map iteration).
//
// What it contains, by default: 3 licensed hosts, a basic and a pending user; 15 webinars with
// 40 held instances: a type 9 webinar held 12 times and one held 10 times, a type 6 webinar
// held 6 times, an expired webinar held ~8 months before Now, one held ~14 months before Now
// (its reports answer 400/12702), a simulive one, one without registration (approval_type 2),
// an upcoming one, and single webinars (one of them started twice: a host drop); and a second upcoming
// webinar (auto-approve, no registrants yet) whose form requires the organisation and a
// custom question. The first upcoming webinar's form asks for the last name (required),
// organisation and job title (optional), so first name, last name and email suffice. Registrants (a few
// thousand) are drawn from a pool of People persons, so the same person registers for several
// webinars; statuses are approved/pending/denied; some emails are typed with upper case or
// surrounding spaces, a few are invalid (".con" domain, missing "@", no top-level domain).
// Participants rows include rejoins (some overlapping), waiting-room rows before in-meeting
// rows, rows starting before the report start_time (host, panelist, waiting room) and ending
// after end_time, guests without email or id, unregistered attendees and failovers.
//
// Participant emails are what Zoom's report would show: trimmed, and "" when the typed email
// does not match the user_email pattern of Zoom's OpenAPI spec (missing "@", no TLD).
//
// Then, from random streams of their own (so none of the above changed when they were
// added): in the demo set, the 17th webinar, expired, held ~100 days before Now (only
// GET /report/users/{userId}/meetings finds it); for every account, panelists,
// settings.auto_recording, cloud recordings with WebVTT transcripts, and three plain
// meetings per host (genExtras says which instances have no, a trashed or a processing
// recording); then Q&A, polls, post-webinar surveys and registration tracking sources
// (genEngagement); last, three host drops per block (genHostDrops): an instance of a
// recurring webinar ended and a new uuid started minutes later, its attendees
// reconnecting (Instance.Resumes; the restarted single webinar is one too); in the demo set,
// two Zoom Events whose sessions are three more webinars (genZoomEvents).
func Generate(cfg GenConfig) *Account {
	if cfg.Now.IsZero() {
		cfg.Now = DefaultNow
	}
	cfg.Now = cfg.Now.UTC().Truncate(time.Second)
	if cfg.Hosts <= 0 {
		cfg.Hosts = 3
	}
	demoSet := cfg.Webinars <= 0
	if demoSet {
		cfg.Webinars = 15
	}
	if cfg.People <= 0 {
		cfg.People = 1500
	}
	acct := &Account{ID: "demo-account", Now: cfg.Now}
	sh := &genShared{ids: map[int64]bool{}, uuids: map[string]bool{}, names: map[string]bool{}, emails: map[string]bool{}}
	for k := range max(cfg.Scale, 1) {
		b := generateBlock(cfg, blockSeed(cfg.Seed, k), demoSet, sh)
		acct.Users = append(acct.Users, b.Users...)
		acct.Webinars = append(acct.Webinars, b.Webinars...)
		acct.Meetings = append(acct.Meetings, b.Meetings...)
		acct.Events = append(acct.Events, b.Events...)
	}
	return acct
}

// blockSeed is the seed of block k of a scaled account: the account's seed for block 0,
// so that Scale 1 is the account it always was, and a mix of both for the others.
func blockSeed(seed int64, k int) uint64 {
	if k == 0 {
		return uint64(seed)
	}
	return mix64(uint64(seed) + uint64(k)*0x9e3779b97f4a7c15)
}

// genShared is what the blocks of a scaled account share, so that webinar and meeting
// ids, uuids, user names (and so user emails) and people's emails are unique across them.
type genShared struct {
	ids    map[int64]bool
	uuids  map[string]bool
	names  map[string]bool // first+last of account users
	emails map[string]bool // people's canonical emails
}

// generateBlock generates one whole account of cfg from seed: users, people, webinars,
// then the additions of their own random streams (generate_extra.go, engagement.go).
func generateBlock(cfg GenConfig, seed uint64, demoSet bool, sh *genShared) *Account {
	g := &gen{
		r:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		now: cfg.Now,
		cfg: cfg,
		sh:  sh,
	}
	acct := &Account{ID: "demo-account", Now: cfg.Now}
	g.genUsers(acct)
	g.genPeople()
	g.genWebinars(acct)
	if demoSet {
		g.genQuestionsWebinar(acct, seed)
		g.genRecentExpiredWebinar(acct, seed)
	}
	g.genExtras(acct, seed)
	if !cfg.noEngagement {
		g.genEngagement(acct, seed)
	}
	if !cfg.noHostDrops {
		g.genHostDrops(acct, seed)
	}
	if demoSet {
		g.genZoomEvents(acct, seed)
	}
	return acct
}

type person struct {
	first, last string
	email       string // canonical typed form, possibly invalid
	quirk       int    // 0 none, 1 types upper case sometimes, 2 types surrounding spaces sometimes
	zoomID      string // "" when the person has no Zoom account
	org, title  string
	country     string
}

type gen struct {
	r       *rand.Rand
	now     time.Time
	cfg     GenConfig
	sh      *genShared
	nUUID   int
	hosts   []*User
	people  []*person
	joinSeq int
}

var (
	firstNames = []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Isabella", "Mateo",
		"Mia", "Levi", "Amelia", "Ethan", "Harper", "James", "Evelyn", "Aiden", "Abigail", "Benjamin",
		"Priya", "Arjun", "Mei", "Hiroshi", "Yuki", "Chen", "Fatima", "Omar", "Aisha", "Kwame",
		"Zanele", "Lars", "Ingrid", "Sven", "Chiara", "Marco", "Lucía", "Javier", "Camille", "Louis",
		"Anna", "Jakub", "Zofia", "Dmitri", "Olga", "Seo-yeon", "Min-jun", "Nia", "Thabo", "Sean",
		"Siobhan", "Rafael", "Beatriz", "Tomás", "Ana", "Noor", "Ali", "Hannah", "Jonas", "Leonie"}
	lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
		"Patel", "Sharma", "Wang", "Li", "Zhang", "Tanaka", "Sato", "Kim", "Park", "Nguyen",
		"Okafor", "Mensah", "Dlamini", "Hansen", "Larsen", "Rossi", "Bianchi", "Dubois", "Moreau", "Müller",
		"Schmidt", "Novak", "Kowalski", "Ivanova", "O'Brien", "Murphy", "Silva", "Santos", "Haddad", "Cohen"}
	freeMail  = []string{"gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me"}
	companies = []struct{ name, domain string }{
		{"Acme Analytics", "acme-analytics.com"}, {"Globex", "globex.io"}, {"Initech", "initech.net"},
		{"Umbrella Health", "umbrella-health.org"}, {"Hooli", "hooli.xyz"}, {"Stark Logistics", "starklogistics.com"},
		{"Wayne Fintech", "waynefintech.co.uk"}, {"Tyrell Robotics", "tyrell.ai"}, {"Soylent Foods", "soylent.de"},
		{"State University", "stateu.edu"},
	}
	jobTitles = []string{"Marketing Manager", "Data Analyst", "VP Sales", "Software Engineer", "Product Manager",
		"CFO", "Operations Lead", "Consultant", "Student", "Head of Growth", "Customer Success Manager", "CTO"}
	countries = []string{"US", "GB", "DE", "FR", "IN", "BR", "JP", "ZA", "CA", "AU", "NL", "ES"}
	topics    = []string{"Product Roadmap Q&A", "Getting Started with Data Pipelines", "Customer Story: Scaling Analytics",
		"Quarterly Launch Review", "Security Best Practices", "Partner Enablement Session", "Pricing & Packaging Update",
		"Hands-on Workshop: Dashboards", "Ask Me Anything with the CEO", "Migrating to the Cloud", "Industry Trends 2026",
		"Onboarding Office Hours", "AI in Marketing Operations", "Year in Review", "Compliance Deep Dive"}
	timezones = []string{"America/New_York", "Europe/London", "America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo"}
	questions = []struct {
		title   string
		answers []string // nil: free text
	}{
		{"Company size?", []string{"1-10", "11-50", "51-200", "201-1000", "1000+"}},
		{"How did you hear about us?", []string{"LinkedIn", "Newsletter", "Colleague", "Search engine", "Event"}},
		{"What would you like to learn?", nil},
	}
	freeText = []string{"Best practices", "How others use it", "Pricing", "Integrations with our CRM", "Roadmap", ""}
)

// zoomEmailPattern is the pattern of participants[].user_email in Zoom's OpenAPI spec.
var zoomEmailPattern = regexp.MustCompile("(^\\s*$|^[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&''*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*(\\.[A-Za-z]{2,})$)")

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// between returns a second-aligned time uniformly in [a, b).
func (g *gen) between(a, b time.Time) time.Time {
	d := int64(b.Sub(a) / time.Second)
	if d <= 0 {
		return a
	}
	return a.Add(time.Duration(g.r.Int64N(d)) * time.Second)
}

func (g *gen) secs(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(g.r.Int64N(int64((hi-lo)/time.Second)+1))*time.Second
}

func (g *gen) zoomID() string {
	b := make([]byte, 22)
	for i := range b {
		b[i] = idAlphabet[g.r.IntN(len(idAlphabet))]
	}
	return string(b)
}

func (g *gen) webinarID() int64 {
	for {
		id := 10_000_000_000 + g.r.Int64N(89_999_999_999)
		if !g.sh.ids[id] {
			g.sh.ids[id] = true
			return id
		}
	}
}

// uuid returns base64 of 16 random bytes. The first instance uuid generated starts with "/"
// and the second contains "//", so that every account exercises the double-encoding rule.
func (g *gen) uuid(instance bool) string {
	for {
		var b [16]byte
		for i := range b {
			b[i] = byte(g.r.UintN(256))
		}
		switch n := g.nUUID; {
		case !instance:
		case n == 0:
			b[0] |= 0xFC // first 6 bits set → "/"
		case n == 1:
			b[1] |= 0x0F // chars 2 and 3 → "//"
			b[2] = 0xFF
		}
		s := base64.StdEncoding.EncodeToString(b[:])
		if !g.sh.uuids[s] {
			g.sh.uuids[s] = true
			if instance {
				g.nUUID++
			}
			return s
		}
	}
}

func (g *gen) genUsers(acct *Account) {
	const domain = "northwind-events.com"
	depts := []string{"Marketing", "Sales", "Customer Success", "Product"}
	mk := func(typ int, status string) *User {
		var first, last string
		for {
			first, last = g.pick(firstNames), g.pick(lastNames)
			if !g.sh.names[first+last] {
				g.sh.names[first+last] = true
				break
			}
		}
		u := &User{
			ID:          g.zoomID(),
			Email:       strings.ToLower(asciiFold(first) + "." + asciiFold(last) + "@" + domain),
			FirstName:   first,
			LastName:    last,
			DisplayName: first + " " + last,
			Type:        typ,
			Status:      status,
			Timezone:    g.pick(timezones),
			Dept:        g.pick(depts),
			CreatedAt:   g.between(g.now.AddDate(-4, 0, 0), g.now.AddDate(-1, 0, 0)),
		}
		acct.Users = append(acct.Users, u)
		return u
	}
	for range g.cfg.Hosts {
		g.hosts = append(g.hosts, mk(2, "active"))
	}
	mk(1, "active")
	p := mk(1, "pending")
	p.ID = ""
	p.CreatedAt = g.between(g.now.AddDate(0, 0, -20), g.now.AddDate(0, 0, -1))
}

// asciiFold maps the few non-ASCII letters of the name lists to ASCII and drops
// characters that are not allowed in the local part of an email.
func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case 'á', 'à':
			r = 'a'
		case 'é', 'è':
			r = 'e'
		case 'í':
			r = 'i'
		case 'ó':
			r = 'o'
		case 'ü', 'ú':
			r = 'u'
		case '\'', '-':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (g *gen) genPeople() {
	for range g.cfg.People {
		p := &person{first: g.pick(firstNames), last: g.pick(lastNames), country: g.pick(countries)}
		p.title = g.pick(jobTitles)
		var domain string
		if g.chance(0.45) {
			domain = g.pick(freeMail)
			p.org = companies[g.r.IntN(len(companies))].name
		} else {
			c := companies[g.r.IntN(len(companies))]
			domain, p.org = c.domain, c.name
		}
		f, l := strings.ToLower(asciiFold(p.first)), strings.ToLower(asciiFold(p.last))
		var local string
		switch g.r.IntN(4) {
		case 0:
			local = f + "." + l
		case 1:
			local = f[:1] + l
		case 2:
			local = f + "_" + l
		default:
			local = f + l[:1]
		}
		for n := 2; g.sh.emails[local+"@"+domain]; n++ {
			local = strings.TrimRight(local, "0123456789") + strconv.Itoa(n)
		}
		g.sh.emails[local+"@"+domain] = true
		p.email = local + "@" + domain
		switch x := g.r.Float64(); {
		case x < 0.006:
			p.email = local + "@" + strings.TrimSuffix(domain, ".com") + ".con"
			if !strings.HasSuffix(domain, ".com") {
				p.email = local + "@" + domain + ".con"
			}
		case x < 0.011:
			p.email = local + domain // missing "@"
		case x < 0.014:
			p.email = local + "@" + domain[:strings.LastIndexByte(domain, '.')] // no TLD
		}
		switch x := g.r.Float64(); {
		case x < 0.05:
			p.quirk = 1
		case x < 0.08:
			p.quirk = 2
		}
		if g.chance(0.35) {
			p.zoomID = g.zoomID()
		}
		g.people = append(g.people, p)
	}
}

// typed is the email as the person typed it this time.
func (g *gen) typed(p *person) string {
	switch {
	case p.quirk == 1 && g.chance(0.6):
		at := strings.IndexByte(p.email, '@')
		if at < 0 {
			return strings.ToUpper(p.email[:1]) + p.email[1:]
		}
		return strings.ToUpper(p.email[:1]) + p.email[1:at+1] + strings.ToUpper(p.email[at+1:at+2]) + p.email[at+2:]
	case p.quirk == 2 && g.chance(0.6):
		return " " + p.email + "  "
	}
	return p.email
}

// reportEmail is the email Zoom's participants report shows for what was typed.
func reportEmail(typed string) string {
	e := strings.TrimSpace(typed)
	if !zoomEmailPattern.MatchString(e) {
		return ""
	}
	return e
}

type webinarPlan struct {
	kind      string
	typ       int
	held      int           // instances
	firstAgo  int           // days before Now of the first instance
	every     int           // days between instances
	approval  int           // approval_type
	regs      [2]int        // registrant count range
	attend    float64       // probability an approved registrant attends one instance
	expired   bool          // Expired flag
	upcomingI time.Duration // for upcoming: start after Now
}

func (g *gen) plans() []webinarPlan {
	specials := []webinarPlan{
		{kind: "upcoming", typ: 5, approval: 1, regs: [2]int{60, 120}, upcomingI: 14 * 24 * time.Hour},
		{kind: "recurring9", typ: 9, held: 12, firstAgo: 7*11 + 12, every: 7, approval: 1, regs: [2]int{350, 450}, attend: 0.3},
		{kind: "recurring6", typ: 6, held: 6, firstAgo: 150, every: 0, approval: 0, regs: [2]int{200, 260}, attend: 0.35},
		{kind: "expired", typ: 5, held: 1, firstAgo: 240, approval: 1, regs: [2]int{80, 150}, attend: 0.6, expired: true},
		{kind: "old", typ: 5, held: 1, firstAgo: 425, approval: 0, regs: [2]int{80, 150}, attend: 0.6, expired: true},
		{kind: "simulive", typ: 5, held: 1, firstAgo: 40, approval: 0, regs: [2]int{80, 150}, attend: 0.55},
		{kind: "noreg", typ: 5, held: 1, firstAgo: 55, approval: 2},
		{kind: "recurring9", typ: 9, held: 10, firstAgo: 14*9 + 24, every: 14, approval: 1, regs: [2]int{300, 400}, attend: 0.3},
	}
	n := g.cfg.Webinars
	if n <= len(specials) {
		return specials[:n]
	}
	out := specials
	for i := range n - len(specials) {
		p := webinarPlan{kind: "single", typ: 5, held: 1, firstAgo: 5 + g.r.IntN(170), approval: g.r.IntN(2),
			regs: [2]int{80, 220}, attend: 0.5 + 0.2*g.r.Float64()}
		if i == 0 {
			p.kind, p.held = "restarted", 2 // host ended and started it again: two uuids
		}
		out = append(out, p)
	}
	return out
}

func (g *gen) genWebinars(acct *Account) {
	for i, p := range g.plans() {
		host := g.hosts[i%len(g.hosts)]
		w := g.webinar(p, host)
		if p.kind == "upcoming" {
			// Setting the form draws nothing from g.r: the other webinars stay as they were.
			w.Questions = []RegistrationQuestion{
				{FieldName: "last_name", Required: true},
				{FieldName: "org"},
				{FieldName: "job_title"},
			}
		}
		acct.Webinars = append(acct.Webinars, w)
	}
	slices.SortStableFunc(acct.Webinars, func(a, b *Webinar) int { return a.StartTime.Compare(b.StartTime) })
}

// genQuestionsWebinar appends the demo set's second upcoming webinar. It draws from a
// random stream of its own, after every other webinar exists, so adding it changed none of
// them.
func (g *gen) genQuestionsWebinar(acct *Account, seed uint64) {
	g.r = rand.New(rand.NewPCG(seed^0x7265676973746572, seed+0x51))
	p := webinarPlan{kind: "upcoming", typ: 5, approval: 0, upcomingI: 21 * 24 * time.Hour}
	w := g.webinar(p, g.hosts[1%len(g.hosts)])
	w.Questions = []RegistrationQuestion{
		{FieldName: "last_name", Required: true},
		{FieldName: "org", Required: true},
		{FieldName: "country"},
	}
	w.CustomQuestions = []RegistrationCustomQuestion{
		{Title: questions[0].title, Type: "single_dropdown", Required: true, Answers: questions[0].answers},
		{Title: questions[2].title, Type: "short"},
	}
	acct.Webinars = append(acct.Webinars, w)
}

func (g *gen) webinar(p webinarPlan, host *User) *Webinar {
	id := g.webinarID()
	w := &Webinar{
		ID:           id,
		HostID:       host.ID,
		HostEmail:    host.Email,
		Topic:        g.pick(topics),
		Type:         p.typ,
		Duration:     []int{30, 45, 60, 60, 90}[g.r.IntN(5)],
		Timezone:     host.Timezone,
		JoinURL:      fmt.Sprintf("https://zoom.us/j/%d", id),
		ApprovalType: p.approval,
		Expired:      p.expired,
	}
	w.Agenda = fmt.Sprintf("Join %s for %q. We will cover the essentials, share customer examples and answer your questions live.", host.DisplayName, w.Topic)
	if g.chance(0.3) {
		w.Agenda += strings.Repeat(" Bring your questions: the last part of the session is an open Q&A with the team.", 3)
	}
	if p.kind == "simulive" {
		w.IsSimulive = true
		w.RecordFileID = g.zoomID()
		w.Topic = "On Demand: " + w.Topic
	}
	if p.kind == "recurring9" {
		w.Topic = "Weekly: " + w.Topic
		if p.every == 14 {
			w.Topic = "Biweekly: " + w.Topic[len("Weekly: "):]
		}
	}

	// Scheduled starts.
	hour := time.Duration(14+g.r.IntN(4))*time.Hour + time.Duration(30*g.r.IntN(2))*time.Minute
	day := func(ago int) time.Time { return g.now.AddDate(0, 0, -ago).Truncate(24 * time.Hour).Add(hour) }
	var sched []time.Time
	switch {
	case p.upcomingI > 0:
		sched = []time.Time{g.now.Add(p.upcomingI).Truncate(24 * time.Hour).Add(hour)}
	case p.typ == 6:
		ago := p.firstAgo
		for range p.held {
			sched = append(sched, day(ago))
			ago -= 10 + g.r.IntN(16)
		}
	case p.kind == "restarted":
		t := day(p.firstAgo)
		sched = []time.Time{t, t.Add(time.Duration(w.Duration)*time.Minute/2 + 7*time.Minute)}
	default:
		for k := range p.held {
			sched = append(sched, day(p.firstAgo-k*p.every))
		}
	}
	w.StartTime = sched[0]
	w.CreatedAt = g.between(sched[0].AddDate(0, 0, -40), sched[0].AddDate(0, 0, -7))
	if w.CreatedAt.After(g.now.AddDate(0, 0, -2)) { // upcoming: created in the past all the same
		w.CreatedAt = g.between(g.now.AddDate(0, 0, -30), g.now.AddDate(0, 0, -2))
	}
	if p.typ == 9 {
		for _, t := range sched {
			w.Occurrences = append(w.Occurrences, Occurrence{
				ID: strconv.FormatInt(t.UnixMilli(), 10), StartTime: t, Duration: w.Duration, Status: "available",
			})
		}
	}

	// Held instances (spans only; participants after registrants exist).
	for k := 0; k < p.held && p.upcomingI == 0; k++ {
		start := sched[k].Add(g.secs(-3*time.Minute, 4*time.Minute))
		if p.kind == "restarted" {
			start = sched[k]
		}
		end := start.Add(time.Duration(w.Duration)*time.Minute + g.secs(-8*time.Minute, 12*time.Minute))
		if p.kind == "restarted" && k == 0 {
			end = sched[1].Add(-2 * time.Minute) // dropped after a few minutes, restarted
		}
		w.Instances = append(w.Instances, &Instance{UUID: g.uuid(true), StartTime: start, EndTime: end})
		if p.kind == "restarted" && k == 1 {
			w.Instances[1].Resumes = w.Instances[0].UUID // a host drop: one session
		}
	}
	switch {
	case w.Type == 5 && len(w.Instances) > 0:
		w.UUID = w.Instances[len(w.Instances)-1].UUID
	default:
		w.UUID = g.uuid(false)
	}

	// Registrants.
	regOf := map[*Registrant]*person{}
	if p.approval != 2 {
		w.Registrants, regOf = g.registrants(w, p, sched)
	}
	hostsByID := g.hosts
	for _, in := range w.Instances {
		g.participants(w, p, in, regOf, hostsByID)
	}
	return w
}

func (g *gen) registrants(w *Webinar, p webinarPlan, sched []time.Time) ([]*Registrant, map[*Registrant]*person) {
	n := p.regs[0] + g.r.IntN(p.regs[1]-p.regs[0]+1)
	n = min(n, len(g.people))
	var qs []int
	for qi := range questions {
		if g.chance(0.5) {
			qs = append(qs, qi)
		}
	}
	lastReg := sched[len(sched)-1]
	if lastReg.After(g.now) {
		lastReg = g.now.Add(-time.Hour)
	}
	firstReg := w.CreatedAt
	regOf := map[*Registrant]*person{}
	var out []*Registrant
	for _, pi := range g.r.Perm(len(g.people))[:n] {
		ps := g.people[pi]
		r := &Registrant{
			ID:        g.zoomID(),
			Email:     g.typed(ps),
			FirstName: ps.first,
			LastName:  ps.last,
			Org:       ps.org,
			JobTitle:  ps.title,
			Country:   ps.country,
		}
		// Most register before the first session; for series, some before later ones.
		if len(sched) > 1 && g.chance(0.3) {
			r.CreateTime = g.between(firstReg, lastReg)
		} else {
			r.CreateTime = g.between(firstReg, minTime(sched[0], g.now.Add(-time.Hour)))
		}
		r.JoinURL = fmt.Sprintf("https://zoom.us/w/%d?tk=%s", w.ID, g.zoomID()+g.zoomID())
		switch x := g.r.Float64(); {
		case p.approval == 1 && x < 0.12:
			r.Status = "pending"
		case x > 0.92:
			r.Status = "denied"
		default:
			r.Status = "approved"
		}
		for _, qi := range qs {
			q := questions[qi]
			v := ""
			if q.answers != nil {
				v = g.pick(q.answers)
			} else {
				v = g.pick(freeText)
			}
			r.CustomQuestions = append(r.CustomQuestions, CustomAnswer{Title: q.title, Value: v})
		}
		regOf[r] = ps
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b *Registrant) int { return a.CreateTime.Compare(b.CreateTime) })
	return out, regOf
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// rowSet collects the participants report rows of one instance [S, E].
type rowSet struct {
	g    *gen
	S, E time.Time
	rows []*Participant
}

// add appends a row, numbering its per-join user_id.
func (rs *rowSet) add(pt Participant) {
	g := rs.g
	if !pt.LeaveTime.After(pt.JoinTime) {
		pt.LeaveTime = pt.JoinTime.Add(time.Second)
	}
	pt.Duration = int(pt.LeaveTime.Sub(pt.JoinTime) / time.Second)
	pt.UserID = strconv.Itoa(g.joinSeq)
	g.joinSeq += 1 + g.r.IntN(1024)
	if pt.Status == "" {
		pt.Status = "in_meeting"
	}
	rs.rows = append(rs.rows, &pt)
}

// attendee adds the rows of one attendee: late joins, early leaves and leaves after the
// report's end_time, a waiting-room row first sometimes, and sometimes 2-3 rejoin rows
// (some overlapping: a device switch).
func (rs *rowSet) attendee(id, name, email, regID string) {
	g, S, E := rs.g, rs.S, rs.E
	join := S.Add(g.secs(0, 12*time.Minute))
	if g.chance(0.15) {
		join = S.Add(g.secs(12*time.Minute, E.Sub(S)/2))
	}
	var leave time.Time
	switch x := g.r.Float64(); {
	case x < 0.08:
		leave = E.Add(g.secs(5*time.Second, 3*time.Minute)) // report end_time precedes the last leave
	case x < 0.70:
		leave = E.Add(-g.secs(0, 3*time.Minute))
	default:
		leave = g.between(join.Add(2*time.Minute), E)
	}
	if !leave.After(join) {
		leave = join.Add(g.secs(30*time.Second, 5*time.Minute))
	}
	if g.chance(0.10) { // waited in the waiting room first
		rs.add(Participant{ID: id, Name: name, Email: email, RegistrantID: regID, Status: "in_waiting_room",
			JoinTime: join.Add(-g.secs(20*time.Second, 4*time.Minute)), LeaveTime: join})
	}
	if g.chance(0.15) && leave.Sub(join) > 6*time.Minute {
		rs.rejoins(Participant{ID: id, Name: name, Email: email, RegistrantID: regID}, join, leave)
		return
	}
	rs.add(Participant{ID: id, Name: name, Email: email, RegistrantID: regID, JoinTime: join, LeaveTime: leave,
		Failover: g.chance(0.01)})
}

// rejoins adds 2-3 rows of who between join and leave, some overlapping.
func (rs *rowSet) rejoins(who Participant, join, leave time.Time) {
	g := rs.g
	parts := 2 + g.r.IntN(2)
	t := join
	for k := range parts {
		end := leave
		if k < parts-1 {
			end = g.between(t.Add(time.Minute), t.Add(leave.Sub(t)/2))
		}
		row := who
		row.JoinTime, row.LeaveTime, row.Failover = t, end, g.chance(0.05)
		rs.add(row)
		if g.chance(0.3) {
			t = end.Add(-g.secs(10*time.Second, 90*time.Second)) // device switch: overlap
		} else {
			t = end.Add(g.secs(20*time.Second, 5*time.Minute))
		}
		if !t.Before(leave) {
			break
		}
	}
}

// staff adds the host and, sometimes, a colleague as panelist: in the practice session
// before the start.
func (rs *rowSet) staff(w *Webinar, hosts []*User) {
	g, S, E := rs.g, rs.S, rs.E
	host := hosts[0]
	for _, h := range hosts {
		if h.ID == w.HostID {
			host = h
		}
	}
	rs.add(Participant{ID: host.ID, Name: host.DisplayName, Email: host.Email,
		JoinTime: S.Add(-g.secs(5*time.Minute, 15*time.Minute)), LeaveTime: E.Add(g.secs(0, time.Minute))})
	if len(hosts) > 1 && g.chance(0.5) {
		pan := hosts[g.r.IntN(len(hosts))]
		if pan != host {
			rs.add(Participant{ID: pan.ID, Name: pan.DisplayName, Email: pan.Email,
				JoinTime: S.Add(-g.secs(2*time.Minute, 10*time.Minute)), LeaveTime: E.Add(-g.secs(0, 5*time.Minute))})
		}
	}
}

func (g *gen) participants(w *Webinar, p webinarPlan, in *Instance, regOf map[*Registrant]*person, hosts []*User) {
	g.joinSeq = 16778240 + g.r.IntN(1_000_000)
	rs := &rowSet{g: g, S: in.StartTime, E: in.EndTime}
	rs.staff(w, hosts)

	registered := map[*person]bool{}
	for _, r := range w.Registrants {
		ps := regOf[r]
		registered[ps] = true
		if r.Status != "approved" || !r.CreateTime.Before(rs.S) || !g.chance(p.attend) {
			continue
		}
		rs.attendee(ps.zoomID, r.FirstName+" "+r.LastName, reportEmail(r.Email), r.ID)
	}
	// People who did not register: signed-in users shown with email, the rest anonymous.
	extra := 1 + g.r.IntN(3)
	if p.approval == 2 {
		extra = 60 + g.r.IntN(60)
	}
	for _, pi := range g.r.Perm(len(g.people)) {
		if extra == 0 {
			break
		}
		ps := g.people[pi]
		if registered[ps] {
			continue
		}
		extra--
		email := ""
		if ps.zoomID != "" || p.approval != 2 {
			email = reportEmail(ps.email)
		}
		rs.attendee(ps.zoomID, ps.first+" "+ps.last, email, "")
	}
	// Guests: no email, no id.
	for k := range 2 + g.r.IntN(6) {
		name := fmt.Sprintf("Guest %d", k+1)
		if g.chance(0.5) {
			name = g.pick(firstNames) + "'s iPhone"
		}
		rs.attendee("", name, "", "")
	}
	slices.SortStableFunc(rs.rows, func(a, b *Participant) int {
		return cmp.Or(a.JoinTime.Compare(b.JoinTime), cmp.Compare(a.UserID, b.UserID))
	})
	in.Participants = rs.rows
}
