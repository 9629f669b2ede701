package zoomtest

import "slices"

// MinCalls is the fewest Zoom calls that fetch the account's data the way zoomsync does on
// a first run: one token; every page of every listing at page size 300 (the active users,
// each licensed host's webinars); the Zoom Events lookup (ZoomEventsCalls); per listed
// webinar that is not a Zoom Events webinar its detail, panelists and past
// instances, and, when it takes registrants, its registration form and the approved,
// pending and denied registrant listings; per held instance its report, and, unless the
// report is older than a year (400/12702, nothing else fetched), its participants and
// (with registration) absentees; when anybody attended, its recording (404/3301 when
// none) and the two requests (download, signed URL) of each ready TRANSCRIPT or CC file.
//
// It is computed from the account alone, so it is a second model of the extraction: a run
// that makes more calls than this, 429s aside, wastes quota. EngagementCalls counts the
// calls of the engagement streams apart.
func MinCalls(a *Account) int {
	n := 1 // token
	active := 0
	for _, u := range a.Users {
		if u.Status == "active" {
			active++
		}
	}
	n += pages300(active)
	events := a.EventWebinarIDs()
	anyListed := false
	for _, u := range a.Users {
		if u.Status != "active" || u.Type != 2 {
			continue
		}
		listed := listedWebinars(a, u)
		for _, w := range listed {
			if !events[w.ID] {
				n += webinarCalls(a, w)
			}
		}
		n += pages300(len(listed))
		anyListed = anyListed || len(listed) > 0
	}
	if anyListed {
		n += ZoomEventsCalls(a)
	}
	return n
}

// ZoomEventsCalls is what telling the webinars created in Zoom Events apart costs, once per
// webinar id (MinCalls counts it when any webinar is listed): every page of the upcoming, the
// past and the draft events (GET /zoom_events/events, three listings), and the sessions of
// each event (not paginated). A Zoom Events webinar costs nothing else: no detail, registrants,
// instances or reports. An account whose app lacks the scope answers the first listing with
// 400/4711 and costs that one call.
func ZoomEventsCalls(a *Account) int {
	if a.NoZoomEventsScope {
		return 1
	}
	by := map[string]int{}
	for _, e := range a.Events {
		by[eventStatus(e, a.Now)]++
	}
	return pages300(by["upcoming"]) + pages300(by["past"]) + pages300(by["draft"]) + by["upcoming"] + by["past"] + by["draft"]
}

// EngagementCalls is the fewest calls the engagement streams of issue 11 add to MinCalls
// (a separate count, so MinCalls stays the minimum of the streams before them), for the
// webinars MinCalls fetches: per listed webinar that takes registrants, its tracking
// sources (one call, not paginated); per held instance whose report is not too old (the
// instance report answered 12702 otherwise) and that anybody attended (an in-meeting row
// in its participants report), its Q&A, poll and survey reports (one call each, not
// paginated).
//
// None of these can be skipped on what the extractor knows beforehand. The reports take an
// instance uuid or a webinar id, and the id reads the latest instance only, so each
// instance costs its own three calls. Nothing says in advance whether an instance had Q&A,
// polls or survey answers: settings.question_and_answer.enable says only that Q&A was
// possible (it is on for every generated webinar), and settings.post_webinar_survey is
// about an external survey link, not Zoom's own survey. But nobody asks, answers a poll or
// a survey in an instance nobody attended, which the participants report (fetched before)
// says, so such an instance costs none of the three, as it costs no recording call. A
// webinar without registration has no tracking sources (Zoom's prerequisite), so its call
// is skipped.
func EngagementCalls(a *Account) int {
	n := 0
	for _, u := range a.Users {
		if u.Status != "active" || u.Type != 2 {
			continue
		}
		events := a.EventWebinarIDs()
		for _, w := range listedWebinars(a, u) {
			if events[w.ID] {
				continue // skipped: a Zoom Events webinar
			}
			if w.ApprovalType != 2 {
				n++ // tracking sources
			}
			for _, in := range w.Instances {
				if a.Now.Sub(in.EndTime).Hours() <= 365*24 && attended(in) {
					n += 3 // Q&A, polls, survey
				}
			}
		}
	}
	return n
}

// listedWebinars are the webinars GET /users/{userId}/webinars lists for host u: its
// webinars that have not expired.
func listedWebinars(a *Account, u *User) []*Webinar {
	var out []*Webinar
	for _, w := range a.Webinars {
		if w.HostID == u.ID && !w.Expired {
			out = append(out, w)
		}
	}
	return out
}

// pages300 is how many pages a listing of n items takes at page size 300 (one when empty).
func pages300(n int) int { return max(1, (n+299)/300) }

// webinarCalls counts the calls of one listed webinar and its held instances (MinCalls).
func webinarCalls(a *Account, w *Webinar) int {
	n := 3 // detail, panelists, past instances
	registration := w.ApprovalType != 2
	if registration {
		by := map[string]int{}
		for _, r := range w.Registrants {
			by[r.Status]++
		}
		n += 1 + pages300(by["approved"]) + pages300(by["pending"]) + pages300(by["denied"]) // form, listings
	}
	for _, in := range w.Instances {
		n++ // report
		if a.Now.Sub(in.EndTime).Hours() > 365*24 {
			continue // 12702: nothing else
		}
		n += pages300(len(in.Participants))
		if registration {
			n += pages300(len(Absentees(w, in)))
		}
		n += instanceFileCalls(in)
	}
	return n
}

// instanceFileCalls counts the recording call of an instance anybody attended and the two
// requests of each of its ready transcript or caption files (MinCalls).
func instanceFileCalls(in *Instance) int {
	if !attended(in) {
		return 0
	}
	n := 1 // recording (404/3301 when none)
	if in.Recording != nil && in.Recording.DeletedTime.IsZero() {
		for _, f := range in.Recording.Files {
			if (f.FileType == "TRANSCRIPT" || f.FileType == "CC") && f.Status != "processing" {
				n += 2
			}
		}
	}
	return n
}

// attended reports whether anybody attended in: an in-meeting row in its participants
// report (waiting-room rows do not count).
func attended(in *Instance) bool {
	return slices.ContainsFunc(in.Participants, func(p *Participant) bool { return p.Status == "in_meeting" })
}
