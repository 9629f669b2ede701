package pipelines

import (
	"fmt"
	"sync"
	"testing"
)

// TestRegister_progress: the progress hook is told after each answer, from
// the concurrent senders, up to every request sent.
func TestRegister_progress(t *testing.T) {
	t.Parallel()
	f := newRegFixture(t)
	var people []Person
	for i := range 20 {
		people = append(people, Person{Email: fmt.Sprintf("p%d@progress.example.com", i), FirstName: "P", LastName: fmt.Sprint(i)})
	}
	var mu sync.Mutex
	var seen []int
	res, err := Register(t.Context(), f.cfg, RegisterOptions{Webinar: fmt.Sprint(f.auto.ID), People: people,
		Progress: func(done, total int) {
			mu.Lock()
			defer mu.Unlock()
			if total != 20 {
				t.Errorf("progress total %d, want 20", total)
			}
			seen = append(seen, done)
		}})
	if err != nil || res.Sent != 20 {
		t.Fatalf("register: sent %v, %v", res, err)
	}
	if len(seen) != 20 {
		t.Fatalf("progress told %d times, want 20: %v", len(seen), seen)
	}
	for i, d := range seen {
		if d != i+1 {
			t.Errorf("progress calls %v: want 1..20 in order", seen)
			break
		}
	}
}
