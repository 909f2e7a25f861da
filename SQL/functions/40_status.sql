-- What the sync has done: recent runs, the change history, the data's generation, counts.

-- Recent sync runs and the rejects of each.
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

-- The change history since a moment (newest last), at most p_limit entries.
CREATE OR REPLACE FUNCTION crosswalk_changes(p_since timestamptz DEFAULT NULL, p_limit integer DEFAULT 200)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('changes', coalesce(jsonb_agg(jsonb_build_object(
        'id', c.id, 'run_id', c.run_id, 'at', c.at, 'entity', c.entity, 'action', c.action, 'summary', c.summary,
        'source', d.source, 'old', c.old_value, 'new', c.new_value) ORDER BY c.id), '[]'))
    FROM (SELECT * FROM changes WHERE p_since IS NULL OR at >= p_since ORDER BY id DESC LIMIT p_limit) c
    LEFT JOIN documents d ON d.id = c.document_id;
$$;

-- The data's generation: the newest change. Cached answers are good while it stands.
CREATE OR REPLACE FUNCTION crosswalk_generation() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT coalesce(max(id), 0) FROM changes;
$$;

-- Counts for INFO and health.
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
