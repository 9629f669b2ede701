// Command zoomsync moves Zoom webinar activity into HubSpot: extract from
// the Zoom API into a Parquet lake, transform with DuckDB SQL, load by batch
// upsert. Run `zoomsync --help` for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newApp().RunContext(ctx, os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "zoomsync:", err)
		os.Exit(exitCode(err))
	}
}
