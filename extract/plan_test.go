package extract

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"

	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/schema"
)

// TestPlan checks the planning step alone: no call, only the listing and
// the State decide the tasks.
func TestPlan(t *testing.T) {
	t.Parallel()
	host := schema.User{ID: "h1", Email: "h1@example.com", Type: zoom.UserTypeLicensed}
	listing := &listing{
		emails: map[string]string{"h1": "h1@example.com", "h2": "h2@example.com"},
		webinars: []listedWebinar{
			{host: host, w: &zoom.Webinar{ID: 11}},
			{host: host, w: &zoom.Webinar{ID: 12}},
		},
		found: []foundInstance{
			{webinarID: 12, hostID: "h1", ref: instanceRef{UUID: "u12"}}, // listed too: joins its task
			{webinarID: 13, hostID: "h2", ref: instanceRef{UUID: "u13a"}},
			{webinarID: 13, hostID: "h2", ref: instanceRef{UUID: "u13b"}},
		},
	}
	// 11 and 14 were fetched before; 14 is no longer listed.
	state := NewState(nil)
	for _, id := range []int64{11, 14} {
		b, _ := json.Marshal(webinarFacts{HostID: "h3", HostEmail: "h3@example.com", Listed: true})
		state.Set(Stage{"webinar", strconv.FormatInt(id, 10), StageDetail}, StageState{Status: StatusDone, Detail: string(b)})
	}
	ids := func(ts []*task) []int64 {
		var out []int64
		for _, t := range ts {
			out = append(out, t.id)
		}
		return out
	}

	r := &run{state: state}
	got := r.plan(listing)
	if want := []int64{11, 12, 13, 14}; !slices.Equal(ids(got), want) {
		t.Fatalf("planned %v, want %v", ids(got), want)
	}
	byID := map[int64]*task{}
	for _, tk := range got {
		byID[tk.id] = tk
		if tk.forced {
			t.Errorf("task %d forced without Only", tk.id)
		}
	}
	if tk := byID[11]; tk.listed == nil || tk.hostID != "h1" || len(tk.found) != 0 {
		t.Errorf("task 11 = %+v, want listed by h1, nothing found", tk)
	}
	if tk := byID[12]; tk.listed == nil || len(tk.found) != 1 || tk.found[0].UUID != "u12" {
		t.Errorf("task 12 = %+v, want listed with the backfill's instance", tk)
	}
	if tk := byID[13]; tk.listed != nil || tk.hostEmail != "h2@example.com" || len(tk.found) != 2 {
		t.Errorf("task 13 = %+v, want unlisted, host h2, two instances found", tk)
	}
	if tk := byID[14]; tk.listed != nil || tk.hostID != "h3" || tk.hostEmail != "h3@example.com" {
		t.Errorf("task 14 = %+v, want unlisted with the host the State remembers", tk)
	}

	r = &run{state: state, cfg: Config{Only: []int64{99, 12}}}
	got = r.plan(listing)
	if want := []int64{99, 12}; !slices.Equal(ids(got), want) {
		t.Fatalf("planned %v with Only, want %v", ids(got), want)
	}
	if !got[0].forced || !got[1].forced || got[0].listed != nil || got[1].listed == nil {
		t.Errorf("Only tasks = %+v, %+v; want both forced, 12 still listed", got[0], got[1])
	}
}
