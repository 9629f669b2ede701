package pipelines

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zoomsync/zoomsync/extract"
)

// instancesOf returns the uuids of the instances the lake holds of each
// webinar (raw_webinar_instances); a lake without them has none.
func instancesOf(ctx context.Context, db *sql.DB, webinars []int64) map[int64][]string {
	out := map[int64][]string{}
	if len(webinars) == 0 {
		return out
	}
	ids := make([]string, len(webinars))
	for i, id := range webinars {
		ids[i] = strconv.FormatInt(id, 10)
	}
	rows, err := db.QueryContext(ctx, `SELECT DISTINCT webinar_id, uuid FROM raw_webinar_instances WHERE webinar_id IN (`+strings.Join(ids, ", ")+`)`)
	if err != nil {
		return out // no instance was ever fetched: no view yet
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var uuid string
		if rows.Scan(&id, &uuid) == nil {
			out[id] = append(out[id], uuid)
		}
	}
	return out
}

// refreshStages makes the stages of the given webinars (every stage when
// none is given) due again, whatever their settle time (--full-refresh),
// and returns how many: a settled stage reads as fetched before it settled,
// so the run fetches it once more; the detail of a webinar asked for by id
// is marked lost, the one way the extractor fetches a listed webinar's
// detail again when its listing did not change. (Other details are left
// as they are: a webinar the run does not visit, say one the settings
// skip, would stay lost and block the transform.)
func refreshStages(state *extract.State, only []int64, instances map[int64][]string) int {
	n := 0
	for _, st := range stagesOf(state, only, instances) {
		v, _ := state.Get(st)
		switch {
		case st.Name == extract.StageDetail && len(only) > 0:
			state.MarkLost(st)
		case v.Status == extract.StatusDone || v.Status == extract.StatusMissing:
			v.FetchedAt = v.SettleAfter.Add(-time.Microsecond)
			state.Set(st, v)
		default:
			continue // due already, or never to be had (unavailable)
		}
		n++
	}
	return n
}

// stagesOf lists the known stages of the webinars (all when only is empty):
// the webinar's own and those of its instances.
func stagesOf(state *extract.State, only []int64, instances map[int64][]string) []extract.Stage {
	var out []extract.Stage
	objects := map[extract.Stage]bool{}
	if len(only) == 0 {
		return state.Stages()
	}
	for _, id := range only {
		objects[extract.Stage{Object: "webinar", ID: strconv.FormatInt(id, 10)}] = true
		for _, u := range instances[id] {
			objects[extract.Stage{Object: "instance", ID: u}] = true
		}
	}
	for _, st := range state.Stages() {
		if objects[extract.Stage{Object: st.Object, ID: st.ID}] {
			out = append(out, st)
		}
	}
	return out
}

// settledNotices says, for each webinar asked for with --webinar of which
// the run fetched nothing, why: every stage of it had settled.
func settledNotices(state *extract.State, only []int64, instances map[int64][]string) []string {
	changed := state.Changes()
	var out []string
	for _, id := range only {
		fetched := false
		for _, st := range stagesOf(state, []int64{id}, instances) {
			if _, ok := changed[st]; ok {
				fetched = true
				break
			}
		}
		if !fetched && len(stagesOf(state, []int64{id}, instances)) > 0 {
			out = append(out, fmt.Sprintf("webinar %d: nothing fetched: every stage of it (%d instances) was fetched after Zoom stopped changing it; --full-refresh fetches it again",
				id, len(instances[id])))
		}
	}
	slices.Sort(out)
	return out
}
