package zoomtest

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"
)

// --- GET /report/users/{userId}/meetings ---

type reportMeetingJSON struct {
	UUID              string `json:"uuid"`
	ID                int64  `json:"id"`
	Type              int    `json:"type"`
	Topic             string `json:"topic"`
	UserName          string `json:"user_name"`
	UserEmail         string `json:"user_email"`
	StartTime         string `json:"start_time"`
	EndTime           string `json:"end_time"`
	Duration          int    `json:"duration"`
	TotalMinutes      int    `json:"total_minutes"`
	ParticipantsCount int    `json:"participants_count"`
	Source            string `json:"source"`
	HasRecording      bool   `json:"has_recording"`
}

type reportMeetingsPage struct {
	pageParams
	From     string              `json:"from"`
	To       string              `json:"to"`
	Meetings []reportMeetingJSON `json:"meetings"`
}

// uniqueAttendees counts the distinct people among an instance's in_meeting rows (by
// registrant id, Zoom user id, email, else per-join id).
func uniqueAttendees(in *Instance) int {
	seen := map[string]bool{}
	for _, p := range in.Participants {
		if p.Status != "in_meeting" {
			continue
		}
		seen[cmp.Or(p.RegistrantID, p.ID, strings.ToLower(p.Email), "join:"+p.UserID)] = true
	}
	return len(seen)
}

// listUserMeetingsReport implements GET /report/users/{userId}/meetings: the user's ended
// webinar instances (expired webinars included: this is how past webinars that
// /users/{userId}/webinars no longer lists are found) and plain meetings (type 2) whose start
// date (UTC) lies in [from, to], with at least two unique participants, oldest first.
// type=past (default) and pastOne list what the user hosted; pastJoined adds the instances
// the user joined as a participant (panelist).
//
// Window rules, relative to Account.Now: from and to are required yyyy-mm-dd dates (else
// 400/300 Validation Failed); to before from, or to more than one month after from → 400/300;
// from earlier than one year before today → 400/12702 (sim choice, as the webinar reports);
// from earlier than six months before today → 400/300 "The date range can only be within the
// last 6 months." (documented window; Zoom's exact message unverified).
func (s *Server) listUserMeetingsReport(c *call) (int, any) {
	raw, u := s.pathUser(c)
	if u == nil || u.ID == "" {
		return apiErr(http.StatusNotFound, 1001, "User %s not exist or not belong to this account.", raw)
	}
	typ := c.query("type")
	switch typ {
	case "":
		typ = "past"
	case "past", "pastOne", "pastJoined":
	default:
		return validationFailed("type")
	}
	from, err := time.Parse(time.DateOnly, c.query("from"))
	if err != nil {
		return validationFailed("from")
	}
	to, err := time.Parse(time.DateOnly, c.query("to"))
	if err != nil {
		return validationFailed("to")
	}
	today := s.acct.Now.UTC().Truncate(24 * time.Hour)
	switch {
	case to.Before(from):
		return apiErr(http.StatusBadRequest, 300, "The end date must be later than the start date.")
	case to.After(from.AddDate(0, 1, 0)):
		return apiErr(http.StatusBadRequest, 300, "The date range should only be one month.")
	case from.Before(today.AddDate(-1, 0, 0)):
		return apiErr(http.StatusBadRequest, 12702, "Can not access a meeting a year ago.")
	case from.Before(today.AddDate(0, -6, 0)):
		return apiErr(http.StatusBadRequest, 300, "The date range can only be within the last 6 months.")
	}
	end := to.AddDate(0, 0, 1)
	inWindow := func(t time.Time) bool { return !t.Before(from) && t.Before(end) }

	var list []reportMeetingJSON
	for _, w := range s.acct.Webinars {
		for _, in := range w.Instances {
			if in.EndTime.After(s.acct.Now) || !inWindow(in.StartTime) || uniqueAttendees(in) < 2 {
				continue
			}
			joined := false
			if typ == "pastJoined" {
				joined = slices.ContainsFunc(in.Participants, func(p *Participant) bool { return p.ID == u.ID })
			}
			if w.HostID != u.ID && !joined {
				continue
			}
			j := reportMeetingJSON{
				UUID: in.UUID, ID: w.ID, Type: w.Type, Topic: w.Topic, UserEmail: w.HostEmail,
				StartTime: zt(in.StartTime), EndTime: zt(in.EndTime), Source: "Zoom",
				Duration:     int(in.EndTime.Sub(in.StartTime).Round(time.Minute) / time.Minute),
				HasRecording: in.Recording != nil && in.Recording.DeletedTime.IsZero(),
			}
			if host := s.acct.User(w.HostID); host != nil {
				j.UserName = host.DisplayName
			}
			secs := 0
			for _, p := range in.Participants {
				if p.Status == "in_meeting" {
					j.ParticipantsCount++
					secs += p.Duration
				}
			}
			j.TotalMinutes = secs / 60
			list = append(list, j)
		}
	}
	for _, m := range s.acct.Meetings {
		if m.HostID != u.ID || m.EndTime.After(s.acct.Now) || !inWindow(m.StartTime) || m.ParticipantsCount < 2 {
			continue
		}
		list = append(list, reportMeetingJSON{
			UUID: m.UUID, ID: m.ID, Type: m.Type, Topic: m.Topic, UserName: u.DisplayName, UserEmail: u.Email,
			StartTime: zt(m.StartTime), EndTime: zt(m.EndTime), Source: "Zoom",
			Duration:     int(m.EndTime.Sub(m.StartTime) / time.Minute),
			TotalMinutes: m.TotalMinutes, ParticipantsCount: m.ParticipantsCount,
		})
	}
	slices.SortStableFunc(list, func(a, b reportMeetingJSON) int { return strings.Compare(a.StartTime, b.StartTime) })

	lo, hi, env, st, eb := s.page(c, "user_meetings|"+u.ID+"|"+c.query("from")+"|"+c.query("to")+"|"+typ, len(list))
	if st != 0 {
		return st, eb
	}
	out := reportMeetingsPage{pageParams: env, From: c.query("from"), To: c.query("to"), Meetings: []reportMeetingJSON{}}
	out.Meetings = append(out.Meetings, list[lo:hi]...)
	return http.StatusOK, out
}
