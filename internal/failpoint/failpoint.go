// Package failpoint lets a test crash the process at a named point, to prove
// that a run killed anywhere leaves state the next run completes.
//
// ZOOMSYNC_CRASH_AT=<name>[:<n>] makes the process SIGKILL itself the n-th
// time (default the first) it reaches Hit(name). The variable is read once;
// when it is unset, Hit is a comparison with an empty string.
package failpoint

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// EnvVar names the variable that arms a crash point.
const EnvVar = "ZOOMSYNC_CRASH_AT"

var (
	once    sync.Once
	armed   string // the point's name; "" when none is armed
	nth     int64  = 1
	reached atomic.Int64
)

func load() {
	spec := os.Getenv(EnvVar)
	name, count, ok := strings.Cut(spec, ":")
	if ok {
		n, err := strconv.ParseInt(count, 10, 64)
		if err != nil || n < 1 {
			return // a malformed spec arms nothing
		}
		nth = n
	}
	armed = name
}

// Hit marks the point name; the process kills itself there when the
// environment armed it and this is the armed occurrence.
func Hit(name string) {
	once.Do(load)
	if armed == "" || name != armed {
		return
	}
	if reached.Add(1) == nth {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // the signal is on its way
	}
}
