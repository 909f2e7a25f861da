-- Sync runs: the lock one sync holds at a time, and a run's record from begin to finish.
--
-- A sync takes the advisory lock crosswalk_sync_lock_key() before it begins a run and
-- holds it until it has recorded the outcome, and beginning a run ends every older
-- 'running' row. So a 'running' row while no session holds that lock belongs to a
-- process that was killed or lost the database before it could record its outcome:
-- the next sync marks it 'abandoned', and until then the status answers (SYNCSTATUS,
-- INFO) already say 'abandoned' instead of claiming a sync is in progress.

-- The advisory-lock key of a sync ("CWSYNC"); the one place it is defined.
CREATE OR REPLACE FUNCTION crosswalk_sync_lock_key() RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT x'435753594E43'::bigint;
$$;

-- Whether a sync holds the lock now (pg_locks splits a bigint key into classid = high
-- 32 bits, objid = low 32 bits, objsubid = 1).
CREATE OR REPLACE FUNCTION crosswalk_sync_running() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid = (crosswalk_sync_lock_key() >> 32)::oid
          AND objid = (crosswalk_sync_lock_key() & x'FFFFFFFF'::bigint)::oid
          AND objsubid = 1);
$$;

-- A run's status as it stands: 'running' only while a sync is in progress.
CREATE OR REPLACE FUNCTION crosswalk_run_status(p_status text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_status = 'running' AND NOT crosswalk_sync_running() THEN 'abandoned' ELSE p_status END;
$$;

-- Begins a run and returns its id; called holding the sync lock.
CREATE OR REPLACE FUNCTION crosswalk_begin_run(p_trigger text, p_sources text[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_run_id bigint;
BEGIN
    -- Called while holding the sync lock: any run still 'running' died mid-way.
    UPDATE sync_runs SET status = 'abandoned', finished_at = now(),
                         error = coalesce(error, 'the run stopped before recording its outcome: its process ended or lost the database')
    WHERE status = 'running';
    INSERT INTO sync_runs (trigger, sources) VALUES (p_trigger, p_sources) RETURNING id INTO v_run_id;
    RETURN v_run_id;
END;
$$;

-- Records what a run has done so far, from the sync's summary. Called in the
-- transaction of each group of documents it commits, so whatever ends the run later
-- (a lost database, SIGKILL), its row counts exactly what was committed.
CREATE OR REPLACE FUNCTION crosswalk_record_progress(p_run_id bigint, p_summary jsonb) RETURNS void
LANGUAGE sql AS $$
    UPDATE sync_runs SET
        documents_seen      = (p_summary->>'documents_seen')::integer,
        documents_unchanged = (p_summary->>'documents_unchanged')::integer,
        documents_applied   = (p_summary->>'documents_applied')::integer,
        documents_rejected  = (p_summary->>'documents_rejected')::integer,
        documents_ended     = (p_summary->>'documents_ended')::integer,
        listings_added      = (p_summary->>'listings_added')::integer,
        listings_changed    = (p_summary->>'listings_changed')::integer,
        listings_ended      = (p_summary->>'listings_ended')::integer
    WHERE id = p_run_id;
$$;

-- Records a run's outcome from the sync's summary.
CREATE OR REPLACE FUNCTION crosswalk_finish_run(p_run_id bigint, p_summary jsonb) RETURNS void
LANGUAGE sql AS $$
    SELECT crosswalk_record_progress(p_run_id, p_summary);
    UPDATE sync_runs SET
        finished_at = now(),
        status      = p_summary->>'status',
        duration_ms = (p_summary->>'duration_ms')::integer,
        error       = p_summary->>'error'
    WHERE id = p_run_id;
$$;

-- Records a document the run rejected, with the line and reason.
CREATE OR REPLACE FUNCTION crosswalk_reject(p_run_id bigint, p_source text, p_sha256 text, p_line integer, p_reason text, p_excerpt text)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO rejects (run_id, source, sha256, line, reason, excerpt)
    VALUES (p_run_id, p_source, p_sha256, p_line, p_reason, left(p_excerpt, 200));
$$;
