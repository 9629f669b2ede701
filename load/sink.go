package load

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zoomsync/zoomsync/internal/failpoint"
	"github.com/zoomsync/zoomsync/load/hubspot"
)

// The sink is the one loop every CRM object type goes through: each row is
// compared with what load_state says the CRM acknowledged (diff), unchanged
// rows are counted and not sent, the others are gathered into batches of
// the API's size (chunk), each batch is sent (or, in a dry run, counted as
// it would be), and its outcomes are recorded in load_log and load_state
// right after the answer (ack, record), so a run that stops keeps what the
// CRM acknowledged. An object type supplies only its mapping: the rows, with
// their keys and hashes, and the write of one batch.
//
// Batches are pipelined: while one is out, the next ones are built and
// sent, up to the recorder's inFlight (the client sizes it from the
// measured round trip; its limiter keeps every request of the run within
// the quota). Each batch records its own outcomes when its answer comes
// back, in a transaction of its own, so the order in which answers return
// does not matter: no two batches in flight hold the same key (a row whose
// key is in flight waits for it), and each batch carries the unchanged and
// skipped rows counted before it was sent.

// acked is what load_state holds for an object: the CRM's id and the hash
// of what the CRM acknowledged.
type acked struct{ crmID, hash string }

// item is one row to write: its load_state key, the hash of what is sent,
// what is sent (in), and what load_state holds for the key (prev, when seen).
type item[T any] struct {
	key, hash string
	in        T
	prev      acked
	seen      bool
}

// result is the CRM's answer for one item of a batch.
type result struct {
	crmID string
	err   *hubspot.BatchError // nil: written
	// outcome is created or updated when the answer says which (upserts);
	// empty leaves it to load_state: updated when seen, else created.
	outcome string
}

// answer is what a write made of one batch.
type answer struct {
	results []result // one per item, in order
	// also are outcomes of other object types recorded in the same
	// transaction as the batch (the call → contact associations it made).
	also []outcomes
	// stop is the context's error when it ended during the write: the
	// batch is recorded, then the sink stops.
	stop error
}

// errGiveUp, returned by a sinkSpec's onBatchError, skips the failed batch
// and every later changed row of the object type (counted as skipped, not
// recorded, retried next run).
var errGiveUp = errors.New("give up the object type")

// sinkSpec is the mapping of one object type.
type sinkSpec[T any] struct {
	objectType string
	counts     *Counts
	// batchSize is the most items of a batch; 0 means
	// hubspot.MaxBatchInputs, the API's maximum.
	batchSize int
	// write sends one batch. An error fails every item of the batch.
	// Several batches may be written at once.
	write func(ctx context.Context, batch []item[T]) (answer, error)
	// group, when set, names an item's group: a batch never mixes groups
	// (the marketing event and state of a participation).
	group func(T) string
	// onBatchError, when set, decides on failed batch n (counted from 1):
	// nil fails its items and goes on, errGiveUp gives up the object type,
	// another error stops the load with it. It may be called from several
	// goroutines at once.
	onBatchError func(n int, err error) error
	// serial sends one batch at a time, on the caller's goroutine: for a
	// write that is not idempotent (a batch create), so that a crash
	// leaves at most the batch out unacknowledged, not several.
	serial bool
	// afterBatch, when set, is called after each batch sent is recorded,
	// under the recorder's lock (the counts are then settled).
	afterBatch func()
	// prepare, when set, runs once before the first batch is sent (never
	// in a dry run), on the caller's goroutine: the property definitions
	// the rows need, so that a run with nothing to send reads none. An
	// error stops the sink before anything is sent.
	prepare func(ctx context.Context) error
}

// sink runs a sinkSpec: add every row, then close. add and close are
// called from one goroutine; each batch sent runs on a goroutine of its
// own until its outcomes are recorded.
type sink[T any] struct {
	sinkSpec[T]
	rec        *recorder
	acks       []ack // not recorded yet
	batch      []item[T]
	keys       map[string]bool // of the batch
	batchGroup string          // the group of the batch
	batches    int
	// gaveUp is the error the object type was given up on; skipped counts
	// the changed rows not sent since.
	gaveUp  error
	skipped int

	flying   map[string]bool // keys of the batches in flight
	inFlight int
	done     chan sent
	// stop is the error that stops the sink (the one of the earliest
	// batch, when several failed), stopN that batch's number.
	stop  error
	stopN int
}

// sent is what a batch in flight reports when its outcomes are recorded.
type sent struct {
	n      int // the batch's number
	keys   []string
	gaveUp error // the object type is given up, skipped rows not sent
	skip   int
	stop   error
}

func newSink[T any](rec *recorder, spec sinkSpec[T]) *sink[T] {
	return &sink[T]{sinkSpec: spec, rec: rec, keys: map[string]bool{}, flying: map[string]bool{}, done: make(chan sent)}
}

// skip counts a row that is not sent for another reason than being
// unchanged (category and message say why); it is logged, not acknowledged.
func (s *sink[T]) skip(key, category, message string) {
	s.rec.tell(s.objectType, key, OutcomeSkipped, category+": "+message, nil)
	s.acks = append(s.acks, ack{key: key, outcome: OutcomeSkipped, category: category, message: message})
}

// add diffs a row against load_state: an unchanged row is counted, a
// changed one goes into the batch, which is sent once full (or when the
// row's group differs from the batch's). When it returns an error, no
// batch is left in flight.
func (s *sink[T]) add(ctx context.Context, it item[T]) error {
	if err := s.addItem(ctx, it); err != nil {
		return cmp.Or(s.wait(), err)
	}
	return nil
}

func (s *sink[T]) addItem(ctx context.Context, it item[T]) error {
	if it.seen && it.prev.hash == it.hash {
		s.acks = append(s.acks, ack{key: it.key, outcome: OutcomeUnchanged})
		return nil
	}
	if s.gaveUp != nil {
		s.skipped++
		return nil
	}
	if s.sinkSpec.group != nil {
		if g := s.sinkSpec.group(it.in); g != s.batchGroup {
			if err := s.flush(ctx); err != nil {
				return err
			}
			s.batchGroup = g
		}
	}
	if s.keys[it.key] {
		return fmt.Errorf("%s %q appears twice in the rows to load", s.objectType, it.key)
	}
	if s.flying[it.key] {
		// The CRM applies two writes of one key in the order they arrive,
		// and load_state must end with the later: wait for the earlier.
		if err := s.wait(); err != nil {
			return err
		}
	}
	s.keys[it.key] = true
	s.batch = append(s.batch, it)
	if len(s.batch) == cmp.Or(s.batchSize, hubspot.MaxBatchInputs) {
		return s.flush(ctx)
	}
	return nil
}

// close sends the last batch, waits for the batches in flight and records
// what is left. It is called once.
func (s *sink[T]) close(ctx context.Context) error {
	if err := s.flush(ctx); err != nil {
		return err
	}
	if err := s.wait(); err != nil {
		return err
	}
	s.counts.Skipped += s.skipped
	return s.record(ctx, s.takeAcks(), nil)
}

// wait waits for every batch in flight and returns the error that stops
// the sink, if any. It may be called more than once.
func (s *sink[T]) wait() error {
	for s.inFlight > 0 {
		s.settle(<-s.done)
	}
	return s.stop
}

// settle takes in the report of a batch that came back.
func (s *sink[T]) settle(r sent) {
	s.inFlight--
	for _, k := range r.keys {
		delete(s.flying, k)
	}
	if r.gaveUp != nil {
		s.gaveUp = cmp.Or(s.gaveUp, r.gaveUp)
		s.skipped += r.skip
	}
	if r.stop != nil && (s.stop == nil || r.n < s.stopN) {
		s.stop, s.stopN = r.stop, r.n
	}
}

// collect takes in the reports of the batches that came back, without
// waiting.
func (s *sink[T]) collect() {
	for {
		select {
		case r := <-s.done:
			s.settle(r)
		default:
			return
		}
	}
}

func (s *sink[T]) takeAcks() []ack {
	acks := s.acks
	s.acks = nil
	return acks
}

// flush sends the batch on a goroutine of its own, once fewer than the
// recorder's inFlight batches are out; its outcomes are recorded with the
// rows counted before it. An error that stops the sink is returned once
// no batch is in flight.
func (s *sink[T]) flush(ctx context.Context) error {
	batch := s.batch
	if len(batch) == 0 {
		return nil
	}
	if s.prepare != nil && !s.rec.dryRun {
		if err := s.prepare(ctx); err != nil {
			return err
		}
		s.prepare = nil
	}
	s.batch = nil
	clear(s.keys)
	s.batches++
	if s.rec.dryRun {
		for _, it := range batch {
			s.acks = append(s.acks, ack{key: it.key, outcome: createdOrUpdated(it.seen)})
			s.rec.tell(s.objectType, it.key, createdOrUpdated(it.seen), "", it.in)
		}
		return s.record(ctx, s.takeAcks(), nil)
	}
	s.collect()
	for s.inFlight > 0 && (s.inFlight >= s.rec.maxInFlight() || s.stop != nil) {
		s.settle(<-s.done)
	}
	if s.stop != nil {
		return s.wait()
	}
	keys := make([]string, len(batch))
	for i, it := range batch {
		keys[i] = it.key
		s.flying[it.key] = true
	}
	n, acks := s.batches, s.takeAcks()
	if s.serial {
		r := s.send(ctx, n, batch, acks)
		r.n, r.keys = n, keys
		s.inFlight++ // counted once back: a panic in send leaves none
		s.settle(r)
		return s.wait()
	}
	s.inFlight++
	go func() {
		r := s.send(ctx, n, batch, acks)
		r.n, r.keys = n, keys
		s.done <- r
	}()
	return nil
}

// send writes batch n and records its outcomes, with acks (the rows
// counted before it).
func (s *sink[T]) send(ctx context.Context, n int, batch []item[T], acks []ack) sent {
	ans, err := s.write(ctx, batch)
	answered := time.Now()
	if err == nil && len(ans.results) != len(batch) {
		err = fmt.Errorf("the CRM answered for %d rows of a batch of %d", len(ans.results), len(batch))
	}
	if err != nil {
		return s.failed(ctx, n, batch, acks, err)
	}
	failpoint.Hit("load.after-ack")
	for i, it := range batch {
		r := ans.results[i]
		a := ack{key: it.key, crmID: r.crmID, hash: it.hash, outcome: cmp.Or(r.outcome, createdOrUpdated(it.seen))}
		switch {
		case r.err == nil:
		case r.err.Category == hubspot.CategoryMissingResult: // the answer did not say
			a.outcome, a.category, a.message = OutcomeUnknown, r.err.Category, r.err.Message
		default:
			a.outcome, a.category, a.message = OutcomeFailed, r.err.Category, r.err.Message
		}
		acks = append(acks, a)
	}
	if err := s.record(ctx, acks, ans.also); err != nil {
		return sent{stop: err}
	}
	s.rec.observe(time.Since(answered))
	failpoint.Hit("load.between-batches")
	if s.afterBatch != nil {
		s.rec.locked(s.afterBatch)
	}
	return sent{stop: ans.stop}
}

// failed handles batch n, whose request failed as a whole: its items fail,
// or end unknown when the request may have been carried out (no readable
// answer, or the context ended while it was out); then the sink goes on,
// gives the object type up or stops the load, as onBatchError says. Once
// the context has ended its error stops the sink.
func (s *sink[T]) failed(ctx context.Context, n int, batch []item[T], acks []ack, err error) sent {
	var stop error
	if s.onBatchError != nil {
		stop = s.onBatchError(n, err)
	}
	if errors.Is(stop, errGiveUp) {
		return sent{gaveUp: err, skip: len(batch), stop: s.record(ctx, acks, nil)}
	}
	outcome, cat := OutcomeFailed, errCategory(err)
	if errors.Is(err, hubspot.ErrUnknownOutcome) || ctx.Err() != nil {
		outcome, cat = OutcomeUnknown, "UNKNOWN_OUTCOME"
	}
	for _, it := range batch {
		acks = append(acks, ack{key: it.key, hash: it.hash, outcome: outcome, category: cat, message: err.Error()})
	}
	return sent{stop: cmp.Or(s.record(ctx, acks, nil), stop, ctx.Err())}
}

// record records acks, and also, in one transaction. It outlives a
// cancelled context: what the CRM acknowledged must be kept, or the next
// run would send it again.
func (s *sink[T]) record(ctx context.Context, acks []ack, also []outcomes) error {
	parts := append([]outcomes{{s.objectType, s.counts, acks}}, also...)
	return s.rec.record(context.WithoutCancel(ctx), parts...)
}

// errCategory is the CRM's category of a failed request, or REQUEST_FAILED.
func errCategory(err error) string {
	if ae, ok := errors.AsType[*hubspot.APIError](err); ok {
		return ae.Category
	}
	return "REQUEST_FAILED"
}

func createdOrUpdated(seen bool) string {
	if seen {
		return OutcomeUpdated
	}
	return OutcomeCreated
}
