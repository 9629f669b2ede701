package zoomtest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestGenerate_deterministic(t *testing.T) {
	t.Parallel()
	// cmp.Diff over ~10k rows takes seconds: compare JSON first, diff only on failure.
	enc := func(a *Account) string {
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	a, b := DemoAccount(7), DemoAccount(7)
	if enc(a) != enc(b) {
		t.Fatalf("same seed, different accounts (-first +second):\n%s", cmp.Diff(a, b))
	}
	if enc(a) == enc(DemoAccount(8)) {
		t.Fatal("seeds 7 and 8 yield the same account")
	}
	if enc(a) != enc(Generate(GenConfig{Seed: 7, Now: DefaultNow, Hosts: 3, People: 1500})) {
		t.Fatal("DemoAccount(7) differs from Generate with the defaults spelled out")
	}
}

func TestGenerate_invariants(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 2, 3, 42} {
		a := DemoAccount(seed)
		checkInvariants(t, seed, a)
	}
}

func checkInvariants(t *testing.T, seed int64, a *Account) {
	t.Helper()
	errorf := func(format string, args ...any) { t.Errorf("seed %d: "+format, append([]any{seed}, args...)...) }
	if a.ID != "demo-account" || !a.Now.Equal(DefaultNow) {
		errorf("account id %q now %v", a.ID, a.Now)
	}
	var licensed, basic, pending int
	for _, u := range a.Users {
		switch {
		case u.Status == "pending":
			pending++
			if u.ID != "" {
				errorf("pending user has id %q", u.ID)
			}
		case u.Type == 2:
			licensed++
		case u.Type == 1:
			basic++
		}
	}
	if licensed != 3 || basic != 1 || pending != 1 {
		errorf("users: %d licensed, %d basic, %d pending; want 3, 1, 1", licensed, basic, pending)
	}
	// ≈40 held instances, plus the 3 continuations of host drops and the
	// 3 Zoom Events webinars, all held.
	if n := a.HeldInstances(); n < 42 || n > 50 {
		errorf("%d held instances, want ≈46", n)
	}
	if n := len(a.Webinars) - len(a.EventWebinarIDs()); n < 12 || n > 17 {
		errorf("%d webinars besides those of Zoom Events, want 12-17", n)
	}
	if n := len(a.EventWebinarIDs()); n != 3 {
		errorf("%d Zoom Events webinars, want 3", n)
	}
	yearAgo := a.Now.AddDate(-1, 0, 0)
	var type9, type6, expired, old, simulive, noreg, upcoming int
	statuses := map[string]int{}
	persons := map[string]int{} // lower-cased trimmed email → webinars
	var regs, upper, spaces, invalid, rejoins, overlaps, waiting, guests, beforeStart, afterEnd, unregistered, hostRows int
	ids := map[int64]bool{}
	uuids := map[string]bool{}
	var slashStart, doubleSlash, slash bool
	for _, w := range a.Webinars {
		if ids[w.ID] || w.ID < 10_000_000_000 || w.ID > 99_999_999_999 {
			errorf("webinar id %d duplicate or not 11 digits", w.ID)
		}
		ids[w.ID] = true
		switch {
		case w.Type == 9 && len(w.Instances) >= 5:
			type9++
		case w.Type == 6 && len(w.Instances) >= 2:
			type6++
		}
		if w.Expired && len(w.Instances) > 0 && w.Instances[0].StartTime.After(yearAgo) {
			expired++
		}
		if len(w.Instances) > 0 && w.Instances[0].StartTime.Before(yearAgo) {
			old++
		}
		if w.IsSimulive {
			simulive++
		}
		if w.ApprovalType == 2 {
			noreg++
			if len(w.Registrants) != 0 {
				errorf("webinar %d without registration has registrants", w.ID)
			}
		}
		if w.StartTime.After(a.Now) {
			upcoming++
			if len(w.Instances) != 0 {
				errorf("upcoming webinar %d has instances", w.ID)
			}
		} else if !w.CreatedAt.Before(w.StartTime) {
			errorf("webinar %d created %v after its start %v", w.ID, w.CreatedAt, w.StartTime)
		}
		if !w.CreatedAt.Before(a.Now) {
			errorf("webinar %d created in the future", w.ID)
		}
		seen := map[string]bool{}
		regIDs := map[string]bool{}
		for _, r := range w.Registrants {
			regs++
			regIDs[r.ID] = true
			statuses[r.Status]++
			e := strings.ToLower(strings.TrimSpace(r.Email))
			if seen[e] {
				errorf("webinar %d: %s registered twice", w.ID, e)
			}
			seen[e] = true
			persons[e]++
			if r.Email != strings.ToLower(r.Email) {
				upper++
			}
			if r.Email != strings.TrimSpace(r.Email) {
				spaces++
			}
			if strings.Count(e, "@") != 1 || strings.HasSuffix(e, ".con") || !strings.Contains(e[strings.IndexByte(e, '@')+1:], ".") {
				invalid++
			}
			if !r.CreateTime.Before(a.Now) {
				errorf("registrant %s created in the future", r.ID)
			}
		}
		for _, in := range w.Instances {
			if uuids[in.UUID] {
				errorf("duplicate uuid %s", in.UUID)
			}
			uuids[in.UUID] = true
			slashStart = slashStart || strings.HasPrefix(in.UUID, "/")
			doubleSlash = doubleSlash || strings.Contains(in.UUID, "//")
			slash = slash || strings.Contains(in.UUID[1:], "/")
			if !in.EndTime.After(in.StartTime) || in.EndTime.After(a.Now) {
				errorf("instance %s span %v..%v", in.UUID, in.StartTime, in.EndTime)
			}
			rows := map[string][]*Participant{}
			for _, p := range in.Participants {
				if p.Duration != int(p.LeaveTime.Sub(p.JoinTime)/time.Second) || p.Duration <= 0 {
					errorf("row %s duration %d for %v..%v", p.UserID, p.Duration, p.JoinTime, p.LeaveTime)
				}
				if p.JoinTime.Before(in.StartTime) {
					beforeStart++
				}
				if p.LeaveTime.After(in.EndTime) {
					afterEnd++
				}
				if p.Status == "in_waiting_room" {
					waiting++
				}
				if p.Email == "" && p.ID == "" {
					guests++
				}
				if p.Email == w.HostEmail {
					hostRows++
				}
				if p.Email != "" && p.RegistrantID == "" && p.Email != w.HostEmail {
					unregistered++
				}
				if p.RegistrantID != "" {
					if !regIDs[p.RegistrantID] {
						errorf("row %s: unknown registrant %s", p.UserID, p.RegistrantID)
					}
					if p.Status == "in_meeting" {
						rows[p.RegistrantID] = append(rows[p.RegistrantID], p)
					}
				}
			}
			for _, rs := range rows {
				if len(rs) > 1 {
					rejoins++
					for i := 1; i < len(rs); i++ {
						if rs[i].JoinTime.Before(rs[i-1].LeaveTime) {
							overlaps++
						}
					}
				}
			}
		}
	}
	if type9 < 1 || type6 < 1 || expired < 1 || old < 1 || simulive < 1 || noreg < 1 || upcoming < 1 {
		errorf("special webinars: type9 %d type6 %d expired %d old %d simulive %d noreg %d upcoming %d; want ≥1 each",
			type9, type6, expired, old, simulive, noreg, upcoming)
	}
	multi := 0
	for _, n := range persons {
		if n > 1 {
			multi++
		}
	}
	if regs < 1500 || regs > 6000 {
		errorf("%d registrants, want a few thousand", regs)
	}
	for _, st := range []string{"approved", "pending", "denied"} {
		if statuses[st] == 0 {
			errorf("no %s registrant", st)
		}
	}
	if frac := float64(statuses["approved"]) / float64(regs); frac < 0.7 || frac > 0.92 {
		errorf("approved share %.2f", frac)
	}
	for name, n := range map[string]int{
		"persons on several webinars": multi, "upper-case emails": upper, "emails with spaces": spaces,
		"invalid emails": invalid, "rejoins": rejoins, "overlapping rejoins": overlaps, "waiting-room rows": waiting,
		"guest rows": guests, "rows before start": beforeStart, "rows after end": afterEnd,
		"unregistered attendees": unregistered, "host rows": hostRows,
	} {
		if n == 0 {
			errorf("no %s", name)
		}
	}
	if !slashStart || !doubleSlash || !slash {
		errorf("uuids: starting with / %v, containing // %v, containing / %v; want all", slashStart, doubleSlash, slash)
	}
	if testing.Verbose() {
		t.Logf("seed %d: %d webinars, %d instances, %d registrants (%v), %d persons on several webinars, upper %d spaces %d invalid %d, rejoins %d (overlap %d), waiting %d, guests %d, unregistered %d",
			seed, len(a.Webinars), a.HeldInstances(), regs, statuses, multi, upper, spaces, invalid, rejoins, overlaps, waiting, guests, unregistered)
	}
}

func TestGenerate_config(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	a := Generate(GenConfig{Seed: 1, Now: now, Hosts: 5, Webinars: 30, People: 300})
	if !a.Now.Equal(now) {
		t.Errorf("Now = %v, want %v", a.Now, now)
	}
	if got := len(a.Users); got != 7 {
		t.Errorf("%d users, want 5 hosts + basic + pending", got)
	}
	if got := len(a.Webinars); got != 30 {
		t.Errorf("%d webinars, want 30", got)
	}
	for _, w := range a.Webinars {
		for _, in := range w.Instances {
			if in.EndTime.After(now) {
				t.Errorf("instance %s ends after Now", in.UUID)
			}
		}
	}
	small := Generate(GenConfig{Seed: 1, Webinars: 3, People: 20})
	if got := len(small.Webinars); got != 3 {
		t.Errorf("%d webinars, want 3", got)
	}
}

// TestGenerate_scale: Scale 1 is the account it always was, Scale 2 begins with it, blocks
// keep ids, uuids and emails apart, and Scale 16 is the size issue 9 asks for.
func TestGenerate_scale(t *testing.T) {
	t.Parallel()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	one := DemoAccount(3)
	if enc(Generate(GenConfig{Seed: 3, Scale: 1})) != enc(one) {
		t.Fatal("Scale 1 differs from the demo account")
	}
	two := Generate(GenConfig{Seed: 3, Scale: 2})
	if enc(two.Webinars[:len(one.Webinars)]) != enc(one.Webinars) || enc(two.Users[:len(one.Users)]) != enc(one.Users) {
		t.Fatal("block 0 of Scale 2 differs from the demo account")
	}
	if enc(two) != enc(Generate(GenConfig{Seed: 3, Scale: 2})) {
		t.Fatal("Scale 2 not deterministic")
	}
	if len(two.Webinars) != 2*len(one.Webinars) || len(two.Users) != 2*len(one.Users) || len(two.Meetings) != 2*len(one.Meetings) {
		t.Errorf("Scale 2: %d webinars, %d users, %d meetings; want twice %d, %d, %d",
			len(two.Webinars), len(two.Users), len(two.Meetings), len(one.Webinars), len(one.Users), len(one.Meetings))
	}
	// Every block is a whole demo account, so the invariants hold block by block.
	second := &Account{ID: two.ID, Now: two.Now, Users: two.Users[len(one.Users):], Webinars: two.Webinars[len(one.Webinars):],
		Events: two.Events[len(one.Events):]}
	checkInvariants(t, 3, second)

	big := Generate(GenConfig{Seed: 1, Scale: 16})
	ids, uuids, users, emails := map[int64]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, u := range big.Users {
		if users[u.Email] {
			t.Errorf("user email %s twice", u.Email)
		}
		users[u.Email] = true
	}
	for _, w := range big.Webinars {
		if ids[w.ID] {
			t.Errorf("webinar id %d twice", w.ID)
		}
		ids[w.ID] = true
		for _, r := range w.Registrants {
			emails[strings.ToLower(strings.TrimSpace(r.Email))] = true
		}
		for _, in := range w.Instances {
			if uuids[in.UUID] {
				t.Errorf("instance uuid %s twice", in.UUID)
			}
			uuids[in.UUID] = true
			for _, p := range in.Participants {
				if p.Email != "" {
					emails[strings.ToLower(p.Email)] = true
				}
			}
		}
	}
	if n := big.HeldInstances(); n < 640 || n > 820 {
		t.Errorf("Scale 16: %d held instances, want about 16 × 46", n)
	}
	if n := len(emails); n < 18_000 || n > 24_000 {
		t.Errorf("Scale 16: %d distinct emails (contacts), want about 20,000", n)
	}
}
