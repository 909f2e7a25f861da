-- 0005: a run whose process is gone is not reported as running.
--
-- A sync takes the advisory lock SyncEngine.lockKey (0x435753594E43) before it begins a
-- run and holds it until it has recorded the outcome, and beginning a run ends every
-- older 'running' row. So a 'running' row while no session holds that lock belongs to a
-- process that was killed or lost the database before it could record its outcome.
-- The next sync marks such a row 'abandoned'; until then the status answers (SYNCSTATUS,
-- INFO) already say 'abandoned' instead of claiming a sync is in progress.

-- Whether a sync holds the lock now (pg_locks splits a bigint key into classid = high
-- 32 bits, objid = low 32 bits, objsubid = 1).
CREATE FUNCTION crosswalk_sync_running() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid = 17239 AND objid = 1398361667 AND objsubid = 1);
$$;

-- A run's status as it stands: 'running' only while a sync is in progress.
CREATE FUNCTION crosswalk_run_status(p_status text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_status = 'running' AND NOT crosswalk_sync_running() THEN 'abandoned' ELSE p_status END;
$$;

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

CREATE OR REPLACE FUNCTION crosswalk_sync_status(p_runs integer DEFAULT 5)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('runs', coalesce(jsonb_agg(jsonb_build_object(
        'id', r.id, 'status', crosswalk_run_status(r.status), 'trigger', r.trigger, 'started_at', r.started_at, 'finished_at', r.finished_at,
        'documents_seen', r.documents_seen, 'documents_unchanged', r.documents_unchanged,
        'documents_applied', r.documents_applied, 'documents_rejected', r.documents_rejected,
        'documents_ended', r.documents_ended, 'listings_added', r.listings_added,
        'listings_changed', r.listings_changed, 'listings_ended', r.listings_ended,
        'duration_ms', r.duration_ms,
        'error', coalesce(r.error, CASE WHEN crosswalk_run_status(r.status) <> r.status
                                       THEN 'the run stopped before recording its outcome: its process ended or lost the database' END),
        'rejects', coalesce((SELECT jsonb_agg(jsonb_build_object('source', j.source, 'line', j.line, 'reason', j.reason, 'excerpt', j.excerpt) ORDER BY j.id)
                             FROM rejects j WHERE j.run_id = r.id), '[]'))
        ORDER BY r.id DESC), '[]'))
    FROM (SELECT * FROM sync_runs WHERE status <> 'dry-run' ORDER BY id DESC LIMIT p_runs) r;
$$;

CREATE OR REPLACE FUNCTION crosswalk_counts()
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'documents', (SELECT count(*) FROM documents WHERE ended_at IS NULL),
        'programs', (SELECT count(DISTINCT program_id) FROM current_listings),
        'listings', (SELECT count(*) FROM current_listings),
        'policies', (SELECT count(DISTINCT policy_id) FROM current_listings),
        'latest_fiscal_year', crosswalk_latest_year(),
        'last_sync', (SELECT jsonb_build_object('id', id, 'status', crosswalk_run_status(status), 'finished_at', finished_at)
                      FROM sync_runs WHERE status <> 'dry-run' ORDER BY id DESC LIMIT 1));
$$;
