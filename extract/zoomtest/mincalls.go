package zoomtest

// MinCalls is the fewest Zoom calls that fetch the account's data the way zoomsync does on
// a first run: one token; every page of every listing at page size 300 (the active users,
// each licensed host's webinars); per listed webinar its detail, panelists and past
// instances, and, when it takes registrants, its registration form and the approved,
// pending and denied registrant listings; per held instance its report, and, unless the
// report is older than a year (400/12702, nothing else fetched), its participants and
// (with registration) absentees; when anybody attended, its recording (404/3301 when
// none) and the two requests (download, signed URL) of each ready TRANSCRIPT or CC file.
//
// It is computed from the account alone, so it is a second model of the extraction: a run
// that makes more calls than this, 429s aside, wastes quota.
func MinCalls(a *Account) int {
	n := 1 // token
	active := 0
	for _, u := range a.Users {
		if u.Status == "active" {
			active++
		}
	}
	n += pages300(active)
	for _, u := range a.Users {
		if u.Status != "active" || u.Type != 2 {
			continue
		}
		listed := 0
		for _, w := range a.Webinars {
			if w.HostID != u.ID || w.Expired {
				continue
			}
			listed++
			n += webinarCalls(a, w)
		}
		n += pages300(listed)
	}
	return n
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
	attended := false
	for _, p := range in.Participants {
		attended = attended || p.Status == "in_meeting"
	}
	if !attended {
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
