// Command zoomsync moves Zoom webinar activity into HubSpot: extract from
// the Zoom API into a Parquet lake, transform with DuckDB SQL, load by batch
// upsert. Run `zoomsync --help` for the commands.
package main

import (
	"context"
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "zoomsync: internal error: %v\nPlease report it with this stack:\n%s", r, debug.Stack())
			code = 3
		}
	}()
	if err := newApp().RunContext(ctx, os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "zoomsync:", err)
		return exitCode(err)
	}
	return 0
}
