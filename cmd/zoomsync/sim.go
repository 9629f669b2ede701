package main

import (
	"fmt"
	"net"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

const simDescription = `The simulators are stateful HTTP servers that speak the public Zoom and
HubSpot contracts: the same paths, bodies, pagination tokens, error codes,
rate-limit headers and 429s. Each prints its base URL on the first line of
standard output and serves until interrupted. They listen on loopback only.

Realistic conditions: --latency adds a seeded delay to every request (mean,
with --jitter around it), --faults injects failures by a spec such as
"429:n=20:retry-after=1,5xx:status=503:n=3,reset-mid-body:every=7" (kinds and
keys in the simulator's package documentation and docs/reliability.md).`

// simNetworkFlags are the flags both simulators take.
func simNetworkFlags(addr string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "addr", Value: addr, Usage: "listen address, on loopback (127.0.0.0/8 or [::1])"},
		&cli.DurationFlag{Name: "latency", Usage: "mean delay added to every request, as a real network's round trip (e.g. 150ms)"},
		&cli.DurationFlag{Name: "jitter", Usage: "spread of the delay around --latency (uniform); default a fifth of it"},
		&cli.StringFlag{Name: "faults", Usage: "faults to inject, as a spec: kind[:key=value]... separated by commas"},
	}
}

var simZoomFlags = append(simNetworkFlags("127.0.0.1:8081"),
	&cli.Int64Flag{Name: "seed", Value: 1, Usage: "generator seed"},
	&cli.IntFlag{Name: "scale", Value: 1, Usage: "multiply the generated account (16: about 600 instances and 20,000 people)"},
	&cli.StringFlag{Name: "plan", Value: "pro", Usage: "rate limits: pro, business, free or unlimited"},
	&cli.DurationFlag{Name: "token-ttl", Value: time.Hour, Usage: "lifetime of issued access tokens"},
)

var simHubSpotFlags = append(simNetworkFlags("127.0.0.1:8082"),
	append([]cli.Flag{&cli.StringFlag{Name: "tier", Value: "professional", Usage: "rate limits: free, starter, professional, enterprise or unlimited"}},
		simHubSpotEventFlags...)...,
)

func simCommand() *cli.Command {
	return &cli.Command{
		Name:        "sim",
		Usage:       "run an API simulator standalone on loopback (zoom or hubspot)",
		Description: simDescription,
		Subcommands: []*cli.Command{
			{
				Name:  "zoom",
				Usage: "serve a generated Zoom account (token at URL/oauth/token, API at URL/v2)",
				Description: `Credentials: account id demo-account, client id demo-client, client secret
demo-secret. The same --seed (and --scale) always yields the same account.
Point zoomsync at it with ZOOM_API_URL=<URL>/v2 and ZOOM_OAUTH_URL=<URL>/oauth/token.`,
				Flags:  simZoomFlags,
				Action: simZoom,
			},
			{
				Name:        "hubspot",
				Usage:       "serve an empty HubSpot account (bearer token demo-token)",
				Description: simHubSpotDescription,
				Flags:       simHubSpotFlags,
				Action:      simHubSpot,
			},
		},
	}
}

func simZoom(c *cli.Context) error {
	if err := loopbackAddr(c.String("addr")); err != nil {
		return err
	}
	if c.Int("scale") < 1 {
		return usageError{fmt.Errorf("--scale %d: the scale is a whole number from 1", c.Int("scale"))}
	}
	faults, err := zoomtest.ParseFaults(c.String("faults"))
	if err != nil {
		return usageError{fmt.Errorf("--faults: %w", err)}
	}
	latency, jitter := simLatency(c)
	acct := zoomtest.Generate(zoomtest.GenConfig{Seed: c.Int64("seed"), Scale: c.Int("scale")})
	srv, err := zoomtest.Listen(c.String("addr"), acct,
		zoomtest.WithPlan(c.String("plan")), zoomtest.WithTokenTTL(c.Duration("token-ttl")),
		zoomtest.WithLatency(latency, jitter), zoomtest.WithFaults(faults...))
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintln(c.App.Writer, srv.URL)
	<-c.Context.Done()
	return nil
}

func simHubSpot(c *cli.Context) error {
	if err := loopbackAddr(c.String("addr")); err != nil {
		return err
	}
	faults, err := hubspottest.ParseFaults(c.String("faults"))
	if err != nil {
		return usageError{fmt.Errorf("--faults: %w", err)}
	}
	latency, jitter := simLatency(c)
	events, err := simHubSpotEventOptions(c)
	if err != nil {
		return err
	}
	srv, err := hubspottest.Listen(c.String("addr"), append(events, hubspottest.WithTier(c.String("tier")),
		hubspottest.WithLatency(latency, jitter))...)
	if err != nil {
		return err
	}
	defer srv.Close()
	for _, f := range faults {
		srv.AddFault(f)
	}
	fmt.Fprintln(c.App.Writer, srv.URL)
	<-c.Context.Done()
	return nil
}

// simLatency reads --latency and --jitter; the jitter defaults to a fifth
// of the latency, so "--latency 150ms" is 120–180 ms per request.
func simLatency(c *cli.Context) (latency, jitter time.Duration) {
	latency = c.Duration("latency")
	if c.IsSet("jitter") {
		return latency, c.Duration("jitter")
	}
	return latency, latency / 5
}

// loopbackAddr refuses a listen address off loopback: the simulators are
// test servers with well-known credentials and must not be reachable from
// another machine.
func loopbackAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError{fmt.Errorf("--addr %q: %w", addr, err)}
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return usageError{fmt.Errorf("--addr %q: the simulators listen on loopback only (127.0.0.1:PORT or [::1]:PORT)", addr)}
	}
	return nil
}
