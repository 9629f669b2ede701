package pipelines

import (
	"context"
	"errors"
	"fmt"

	"github.com/zoomsync/zoomsync/internal/lakefile"
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

// crmSnapshot is the transform's BeforeRules option of a sync: once the
// transform has defined its rules, the CRM snapshot (load.CRMSnapshot)
// writes the CRM's users and what the CRM knows of the candidate emails to
// the lake, and the rules of the same pass read them. A transform run alone
// uses the latest snapshot the lake holds.
func crmSnapshot(cfg *Config, client *hubspot.Client, e *transform.Engine, res *RunResult, hooks Hooks) transform.RunOption {
	return transform.BeforeRules(func(ctx context.Context, candidates func(context.Context) ([]transform.Candidate, error)) error {
		if hooks.Stage != nil {
			hooks.Stage("crm snapshot")
		}
		sum, err := load.CRMSnapshot(ctx, load.SnapshotConfig{
			Client: client, Lake: e.Lake(), RunID: res.RunID, Logger: cfg.logger(),
			Candidates: func(ctx context.Context) ([]load.Candidate, error) {
				cands, err := candidates(ctx)
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
		var files []lakefile.File
		if sum != nil {
			files = sum.Files
		}
		if err := errors.Join(err, recordSnapshotFiles(ctx, e, files)); err != nil {
			return fmt.Errorf("crm snapshot: %w", err)
		}
		if hooks.Stage != nil {
			hooks.Stage("transform")
		}
		return nil
	})
}

// recordSnapshotFiles enters the snapshot's raw files in the manifest like
// the extraction's, forgotten people dropped first.
func recordSnapshotFiles(ctx context.Context, e *transform.Engine, files []lakefile.File) error {
	if len(files) == 0 {
		return nil
	}
	files, err := dropForgotten(context.WithoutCancel(ctx), e.DB(), e.Lake(), files)
	if err == nil {
		err = saveState(context.WithoutCancel(ctx), e.DB(), nil, files)
	}
	if err != nil {
		return fmt.Errorf("recording its files: %w", err)
	}
	return nil
}

// doRecheck reads, before the load, the contacts it is about to upsert
// that the snapshot did not read (load.RecheckContacts), and runs the
// transform again when the CRM's answers differ from what it assumed (a
// contact deleted or merged since): rare, so the SQL chain runs once in
// the common sync.
func doRecheck(ctx context.Context, cfg *Config, client *hubspot.Client, e *transform.Engine, res *RunResult, hooks Hooks, bad []BadFile) error {
	if res.CRM == nil {
		res.CRM = &load.SnapshotSummary{}
	}
	recorded := len(res.CRM.Files)
	changed, err := load.RecheckContacts(ctx, load.SnapshotConfig{
		Client: client, Lake: e.Lake(), RunID: res.RunID, Logger: cfg.logger(),
	}, e.DB(), res.CRM)
	if err := errors.Join(err, recordSnapshotFiles(ctx, e, res.CRM.Files[recorded:])); err != nil {
		return fmt.Errorf("crm recheck: %w", err)
	}
	if !changed {
		return nil
	}
	return doTransform(ctx, e, res, hooks, bad)
}
