package zoomtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Engagement beyond attendance (issue 11): Q&A, polls, post-webinar surveys and
// registration tracking sources. genEngagement draws them after everything else, from a
// random stream of its own, and touches nothing the rest of the generator shares (ids,
// uuids, names, emails), so every other part of the account is exactly what it was before
// they were added.

// AnonymousAttendee is the name Zoom's Q&A and poll reports show for an anonymous
// participant.
const AnonymousAttendee = "Anonymous Attendee"

// LiveAnswered is the answer Zoom's Q&A report shows for a question answered live.
const LiveAnswered = "live answered"

// QAAsker is one entry of an instance's Q&A report: a participant and the questions they
// asked.
type QAAsker struct {
	Name      string // display name; AnonymousAttendee for an anonymous question
	Email     string // the participant's report email; "" for guests and anonymous askers
	Questions []QAQuestion
}

// QAQuestion is one question of the Q&A and its answer.
type QAQuestion struct {
	Question string
	Answer   string // "" when unanswered; LiveAnswered when answered live
}

// Poll is a poll launched in an instance.
type Poll struct {
	ID        string // polling_id
	Title     string
	Questions []PollQuestion
}

// PollQuestion is a question of a poll.
type PollQuestion struct {
	Name    string
	Type    string // single (one answer) or multiple (one or more)
	Answers []string
}

// PollResponse is one entry of an instance's poll report: a participant and every poll
// answer they gave.
type PollResponse struct {
	Name, FirstName, LastName string
	Email                     string // the participant's report email; "" for guests
	Answers                   []PollAnswer
}

// PollAnswer is a participant's answer to one poll question. The answer of a multiple
// choice question is the chosen answers, in the poll's order, joined by ";" (as Zoom's poll
// report shows them).
type PollAnswer struct {
	PollID   string
	Question string
	Answer   string
	Time     time.Time
}

// Survey is a webinar's post-webinar survey.
type Survey struct {
	ID        string
	Name      string
	Questions []SurveyQuestion
}

// SurveyQuestion is a question of a survey.
type SurveyQuestion struct {
	ID      string
	Name    string
	Type    string // single, multiple or long (free text)
	Answers []string
}

// SurveyResponse is one participant's answers to a webinar's survey after an instance.
type SurveyResponse struct {
	Name, FirstName, LastName string
	Email                     string
	Answers                   []SurveyAnswer
}

// SurveyAnswer is the answer to one survey question. Multiple choice: joined by ";".
type SurveyAnswer struct {
	QuestionID string
	Question   string
	Answer     string
	Time       time.Time
}

// TrackingSource is a registration tracking source of a webinar: a platform its
// registration link was shared on.
type TrackingSource struct {
	ID                string
	SourceName        string
	TrackingURL       string
	RegistrationCount int
	VisitorCount      int
}

var (
	qaQuestions = []string{
		"Will the slides be shared after the session?", "Does this integrate with our CRM?",
		"What does the pricing look like for small teams?", "Is there a free trial?",
		"How do you handle data retention?", "Can we self-host it?", "When is the next release?",
		"Is the recording available afterwards?", "How long does onboarding usually take?",
		"Do you support single sign-on?", "Can you show the dashboard again?",
	}
	qaAnswers = []string{
		"Yes, we will email them to every registrant.", "Yes, there is a native integration.",
		"Please see the pricing page; we will follow up by email.", "Yes, 30 days.",
		"Data is kept for 12 months by default.", "Not yet, it is on the roadmap.",
	}
	singlePolls = []PollQuestion{
		{Name: "How familiar are you with the topic?", Type: "single", Answers: []string{"Just starting", "Some experience", "Expert"}},
		{Name: "Would you like a follow-up demo?", Type: "single", Answers: []string{"Yes", "Not now"}},
		{Name: "What is your role?", Type: "single", Answers: []string{"Marketing", "Sales", "Engineering", "Other"}},
	}
	multiplePolls = []PollQuestion{
		{Name: "Which plans are you considering?", Type: "multiple", Answers: []string{"Starter", "Pro", "Enterprise"}},
		{Name: "Which features matter most to you?", Type: "multiple", Answers: []string{"Dashboards", "Integrations", "Security", "Automation"}},
	}
	pollTitles = map[string]string{
		"How familiar are you with the topic?": "Audience check", "Would you like a follow-up demo?": "Next steps",
		"What is your role?": "Audience check", "Which plans are you considering?": "Pricing poll",
		"Which features matter most to you?": "Interests",
	}
	surveyQuestions = []SurveyQuestion{
		{Name: "How satisfied were you with this webinar?", Type: "single", Answers: []string{"1", "2", "3", "4", "5"}},
		{Name: "Which topics would you like next?", Type: "multiple", Answers: []string{"Roadmap", "Best practices", "Customer stories", "Pricing"}},
		{Name: "Any other feedback?", Type: "long"},
	}
	surveyFeedback = []string{"Great session!", "Too short", "More demos please", "The audio was choppy", "Very clear, thanks"}
	sourceNames    = []string{"LinkedIn", "Newsletter", "Twitter", "Partner portal", "Company website", "Facebook"}
)

// genEngagement adds, drawing from a stream of its own: Q&A to about three in four held
// instances (one to eight askers among the attendees, a fifth of them anonymous; a
// question is answered in writing, answered live or left unanswered); two polls (a single
// and a multiple choice question) to about half of them, answered by some attendees; a
// post-webinar survey to about two in five webinars, answered by some attendees of each
// instance; and registration tracking sources to about three in five webinars that take
// registrations.
func (g *gen) genEngagement(acct *Account, seed uint64) {
	g.r = rand.New(rand.NewPCG(seed^0x656e676167656d65, seed+0x11))
	for _, w := range acct.Webinars {
		held := 0
		for _, in := range w.Instances {
			if !in.EndTime.After(g.now) {
				held++
			}
		}
		if held > 0 && g.chance(0.4) {
			w.Survey = g.survey()
		}
		for _, in := range w.Instances {
			if in.EndTime.After(g.now) {
				continue
			}
			att := attendees(in)
			if len(att) == 0 {
				continue
			}
			if g.chance(0.75) {
				in.QA = g.qa(att)
			}
			if len(att) >= 3 && g.chance(0.5) {
				in.Polls, in.PollResponses = g.polls(in, att)
			}
			if w.Survey != nil {
				in.SurveyResponses = g.surveyResponses(w.Survey, in, att)
			}
		}
		if w.ApprovalType != 2 && g.chance(0.6) {
			w.TrackingSources = g.trackingSources(w)
		}
	}
}

// attendee is one person in an instance: the first in-meeting row of each email (or, for
// guests without one, of each name).
type attendee struct{ name, email string }

func attendees(in *Instance) []attendee {
	var out []attendee
	seen := map[string]bool{}
	for _, p := range in.Participants {
		key := "email:" + p.Email
		if p.Email == "" {
			key = "name:" + p.Name
		}
		if p.Status != "in_meeting" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, attendee{name: p.Name, email: p.Email})
	}
	return out
}

// splitName splits a display name into first and last name at its first space.
func splitName(name string) (first, last string) {
	first, last, _ = strings.Cut(name, " ")
	return first, last
}

func (g *gen) qa(att []attendee) []*QAAsker {
	var out []*QAAsker
	for _, k := range g.r.Perm(len(att))[:1+g.r.IntN(min(8, len(att)))] {
		a := &QAAsker{Name: att[k].name, Email: att[k].email}
		if g.chance(0.2) {
			a.Name, a.Email = AnonymousAttendee, ""
		}
		for range 1 + g.r.IntN(2) {
			q := QAQuestion{Question: g.pick(qaQuestions)}
			switch x := g.r.Float64(); {
			case x < 0.55:
				q.Answer = g.pick(qaAnswers)
			case x < 0.7:
				q.Answer = LiveAnswered
			}
			a.Questions = append(a.Questions, q)
		}
		out = append(out, a)
	}
	return out
}

// polls launches a single choice poll in the first half of the instance and a multiple
// choice poll in the second; each attendee answers each poll or not, within two minutes.
func (g *gen) polls(in *Instance, att []attendee) ([]*Poll, []*PollResponse) {
	span := in.EndTime.Sub(in.StartTime)
	qs := []PollQuestion{singlePolls[g.r.IntN(len(singlePolls))], multiplePolls[g.r.IntN(len(multiplePolls))]}
	var polls []*Poll
	var launch []time.Time
	for k, q := range qs {
		polls = append(polls, &Poll{ID: g.zoomID()[:10], Title: pollTitles[q.Name], Questions: []PollQuestion{q}})
		frac := 0.2 + 0.5*float64(k) + 0.2*g.r.Float64()
		launch = append(launch, in.StartTime.Add(time.Duration(frac*float64(span/time.Second))*time.Second))
	}
	var resps []*PollResponse
	for _, a := range att {
		first, last := splitName(a.name)
		r := &PollResponse{Name: a.name, FirstName: first, LastName: last, Email: a.email}
		for k, p := range polls {
			if !g.chance(0.6 - 0.15*float64(k)) {
				continue
			}
			at := launch[k].Add(g.secs(5*time.Second, 2*time.Minute))
			if at.After(in.EndTime) {
				continue
			}
			q := p.Questions[0]
			r.Answers = append(r.Answers, PollAnswer{PollID: p.ID, Question: q.Name, Answer: g.choose(q), Time: at})
		}
		if len(r.Answers) > 0 {
			resps = append(resps, r)
		}
	}
	return polls, resps
}

// choose answers a choice question: one answer for single, a non-empty subset in the
// question's order joined by ";" for multiple.
func (g *gen) choose(q PollQuestion) string {
	if q.Type != "multiple" {
		return g.pick(q.Answers)
	}
	var picked []string
	for _, a := range q.Answers {
		if g.chance(0.4) {
			picked = append(picked, a)
		}
	}
	if len(picked) == 0 {
		picked = []string{g.pick(q.Answers)}
	}
	return strings.Join(picked, ";")
}

func (g *gen) survey() *Survey {
	s := &Survey{ID: g.zoomID(), Name: "Post-webinar survey"}
	for _, q := range surveyQuestions {
		q.ID = g.zoomID()[:12]
		s.Questions = append(s.Questions, q)
	}
	return s
}

// surveyResponses: about a third of the attendees answer the survey within twenty minutes
// of the end (never after Account.Now); the free-text question is often skipped.
func (g *gen) surveyResponses(s *Survey, in *Instance, att []attendee) []*SurveyResponse {
	var out []*SurveyResponse
	for _, a := range att {
		if !g.chance(0.35) {
			continue
		}
		at := in.EndTime.Add(g.secs(30*time.Second, 20*time.Minute))
		if at.After(g.now) {
			continue
		}
		first, last := splitName(a.name)
		r := &SurveyResponse{Name: a.name, FirstName: first, LastName: last, Email: a.email}
		for _, q := range s.Questions {
			var ans string
			switch q.Type {
			case "long":
				if g.chance(0.5) {
					continue
				}
				ans = g.pick(surveyFeedback)
			default:
				ans = g.choose(PollQuestion{Type: q.Type, Answers: q.Answers})
			}
			r.Answers = append(r.Answers, SurveyAnswer{QuestionID: q.ID, Question: q.Name, Answer: ans, Time: at})
		}
		out = append(out, r)
	}
	return out
}

// trackingSources shares the registration link on one to four platforms, which brought
// some of the webinar's registrations (at most 60% of them in all) and more visitors.
func (g *gen) trackingSources(w *Webinar) []TrackingSource {
	token := g.zoomID()
	names := slices.Clone(sourceNames)
	g.r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	left := g.r.IntN(len(w.Registrants)*6/10 + 1)
	var out []TrackingSource
	for k, name := range names[:1+g.r.IntN(4)] {
		regs := left
		if k < 3 {
			regs = g.r.IntN(left + 1)
		}
		left -= regs
		id := fmt.Sprintf("%013d", 1_000_000_000_000+g.r.Int64N(8_999_999_999_999))
		out = append(out, TrackingSource{ID: id, SourceName: name,
			TrackingURL:       "https://zoom.us/webinar/register/" + id + "/WN_" + token,
			RegistrationCount: regs, VisitorCount: regs*(2+g.r.IntN(4)) + g.r.IntN(40)})
	}
	return out
}
