package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/zoomsync/zoomsync/extract/zoomtest"
	"github.com/zoomsync/zoomsync/load/hubspottest"
)

func simCommand() *cli.Command {
	return &cli.Command{
		Name:  "sim",
		Usage: "run an API simulator standalone on loopback (zoom or hubspot)",
		Description: `The simulators are stateful HTTP servers that speak the public Zoom and
HubSpot contracts: the same paths, bodies, pagination tokens, error codes,
rate-limit headers and 429s. Each prints its base URL on the first line of
standard output and serves until interrupted.`,
		Subcommands: []*cli.Command{
			{
				Name:  "zoom",
				Usage: "serve a generated Zoom account (token at URL/oauth/token, API at URL/v2)",
				Description: `Credentials: account id demo-account, client id demo-client, client secret
demo-secret. The same --seed always yields the same account. Point zoomsync
at it with ZOOM_API_URL=<URL>/v2 and ZOOM_OAUTH_URL=<URL>/oauth/token.`,
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8081", Usage: "listen address (loopback)"},
					&cli.Int64Flag{Name: "seed", Value: 1, Usage: "generator seed"},
					&cli.StringFlag{Name: "plan", Value: "pro", Usage: "rate limits: pro, business, free or unlimited"},
					&cli.DurationFlag{Name: "token-ttl", Value: time.Hour, Usage: "lifetime of issued access tokens"},
				},
				Action: func(c *cli.Context) error {
					srv, err := zoomtest.Listen(c.String("addr"), zoomtest.DemoAccount(c.Int64("seed")),
						zoomtest.WithPlan(c.String("plan")), zoomtest.WithTokenTTL(c.Duration("token-ttl")))
					if err != nil {
						return err
					}
					defer srv.Close()
					fmt.Fprintln(c.App.Writer, srv.URL)
					<-c.Context.Done()
					return nil
				},
			},
			{
				Name:        "hubspot",
				Usage:       "serve an empty HubSpot account (bearer token demo-token)",
				Description: `Point zoomsync at it with HUBSPOT_API_URL=<URL> and HUBSPOT_TOKEN=demo-token.`,
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8082", Usage: "listen address (loopback)"},
					&cli.StringFlag{Name: "tier", Value: "professional", Usage: "rate limits: free, starter, professional, enterprise or unlimited"},
				},
				Action: func(c *cli.Context) error {
					srv, err := hubspottest.Listen(c.String("addr"), hubspottest.WithTier(c.String("tier")))
					if err != nil {
						return err
					}
					defer srv.Close()
					fmt.Fprintln(c.App.Writer, srv.URL)
					<-c.Context.Done()
					return nil
				},
			},
		},
	}
}
