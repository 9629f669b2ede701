package pipelines

import (
	"context"
	"errors"
	"fmt"

	"github.com/zoomsync/zoomsync/load"
	"github.com/zoomsync/zoomsync/load/hubspot"
	"github.com/zoomsync/zoomsync/transform"
)

// excludedContactDomains are zoomsync.yaml's hubspot.excluded_contact_domains.
func (c *Config) excludedContactDomains() []string {
	if c.CRM == nil {
		return nil
	}
	return c.CRM.ExcludedContactDomains
}

// doCRMSnapshot runs between extract and transform in a sync: it writes the
// CRM's users and what the CRM knows of the candidate emails to the lake
// (load.CRMSnapshot), for the transform's rules. A transform run alone uses
// the latest snapshot the lake holds. The candidates come from the engine's
// candidate_persons view over the lake as extracted and with the users just
// written (transform.Candidates).
func doCRMSnapshot(ctx context.Context, cfg *Config, client *hubspot.Client, e *transform.Engine, res *RunResult, hooks Hooks) error {
	if hooks.Stage != nil {
		hooks.Stage("crm snapshot")
	}
	sum, err := load.CRMSnapshot(ctx, load.SnapshotConfig{
		Client: client, Lake: e.Lake(), RunID: res.RunID, Logger: cfg.logger(),
		Candidates: func(ctx context.Context) ([]load.Candidate, error) {
			cands, err := e.Candidates(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]load.Candidate, len(cands))
			for i, c := range cands {
				out[i] = load.Candidate{Email: c.Email, Known: c.Known, Cached: c.Cached}
			}
			return out, nil
		},
	})
	res.CRM = sum
	if sum != nil {
		// The snapshot's raw files enter the manifest like the
		// extraction's, forgotten people dropped first.
		files, ferr := dropForgotten(context.WithoutCancel(ctx), e.DB(), e.Lake(), sum.Files)
		if ferr == nil {
			ferr = saveState(context.WithoutCancel(ctx), e.DB(), nil, files)
		}
		if ferr != nil {
			return errors.Join(err, fmt.Errorf("crm snapshot: recording its files: %w", ferr))
		}
	}
	if err != nil {
		return fmt.Errorf("crm snapshot: %w", err)
	}
	return nil
}
