package zoomtest

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"time"
)

// Host drops (issue 11): when the host's connection drops, Zoom ends the instance and
// starts another (new uuid, same webinar id) minutes later, and the attendees reconnect.
// genHostDrops adds a few such continuations after everything else, from a random stream of
// its own, so that the rest of the account is exactly what it was before they were added
// (the restarted webinar of genWebinars is a host drop too, from the start).

// hostDropsPerBlock is how many instances of each block of an account a host drop splits.
const hostDropsPerBlock = 3

// genHostDrops splits hostDropsPerBlock instances of recurring webinars (types 6 and 9, a
// different webinar each): the instance as generated is the part before the drop; a new
// instance (Instance.Resumes names the one it continues) starts two to eight minutes after
// its end and lasts ten to thirty-five minutes. Most of those in the meeting when it
// dropped reconnect, the host first; the continuation has a cloud recording when the
// instance has one. Only instances with an index of 3 or more and before the webinar's
// last, ended more than a week before Now, are split, so the instances tests find by
// position (first, third, last) and the recent ones the look-back reads again stay as
// they were.
func (g *gen) genHostDrops(acct *Account, seed uint64) {
	g.r = rand.New(rand.NewPCG(seed^0x686f737464726f70, seed+0x99))
	type candidate struct {
		w *Webinar
		k int
	}
	var cands []candidate
	for _, w := range acct.Webinars {
		if (w.Type != 6 && w.Type != 9) || w.Expired {
			continue
		}
		for k := 3; k < len(w.Instances)-1; k++ {
			in := w.Instances[k]
			if in.EndTime.Before(g.now.AddDate(0, 0, -7)) && len(attendees(in)) > 0 {
				cands = append(cands, candidate{w, k})
			}
		}
	}
	g.r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	split := map[*Webinar]bool{}
	users := map[string]*User{}
	for _, u := range acct.Users {
		if u.ID != "" {
			users[u.ID] = u
		}
	}
	for _, c := range cands {
		if len(split) == hostDropsPerBlock || split[c.w] {
			continue
		}
		split[c.w] = true
		next := g.continuation(c.w, c.w.Instances[c.k], users)
		c.w.Instances = slices.Insert(c.w.Instances, c.k+1, next)
	}
}

// continuation is the instance Zoom starts after the host's connection dropped in: the
// host and most of those present at the drop reconnect.
func (g *gen) continuation(w *Webinar, in *Instance, users map[string]*User) *Instance {
	start := in.EndTime.Add(g.secs(2*time.Minute, 8*time.Minute))
	next := &Instance{UUID: g.uuid(true), StartTime: start, EndTime: start.Add(g.secs(10*time.Minute, 35*time.Minute)),
		Resumes: in.UUID}
	g.joinSeq = 16778240 + g.r.IntN(1_000_000)
	rs := &rowSet{g: g, S: next.StartTime, E: next.EndTime}
	if host := users[w.HostID]; host != nil {
		rs.add(Participant{ID: host.ID, Name: host.DisplayName, Email: host.Email,
			JoinTime: start.Add(-g.secs(0, 30*time.Second)), LeaveTime: next.EndTime.Add(g.secs(0, time.Minute))})
	}
	for _, p := range presentAtDrop(in, w.HostID) {
		if !g.chance(0.85) {
			continue
		}
		join := start.Add(g.secs(5*time.Second, 3*time.Minute))
		leave := next.EndTime.Add(-g.secs(0, 2*time.Minute))
		if g.chance(0.2) {
			leave = g.between(join.Add(time.Minute), next.EndTime)
		}
		rs.add(Participant{ID: p.ID, Name: p.Name, Email: p.Email, RegistrantID: p.RegistrantID,
			JoinTime: join, LeaveTime: leave})
	}
	slices.SortStableFunc(rs.rows, func(a, b *Participant) int {
		return cmp.Or(a.JoinTime.Compare(b.JoinTime), cmp.Compare(a.UserID, b.UserID))
	})
	next.Participants = rs.rows
	if in.Recording != nil && w.AutoRecording == "cloud" {
		next.Recording = g.recording(w, next, users, recordingOpts{noTextFile: w.IsSimulive})
	}
	return next
}

// presentAtDrop lists who was in the meeting when in ended (an in-meeting row that had not
// left three minutes before the end), once each (by email, or by name without one), the
// host aside: the last such row of each.
func presentAtDrop(in *Instance, hostID string) []*Participant {
	var out []*Participant
	at := map[string]int{}
	for _, p := range in.Participants {
		if p.Status != "in_meeting" || (hostID != "" && p.ID == hostID) || p.LeaveTime.Before(in.EndTime.Add(-3*time.Minute)) {
			continue
		}
		key := "email:" + p.Email
		if p.Email == "" {
			key = "name:" + p.Name
		}
		if i, ok := at[key]; ok {
			out[i] = p
			continue
		}
		at[key] = len(out)
		out = append(out, p)
	}
	return out
}
