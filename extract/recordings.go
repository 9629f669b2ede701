package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zoomsync/zoomsync/extract/vtt"
	"github.com/zoomsync/zoomsync/extract/zoom"
	"github.com/zoomsync/zoomsync/schema"
)

// recording fetches an instance's cloud recording, its files, and the
// transcripts behind its TRANSCRIPT and CC files. A file still processing
// leaves the stage "processing", so the next run asks again; a recording
// Zoom does not have (3301) or whose files were deleted is an issue row.
func (r *run) recording(ctx context.Context, webinarID int64, uuid string, st Stage, settle time.Time) error {
	rec, _, err := r.cfg.Client.Recordings.Get(ctx, uuid)
	switch {
	case errors.Is(err, zoom.ErrNoRecording), errors.Is(err, zoom.ErrNotFound):
		r.state.Set(st, StageState{Status: StatusMissing, FetchedAt: r.now, SettleAfter: settle, RunID: r.cfg.RunID})
		return r.issue(webinarID, uuid, schema.StreamRecordings, schema.ReasonRecordingMissing, "no cloud recording")
	case err != nil:
		if r.limited(err, &st) {
			return nil
		}
		return fmt.Errorf("getting recording of instance %s: %w", uuid, err)
	}
	row := schema.Recording{RunID: r.cfg.RunID, FetchedAt: r.now, WebinarID: webinarID, InstanceUUID: uuid,
		HostID: rec.HostID, Topic: rec.Topic, StartTime: rec.StartTime, Duration: int32(rec.Duration),
		TotalSize: rec.TotalSize, RecordingCount: int32(rec.RecordingCount), ShareURL: rec.ShareURL}
	var files []schema.RecordingFile
	var cues []schema.TranscriptCue
	status := StatusDone
	live := 0
	for _, f := range rec.RecordingFiles {
		if !f.DeletedTime.IsZero() {
			continue
		}
		live++
		ready := f.Ready()
		files = append(files, schema.RecordingFile{RunID: r.cfg.RunID, FetchedAt: r.now, WebinarID: webinarID, InstanceUUID: uuid,
			ID: f.ID, FileType: f.FileType, FileExtension: f.FileExtension, FileSize: f.FileSize, RecordingType: f.RecordingType,
			RecordingStart: f.RecordingStart, RecordingEnd: f.RecordingEnd, Status: f.Status, Ready: ready,
			PlayURL: f.PlayURL, DownloadURL: f.DownloadURL})
		if !ready {
			status = StatusProcessing
			if err := r.issue(webinarID, uuid, schema.StreamRecordingFiles, schema.ReasonRecordingProcessing, f.FileType+" "+f.Status); err != nil {
				return err
			}
			continue
		}
		if f.FileType != "TRANSCRIPT" && f.FileType != "CC" {
			continue
		}
		got, err := r.transcript(ctx, webinarID, uuid, f)
		if err != nil {
			return err
		}
		cues = append(cues, got...)
	}
	if live == 0 {
		r.state.Set(st, StageState{Status: StatusMissing, FetchedAt: r.now, SettleAfter: settle, RunID: r.cfg.RunID})
		return r.issue(webinarID, uuid, schema.StreamRecordings, schema.ReasonRecordingMissing, "every file deleted")
	}
	if err := errors.Join(r.recordings.Write([]schema.Recording{row}), r.files.Write(files), r.cues.Write(cues)); err != nil {
		return err
	}
	r.state.Set(st, StageState{Status: status, FetchedAt: r.now, SettleAfter: settle, RunID: r.cfg.RunID})
	return nil
}

// transcript downloads one VTT file and parses it into cues. A file that
// cannot be had is an issue row, not a failure of the run; cues that cannot
// be read are counted in one issue row, and the rest kept.
func (r *run) transcript(ctx context.Context, webinarID int64, uuid string, f *zoom.RecordingFile) ([]schema.TranscriptCue, error) {
	var buf bytes.Buffer
	if _, _, err := r.cfg.Client.Recordings.Download(ctx, f.DownloadURL, &buf, r.cfg.MaxTranscriptBytes); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, r.issue(webinarID, uuid, schema.StreamTranscripts, schema.ReasonTranscriptNotFound, f.FileType+" "+f.ID+": "+err.Error())
	}
	parsed, problems, err := vtt.ParseLenient(&buf)
	if err != nil {
		return nil, r.issue(webinarID, uuid, schema.StreamTranscripts, schema.ReasonTranscriptMalformed, f.FileType+" "+f.ID+": "+err.Error())
	}
	if len(problems) > 0 {
		if err := r.issue(webinarID, uuid, schema.StreamTranscripts, schema.ReasonTranscriptMalformed,
			fmt.Sprintf("%s %s: %d cues skipped, first: %v", f.FileType, f.ID, len(problems), problems[0])); err != nil {
			return nil, err
		}
	}
	cues := make([]schema.TranscriptCue, 0, len(parsed))
	for _, c := range parsed {
		cues = append(cues, schema.TranscriptCue{RunID: r.cfg.RunID, FetchedAt: r.now, WebinarID: webinarID, InstanceUUID: uuid,
			FileID: f.ID, FileType: f.FileType, Seq: int32(c.Seq), StartMS: c.Start.Milliseconds(), EndMS: c.End.Milliseconds(),
			Speaker: c.Speaker, Text: c.Text})
	}
	return cues, nil
}
