-- 097_recordings_view.sql: the documented recordings view, for segment
-- queries and notebooks ("recording available" filters).
-- Reads:  stg_recordings, raw_recording_files, recording_transcripts,
--         stg_webinars
-- Writes: recordings
--
-- stg_recordings and recording_transcripts come from 095_activity.sql,
-- stg_webinars from 020_stg_webinars.sql. View recordings: one row per
-- instance with a cloud recording (its latest snapshot): webinar_id, topic,
-- instance_uuid, start_time, duration_minutes, recording_url (the first
-- ready MP4's play URL, else the share URL), files, ready_files, ready (every
-- file ready), file_types, has_transcript, transcript (the text, "Speaker:
-- text" lines).
-- Audit:  none (recordings left out are audited by 080_audit.sql).

CREATE OR REPLACE VIEW recordings AS
WITH files AS (
    SELECT f.instance_uuid,
           count(*) AS files,
           count(*) FILTER (WHERE f.ready) AS ready_files,
           list(DISTINCT f.file_type ORDER BY f.file_type) AS file_types,
           min(f.play_url ORDER BY f.recording_start, f.id) FILTER (WHERE f.file_type = 'MP4' AND f.ready AND f.play_url <> '') AS mp4_url
    FROM raw_recording_files f
    JOIN stg_recordings r ON r.instance_uuid = f.instance_uuid AND r.fetched_at = f.fetched_at
    GROUP BY f.instance_uuid
)
SELECT r.webinar_id,
       coalesce(nullif(r.topic, ''), w.topic) AS topic,
       r.instance_uuid,
       r.start_time,
       r.duration AS duration_minutes,
       coalesce(f.mp4_url, nullif(r.share_url, '')) AS recording_url,
       coalesce(f.files, 0) AS files,
       coalesce(f.ready_files, 0) AS ready_files,
       coalesce(f.files = f.ready_files, false) AS ready,
       f.file_types,
       t.transcript IS NOT NULL AS has_transcript,
       t.transcript
FROM stg_recordings r
LEFT JOIN files f USING (instance_uuid)
LEFT JOIN recording_transcripts t USING (instance_uuid)
LEFT JOIN stg_webinars w ON w.id = r.webinar_id;
