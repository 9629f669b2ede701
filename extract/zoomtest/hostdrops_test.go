package zoomtest

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// TestGenerate_hostDrops: each block of an account has hostDropsPerBlock continuations of
// recurring webinars, besides the restarted webinar's second instance: each resumes the
// instance before it in its webinar two to eight minutes after that one ended, and some of
// its attendees reconnect. Without them (noHostDrops) the account is exactly the same, the
// continuations aside.
func TestGenerate_hostDrops(t *testing.T) {
	t.Parallel()
	for _, cfg := range []GenConfig{{Seed: 1}, {Seed: 42}, {Seed: 5, Scale: 2}} {
		a := Generate(cfg)
		added, restarted := 0, 0
		var continuations []string
		for _, w := range a.Webinars {
			for k, in := range w.Instances {
				if in.Resumes == "" {
					continue
				}
				if k == 0 || w.Instances[k-1].UUID != in.Resumes {
					t.Fatalf("%+v: instance %s resumes %s, which is not the instance before it", cfg, in.UUID, in.Resumes)
				}
				prev := w.Instances[k-1]
				if gap := in.StartTime.Sub(prev.EndTime); gap < 2*time.Minute || gap > 8*time.Minute {
					t.Errorf("%+v: %s starts %v after the instance it resumes ended", cfg, in.UUID, gap)
				}
				if w.Type == 5 {
					restarted++
					continue
				}
				added++
				continuations = append(continuations, in.UUID)
				if shared := reconnected(prev, in); shared == 0 {
					t.Errorf("%+v: nobody with an email reconnected to %s", cfg, in.UUID)
				}
			}
		}
		blocks := max(cfg.Scale, 1)
		if added != hostDropsPerBlock*blocks || restarted != blocks {
			t.Errorf("%+v: %d host drops and %d restarted webinars, want %d and %d", cfg, added, restarted, hostDropsPerBlock*blocks, blocks)
		}
		cfg.noHostDrops = true
		without := Generate(cfg)
		for _, w := range a.Webinars {
			w.Instances = slices.DeleteFunc(w.Instances, func(in *Instance) bool { return slices.Contains(continuations, in.UUID) })
		}
		if accountJSON(t, a) != accountJSON(t, without) {
			t.Errorf("%+v: the host drops changed the rest of the account", cfg)
		}
	}
}

// reconnected counts the emails in the meeting in both instances.
func reconnected(a, b *Instance) int {
	in := map[string]bool{}
	for _, p := range a.Participants {
		if p.Email != "" && p.Status == "in_meeting" {
			in[p.Email] = true
		}
	}
	n := 0
	for _, p := range b.Participants {
		if in[p.Email] {
			n++
			in[p.Email] = false
		}
	}
	return n
}

func accountJSON(t *testing.T, a *Account) string {
	t.Helper()
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
