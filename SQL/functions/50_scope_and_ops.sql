-- Never a silent empty answer, and what operators and reports ask of the store:
-- the scope check every question runs first, the organizations present, the last sync
-- of the database whoever ran it, and the documents behind a report.

-- `2023 (令和5年度)`: a Gregorian fiscal year with its era name, for messages.
CREATE OR REPLACE FUNCTION crosswalk_year_label(p_year integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_year || CASE
        WHEN p_year >= 2019 THEN ' (令和' || CASE WHEN p_year = 2019 THEN '元' ELSE (p_year - 2018)::text END || '年度)'
        WHEN p_year >= 1989 THEN ' (平成' || CASE WHEN p_year = 1989 THEN '元' ELSE (p_year - 1988)::text END || '年度)'
        ELSE '' END;
$$;

-- Up to five of `p_names` that look like `p_text`: one contains the other (ignoring
-- case, width-insensitive spaces), or trigram similarity of at least 0.2. NULL when none.
CREATE OR REPLACE FUNCTION crosswalk_near_matches(p_text text, p_names text[]) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT string_agg(n, ', ' ORDER BY s DESC, n)
    FROM (SELECT n, similarity(n, p_text) AS s
          FROM unnest(p_names) AS n, LATERAL (SELECT lower(replace(replace(n, ' ', ''), '　', '')) AS a,
                                                     lower(replace(replace(p_text, ' ', ''), '　', '')) AS b) k
          WHERE k.b <> '' AND (strpos(k.a, k.b) > 0 OR strpos(k.b, k.a) > 0 OR similarity(n, p_text) >= 0.2)
          ORDER BY s DESC, n LIMIT 5) m;
$$;

-- Raises `P0002` (no_data_found; the protocol's NOTFOUND) when a question would answer
-- over nothing: a store without listings, a municipality or organization that matches
-- nothing, or a fiscal year without listings in that scope. Each message lists what
-- there is and the near matches. `p_by_year` false: questions not about one year
-- (SEARCH, POLICY, PROGRAM) check only the store and the municipality.
CREATE OR REPLACE FUNCTION crosswalk_check_scope(p_fiscal_year integer, p_organization text, p_municipality text,
                                                 p_by_year boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_muni bigint;
    v_names text[];
    v_where text := '';
    v_years text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM current_listings) THEN
        RAISE EXCEPTION 'the store holds no documents: sync a source folder first (crosswalk sync --source DIR, or SYNC)'
            USING ERRCODE = 'P0002';
    END IF;
    IF p_municipality IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM municipalities WHERE id <> 0 AND (name = p_municipality OR code = p_municipality)) THEN
            SELECT array_agg(DISTINCT m.name ORDER BY m.name) INTO v_names FROM municipalities m WHERE m.id <> 0;
            RAISE EXCEPTION 'no municipality ''%''%; municipalities present: %', p_municipality,
                coalesce('; near matches: ' || crosswalk_near_matches(p_municipality, v_names), ''),
                coalesce((SELECT string_agg(name || coalesce(' (' || code || ')', ''), ', ' ORDER BY name, code)
                          FROM municipalities WHERE id <> 0), 'none (no source declares one)')
                USING ERRCODE = 'P0002';
        END IF;
        -- An ambiguous name raises crosswalk_municipality_id's own argument error.
        v_muni := crosswalk_municipality_id(p_municipality);
        v_where := ' in ' || p_municipality;
    END IF;
    IF p_organization IS NOT NULL THEN
        SELECT array_agg(DISTINCT o.name ORDER BY o.name) INTO v_names
        FROM organizations o
        WHERE (v_muni IS NULL OR o.municipality_id = v_muni)
          AND EXISTS (SELECT 1 FROM documents d WHERE d.organization_id = o.id AND d.ended_at IS NULL);
        IF NOT p_organization = ANY (coalesce(v_names, '{}')) THEN
            RAISE EXCEPTION 'no organization ''%''%; organizations present: %', p_organization,
                v_where || coalesce('; near matches: ' || crosswalk_near_matches(p_organization, v_names), ''),
                coalesce(array_to_string(v_names, ', '), 'none')
                USING ERRCODE = 'P0002';
        END IF;
        v_where := v_where || ' of organization ' || p_organization;
    END IF;
    IF NOT p_by_year AND p_organization IS NULL THEN
        RETURN;
    END IF;
    -- Cheap when answered (an index probe); the years are listed only for the error.
    -- Without a municipality or organization, listings and documents alone: PL/pgSQL's
    -- cached generic plan for the three-table join scans every listing for a year that
    -- has none (Benchmarks/scope).
    IF p_by_year AND p_fiscal_year IS NOT NULL AND v_muni IS NULL AND p_organization IS NULL THEN
        IF EXISTS (
            SELECT 1 FROM listings l JOIN documents d ON d.id = l.document_id
            WHERE l.fiscal_year = p_fiscal_year AND l.ended_at IS NULL AND d.ended_at IS NULL) THEN
            RETURN;
        END IF;
    ELSIF p_by_year AND p_fiscal_year IS NOT NULL THEN
        IF EXISTS (
            SELECT 1 FROM current_listings l
            JOIN documents d ON d.id = l.document_id
            JOIN organizations o ON o.id = d.organization_id
            WHERE l.fiscal_year = p_fiscal_year
              AND (v_muni IS NULL OR o.municipality_id = v_muni)
              AND (p_organization IS NULL OR o.name = p_organization)) THEN
            RETURN;
        END IF;
    ELSIF EXISTS (
        SELECT 1 FROM current_listings l
        JOIN documents d ON d.id = l.document_id
        JOIN organizations o ON o.id = d.organization_id
        WHERE (v_muni IS NULL OR o.municipality_id = v_muni)
          AND (p_organization IS NULL OR o.name = p_organization)) THEN
        RETURN;
    END IF;
    -- The years of listings (a skip scan of the listings_year index: a few probes per
    -- year, not a pass over every listing), each kept when this scope has listings in it.
    WITH RECURSIVE years (y) AS (
        SELECT min(fiscal_year) FROM listings WHERE ended_at IS NULL
        UNION ALL
        SELECT (SELECT min(fiscal_year) FROM listings WHERE ended_at IS NULL AND fiscal_year > years.y)
        FROM years WHERE years.y IS NOT NULL
    )
    -- LATERAL … LIMIT 1, not EXISTS: the planner would turn EXISTS into one hash join
    -- over every listing; this stays one index probe per year.
    SELECT string_agg(crosswalk_year_label(y), ', ' ORDER BY y) INTO v_years
    FROM years, LATERAL (
        SELECT 1 FROM current_listings l
        JOIN documents d ON d.id = l.document_id
        JOIN organizations o ON o.id = d.organization_id
        WHERE l.fiscal_year = years.y
          AND (v_muni IS NULL OR o.municipality_id = v_muni)
          AND (p_organization IS NULL OR o.name = p_organization)
        LIMIT 1) held
    WHERE y IS NOT NULL;
    IF v_years IS NULL OR NOT p_by_year OR p_fiscal_year IS NULL THEN
        RAISE EXCEPTION 'no listings%', v_where USING ERRCODE = 'P0002';
    END IF;
    RAISE EXCEPTION 'no listings for fiscal year %; fiscal years present: %', crosswalk_year_label(p_fiscal_year) || v_where, v_years
        USING ERRCODE = 'P0002';
END;
$$;

-- The organizations whose documents are current (of one municipality, or of all):
-- their municipality, documents, fiscal years, programs and last sync.
CREATE OR REPLACE FUNCTION crosswalk_organizations(p_municipality text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    held AS (
        SELECT o.id, o.name, o.municipality_id, d.id AS document_id, d.fiscal_year, d.synced_at
        FROM organizations o JOIN documents d ON d.organization_id = o.id, m
        WHERE d.ended_at IS NULL AND (m.id IS NULL OR o.municipality_id = m.id)
    )
    SELECT jsonb_build_object(
        'municipality', p_municipality,
        'organizations', coalesce(jsonb_agg(jsonb_build_object(
            'name', o.name,
            'municipality', nullif(mu.name, ''), 'municipality_code', mu.code,
            'documents', (SELECT count(*) FROM held h WHERE h.id = o.id),
            'fiscal_years', (SELECT jsonb_agg(DISTINCT h.fiscal_year) FROM held h WHERE h.id = o.id),
            'programs', (SELECT count(DISTINCT l.program_id) FROM current_listings l JOIN held h ON h.document_id = l.document_id
                         WHERE h.id = o.id),
            'last_synced_at', (SELECT max(h.synced_at) FROM held h WHERE h.id = o.id))
            ORDER BY mu.id = 0, mu.name, o.name), '[]'))
    FROM organizations o JOIN municipalities mu ON mu.id = o.municipality_id
    WHERE o.id IN (SELECT id FROM held);
$$;

-- The last finished sync of this database, whoever ran it (a daemon, `crosswalk sync`
-- from a timer, the SYNC command); dry runs and the run in progress left out. NULL when none.
CREATE OR REPLACE FUNCTION crosswalk_last_sync()
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', r.id, 'status', crosswalk_run_status(r.status), 'trigger', r.trigger,
        'started_at', r.started_at, 'finished_at', r.finished_at,
        'finished_at_epoch', extract(epoch FROM coalesce(r.finished_at, r.started_at))::double precision,
        'duration_ms', r.duration_ms,
        'documents_seen', r.documents_seen, 'documents_unchanged', r.documents_unchanged,
        'documents_applied', r.documents_applied, 'documents_rejected', r.documents_rejected,
        'documents_ended', r.documents_ended, 'error', r.error)
    FROM sync_runs r
    WHERE r.status <> 'dry-run' AND crosswalk_run_status(r.status) <> 'running'
    ORDER BY r.id DESC LIMIT 1;
$$;

-- The current documents a year's answer is read from (of one municipality, or of all),
-- with their sync time: what a report's footer names.
CREATE OR REPLACE FUNCTION crosswalk_report_sources(p_fiscal_year integer, p_municipality text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    y AS (SELECT coalesce(p_fiscal_year, crosswalk_latest_year(m.id)) AS year FROM m)
    SELECT coalesce(jsonb_agg(jsonb_build_object('source', d.source, 'fiscal_year', d.fiscal_year,
                                                 'synced_at', to_char(d.synced_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC')
                              ORDER BY d.source), '[]')
    FROM documents d
    WHERE d.ended_at IS NULL
      AND d.id IN (SELECT l.document_id FROM m, y, crosswalk_listings(m.id) l WHERE l.fiscal_year = y.year);
$$;
