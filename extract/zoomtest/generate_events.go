package zoomtest

import (
	"math/rand/v2"
	"time"
)

// genZoomEvents adds the demo set's Zoom Events: a single-session event whose webinar was
// held 25 days before Now, and a conference with a webinar session held 4 days before Now,
// one coming in 6 days and a meeting session. Their three webinars are listed by
// GET /users/{userId}/webinars with registrants and attendees like any other (drawn from
// the same pool of people), so a sync that did not skip them would count them; nothing but
// the Zoom Events API says they belong to an event. It draws from a random stream of its
// own, after everything else exists, so no other figure of the account changed when it was
// added.
func (g *gen) genZoomEvents(acct *Account, seed uint64) {
	g.r = rand.New(rand.NewPCG(seed^0x7a6f6f6d6576656e, seed+0x2e))
	hub := g.zoomID()
	single := g.webinar(webinarPlan{kind: "event", typ: 5, held: 1, firstAgo: 25, approval: 0,
		regs: [2]int{60, 120}, attend: 0.6}, g.hosts[0])
	held := g.webinar(webinarPlan{kind: "event", typ: 5, held: 1, firstAgo: 4, approval: 1,
		regs: [2]int{60, 120}, attend: 0.5}, g.hosts[1%len(g.hosts)])
	coming := g.webinar(webinarPlan{kind: "event", typ: 5, approval: 0, regs: [2]int{20, 40},
		upcomingI: 6 * 24 * time.Hour}, g.hosts[1%len(g.hosts)])
	single.Topic, held.Topic, coming.Topic = "Customer Summit 2026", "Partner Day: Keynote", "Partner Day: Roadmap"
	session := func(w *Webinar) EventSession {
		end := w.StartTime.Add(time.Duration(w.Duration) * time.Minute)
		return EventSession{ID: g.zoomID(), Name: w.Topic, Type: 2, WebinarID: w.ID, StartTime: w.StartTime, EndTime: end}
	}
	e1 := &ZoomEvent{ID: g.zoomID(), HubID: hub, Name: single.Topic, Type: "SIMPLE_EVENT", Status: "PUBLISHED",
		HostID: single.HostID, Timezone: single.Timezone, Sessions: []EventSession{session(single)}}
	lounge := held.StartTime.Add(2 * time.Hour)
	e2 := &ZoomEvent{ID: g.zoomID(), HubID: hub, Name: "Partner Day", Type: "CONFERENCE", Status: "PUBLISHED",
		HostID: held.HostID, Timezone: held.Timezone, Sessions: []EventSession{
			session(held),
			{ID: g.zoomID(), Name: "Partner Day: Networking", Type: 0, MeetingID: g.webinarID(),
				StartTime: lounge, EndTime: lounge.Add(time.Hour)},
			session(coming),
		}}
	for _, e := range []*ZoomEvent{e1, e2} {
		e.StartTime, e.EndTime = e.Sessions[0].StartTime, e.Sessions[0].EndTime
		for _, s := range e.Sessions {
			if s.EndTime.After(e.EndTime) {
				e.EndTime = s.EndTime
			}
		}
	}
	acct.Webinars = append(acct.Webinars, single, held, coming)
	acct.Events = append(acct.Events, e1, e2)
}
