// Command zoomsync moves Zoom webinar activity into HubSpot: extract from
// the Zoom API into a Parquet lake, transform with DuckDB SQL, load by batch
// upsert. Run `zoomsync --help` for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	os.Exit(runMain())
}

// runMain is main without os.Exit, so that its deferred calls run. A panic
// becomes a short message and exit code 3, with the stack for a bug report;
// what a run wrote before it stays in the lake (files are renamed only when
// whole), and the data directory's lock goes with the process.
func runMain() (code int) {
	ctx, stop := interruptContext(context.Background())
	defer stop()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "zoomsync: internal error: %v\nPlease report it with this stack:\n%s", r, debug.Stack())
			code = 3
		}
	}()
	err := newApp().RunContext(ctx, os.Args)
	if err == nil {
		return 0
	}
	if s, ok := interruptedBy(ctx); ok {
		fmt.Fprintf(os.Stderr, "zoomsync: interrupted by %s: stopped at a safe point; what was fetched is kept, run again to resume\n", s.name)
		return s.exitCode
	}
	if !printedByLog(err) {
		fmt.Fprintln(os.Stderr, "zoomsync:", err)
	}
	return exitCode(err)
}

// interrupt is the cause of a context cancelled by a signal.
type interrupt struct {
	name     string
	exitCode int // 128 + the signal number, as shells report it
}

func (i interrupt) Error() string { return "interrupted by " + i.name }

// interruptContext returns a context cancelled, with an interrupt as its
// cause, by the first SIGINT or SIGTERM. The signal is then let through
// again, so a second one ends the process at once.
func interruptContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-sigs:
			signal.Stop(sigs)
			i := interrupt{name: "SIGINT", exitCode: 130}
			if s == syscall.SIGTERM {
				i = interrupt{name: "SIGTERM", exitCode: 143}
			}
			cancel(i)
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		cancel(context.Canceled)
	}
}

// interruptedBy reports the signal that cancelled ctx, if one did.
func interruptedBy(ctx context.Context) (interrupt, bool) {
	var i interrupt
	ok := errors.As(context.Cause(ctx), &i)
	return i, ok
}
