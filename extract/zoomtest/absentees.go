package zoomtest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// --- GET /past_webinars/{webinarId}/absentees ---

// Absentees returns the absentees of an instance as GET /past_webinars/{webinarId}/absentees
// serves them: the webinar's approved registrants with no in_meeting participant row in
// the instance, matched by registrant_id, then by lower-cased, trimmed email. Registrants
// keep the webinar's order.
func Absentees(w *Webinar, in *Instance) []*Registrant {
	ids, emails := map[string]bool{}, map[string]bool{}
	for _, p := range in.Participants {
		if p.Status != "in_meeting" {
			continue
		}
		if p.RegistrantID != "" {
			ids[p.RegistrantID] = true
		}
		if e := strings.ToLower(strings.TrimSpace(p.Email)); e != "" {
			emails[e] = true
		}
	}
	var out []*Registrant
	for _, r := range w.Registrants {
		if r.Status != "approved" || ids[r.ID] || emails[strings.ToLower(strings.TrimSpace(r.Email))] {
			continue
		}
		out = append(out, r)
	}
	return out
}

// listAbsentees implements GET /past_webinars/{webinarId}/absentees: id → latest ended
// instance, or an instance uuid (double-encoded); paginated like registrants. An
// occurrence_id that is not one of the webinar's answers 400/300; a valid one selects the
// instance held for that occurrence. Webinars without registration answer 400/3000.
// Expired webinars are served (past_webinars endpoints outlive the webinar).
func (s *Server) listAbsentees(c *call) (int, any) {
	s.reg.mu.RLock() // POST /webinars/{webinarId}/registrants appends to Registrants
	defer s.reg.mu.RUnlock()
	w, in, st, eb := s.findEndedInstance(c.params["webinarId"])
	if st != 0 {
		return st, eb
	}
	if occ := c.query("occurrence_id"); occ != "" {
		var found *Occurrence
		for i := range w.Occurrences {
			if w.Occurrences[i].ID == occ {
				found = &w.Occurrences[i]
			}
		}
		if found == nil {
			return apiErr(http.StatusBadRequest, 300, "The request could not be completed because you have provided an invalid occurrence ID: %s", occ)
		}
		in = nil
		for _, x := range w.Instances {
			if d := x.StartTime.Sub(found.StartTime); d > -time.Hour && d < time.Hour && !x.EndTime.After(s.acct.Now) {
				in = x
			}
		}
		if in == nil {
			return apiErr(http.StatusNotFound, 3001, "Meeting ID is invalid or not end.")
		}
	}
	if w.ApprovalType == 2 {
		return apiErr(http.StatusBadRequest, 3000, "This Webinar has not registration required: %s", in.UUID)
	}
	list := Absentees(w, in)
	lo, hi, env, st, eb := s.page(c, "absentees|"+strconv.FormatInt(w.ID, 10)+"|"+in.UUID, len(list))
	if st != 0 {
		return st, eb
	}
	out := registrantsPage{pageParams: env, Registrants: []registrantJSON{}}
	for _, r := range list[lo:hi] {
		out.Registrants = append(out.Registrants, registrantToJSON(r))
	}
	return http.StatusOK, out
}
