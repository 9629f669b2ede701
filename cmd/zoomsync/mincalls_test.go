//go:build duckdb_arrow

package main

import "github.com/zoomsync/zoomsync/extract/zoomtest"

// minimumZoomCalls is the fewest Zoom calls that fetch the account's data
// the way zoomsync does on a first run: one token, every page of every
// listing at page size 300; per listed webinar its detail, registration form
// (when it takes registrants), panelists and past instances; per held
// instance its report, participants and absentees, and, when anybody
// attended, its recording and the two requests (download, signed URL) of
// each ready transcript or caption file.
func minimumZoomCalls(a *zoomtest.Account) int {
	pages := func(n int) int { return max(1, (n+299)/300) }
	n := 1 // token
	active := 0
	for _, u := range a.Users {
		if u.Status == "active" {
			active++
		}
	}
	n += pages(active)
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
			n += 3 // detail, panelists, past instances
			registration := w.ApprovalType != 2
			if registration {
				by := map[string]int{}
				for _, r := range w.Registrants {
					by[r.Status]++
				}
				n += 1 + pages(by["approved"]) + pages(by["pending"]) + pages(by["denied"]) // form, listings
			}
			for _, in := range w.Instances {
				n++ // report
				if a.Now.Sub(in.EndTime).Hours() > 365*24 {
					continue // 12702: nothing else
				}
				n += pages(len(in.Participants))
				if registration {
					n += pages(len(zoomtest.Absentees(w, in)))
				}
				attended := false
				for _, p := range in.Participants {
					attended = attended || p.Status == "in_meeting"
				}
				if !attended {
					continue
				}
				n++ // recording (404/3301 when none)
				if in.Recording != nil && in.Recording.DeletedTime.IsZero() {
					for _, f := range in.Recording.Files {
						if (f.FileType == "TRANSCRIPT" || f.FileType == "CC") && f.Status != "processing" {
							n += 2
						}
					}
				}
			}
		}
		n += pages(listed)
	}
	return n
}
