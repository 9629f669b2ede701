package pipelines

import (
	"time"

	"github.com/zoomsync/zoomsync/transform"
)

// SessionGap is zoom.session_gap_minutes as a duration: how far apart (at
// most) the report spans of two instances of one webinar may be for them to
// form one session (transform.WithSessionGap); transform.DefaultSessionGap
// when the key is not set, 0 when stitching is off.
func (z *ZoomSettings) SessionGap() time.Duration {
	if z == nil || z.SessionGapMinutes == nil {
		return transform.DefaultSessionGap
	}
	return time.Duration(max(*z.SessionGapMinutes, 0)) * time.Minute
}
