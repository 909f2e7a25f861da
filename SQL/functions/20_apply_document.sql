-- How a sync writes one document. Each function runs inside the caller's transaction.
--
-- crosswalk_apply_document(doc, run) takes one document in the interchange format
-- (`crosswalk.evaluation/1`, one element of "documents") and makes it the current
-- version of its source: listings are matched on (program, policy, fiscal year);
-- unchanged ones stay as they are, changed ones are updated, missing ones are
-- ended, new ones are added — each change recorded in `changes` with old and new
-- values. Every write is set-based (one statement per table, not per row).

-- The municipality a document's source declares: found by name and code, added when
-- new. A code already declared under another name is refused rather than guessed at.
CREATE OR REPLACE FUNCTION crosswalk_declare_municipality(p_name text, p_code text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
    v_other text;
BEGIN
    SELECT id INTO v_id FROM municipalities WHERE id <> 0 AND name = p_name AND code IS NOT DISTINCT FROM p_code;
    IF FOUND THEN
        RETURN v_id;
    END IF;
    SELECT name INTO v_other FROM municipalities WHERE code = p_code;
    IF FOUND THEN
        RAISE EXCEPTION 'municipality code % is declared for both % and %', p_code, v_other, p_name
            USING ERRCODE = '23505';
    END IF;
    INSERT INTO municipalities (name, code) VALUES (p_name, p_code) RETURNING id INTO v_id;
    RETURN v_id;
END;
$$;

-- Signatures before the reader version was recorded (release 1, and the municipalities
-- change): each now takes it.
DROP FUNCTION IF EXISTS crosswalk_apply_document(jsonb, bigint);
DROP FUNCTION IF EXISTS crosswalk_try_apply_document(jsonb, bigint);
DROP FUNCTION IF EXISTS crosswalk_document_versions();

-- Working sets live in arrays, not temporary tables: a statement over a temporary
-- table is planned anew on every call and without statistics, which made each
-- document cost more as the tables grew.
--
-- The statements' plans are made once per session, often while the tables are still
-- empty, and kept for the whole sync. So every lookup of a stored row is written to
-- leave the planner one cheap path whatever its statistics say: a probe per new row
-- (LATERAL … LIMIT 1 on a unique index) or a join on rows the statement itself
-- returned (a CTE over an upsert's RETURNING), never a join it could
-- turn into a scan of every program of the municipality or every listing of the year
-- (which made each document cost more as the store grew: quadratic in a first load).
-- `fiscal_year + 0` keeps the year out of an index condition for the same reason.
CREATE OR REPLACE FUNCTION crosswalk_apply_document(doc jsonb, p_run_id bigint, p_reader_version integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_fiscal_year integer := (doc->>'fiscal_year')::integer;
    v_muni_id     bigint := 0;
    v_org_id      bigint;
    v_doc_id      bigint;
    v_old         documents%ROWTYPE;
    v_new         crosswalk_new_listing[];
    v_unresolved  boolean;
    v_changed_ids bigint[] := '{}';
    v_added       integer := 0;
    v_changed     integer := 0;
    v_ended       integer := 0;
    v_clash       record;
    v_policies    jsonb := doc->'policies';
BEGIN
    -- Everything below is keyed within the municipality (0: none declared).
    IF jsonb_typeof(doc->'municipality') = 'object' THEN
        v_muni_id := crosswalk_declare_municipality(doc->'municipality'->>'name', doc->'municipality'->>'code');
    END IF;
    INSERT INTO organizations (municipality_id, name) VALUES (v_muni_id, doc->>'organization')
    ON CONFLICT (municipality_id, name) DO NOTHING;
    SELECT id INTO v_org_id FROM organizations WHERE municipality_id = v_muni_id AND name = doc->>'organization';

    -- The document row: new, revised, or back after it had disappeared.
    SELECT * INTO v_old FROM documents WHERE source = doc->>'source' FOR UPDATE;
    IF NOT FOUND THEN
        WITH added AS (
            INSERT INTO documents (source, sha256, encoding, fiscal_year, organization_id, warnings, run_id, reader_version)
            VALUES (doc->>'source', doc->>'sha256', doc->>'encoding', v_fiscal_year, v_org_id,
                    coalesce(doc->'warnings', '[]'), p_run_id, p_reader_version)
            RETURNING id
        )
        INSERT INTO changes (run_id, entity, action, document_id, summary, new_value)
        SELECT p_run_id, 'document', 'added', id, 'document ' || (doc->>'source'),
               jsonb_build_object('sha256', doc->>'sha256', 'fiscal_year', v_fiscal_year, 'organization', doc->>'organization')
        FROM added
        RETURNING document_id INTO v_doc_id;
    ELSE
        v_doc_id := v_old.id;
        UPDATE documents SET sha256 = doc->>'sha256', encoding = doc->>'encoding', fiscal_year = v_fiscal_year,
               organization_id = v_org_id, warnings = coalesce(doc->'warnings', '[]'), reader_version = p_reader_version,
               synced_at = now(), run_id = p_run_id, ended_at = NULL, ended_run_id = NULL
        WHERE id = v_doc_id;
        INSERT INTO changes (run_id, entity, action, document_id, summary, old_value, new_value)
        VALUES (p_run_id, 'document', CASE WHEN v_old.ended_at IS NULL THEN 'changed' ELSE 'added' END, v_doc_id,
                'document ' || (doc->>'source'),
                jsonb_build_object('sha256', v_old.sha256, 'fiscal_year', v_old.fiscal_year),
                jsonb_build_object('sha256', doc->>'sha256', 'fiscal_year', v_fiscal_year, 'organization', doc->>'organization'));
    END IF;

    -- Policies are shared; their names follow the newest document read.
    INSERT INTO policies (municipality_id, code, code_key, name)
    SELECT DISTINCT ON (p->>'code_key') v_muni_id, p->>'code', p->>'code_key', p->>'name'
    FROM jsonb_array_elements(doc->'policies') p
    ORDER BY p->>'code_key'
    ON CONFLICT (municipality_id, code_key) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name;

    -- The bureau's evaluations: replaced with the document, differences recorded.
    WITH fresh AS (
        SELECT DISTINCT ON (po.id) po.id AS policy_id, p->>'code' AS code, p->>'evaluation' AS grade,
               p->>'evaluation_text' AS evaluation_text
        FROM jsonb_array_elements(v_policies) p
        JOIN LATERAL (SELECT id FROM policies WHERE municipality_id = v_muni_id AND code_key = p->>'code_key' LIMIT 1) po ON true
        ORDER BY po.id
    ), stored AS (
        SELECT * FROM policy_evaluations WHERE document_id = v_doc_id
    )
    INSERT INTO changes (run_id, entity, action, document_id, summary, old_value, new_value)
    SELECT p_run_id, 'policy_evaluation',
           CASE WHEN o.policy_id IS NULL THEN 'added' WHEN n.policy_id IS NULL THEN 'ended' ELSE 'changed' END,
           v_doc_id, 'policy ' || coalesce(n.code, po.code),
           CASE WHEN o.policy_id IS NOT NULL THEN jsonb_build_object('grade', o.grade, 'evaluation_text', o.evaluation_text) END,
           CASE WHEN n.policy_id IS NOT NULL THEN jsonb_build_object('grade', n.grade, 'evaluation_text', n.evaluation_text) END
    FROM stored o
    FULL JOIN fresh n ON n.policy_id = o.policy_id
    LEFT JOIN LATERAL (SELECT code FROM policies WHERE id = coalesce(o.policy_id, n.policy_id) LIMIT 1) po ON true
    WHERE o.policy_id IS NULL OR n.policy_id IS NULL
       OR o.grade IS DISTINCT FROM n.grade OR o.evaluation_text IS DISTINCT FROM n.evaluation_text;

    -- A new document has nothing stored to replace or compare with.
    IF v_old.id IS NOT NULL THEN
        DELETE FROM policy_evaluations WHERE document_id = v_doc_id;
    END IF;
    INSERT INTO policy_evaluations (document_id, policy_id, fiscal_year, grade, evaluation_text, lines)
    SELECT DISTINCT ON (po.id) v_doc_id, po.id, v_fiscal_year, p->>'evaluation', p->>'evaluation_text',
           ARRAY(SELECT jsonb_array_elements_text(p->'lines')::integer)
    FROM jsonb_array_elements(v_policies) p
    JOIN LATERAL (SELECT id FROM policies WHERE municipality_id = v_muni_id AND code_key = p->>'code_key' LIMIT 1) po ON true
    ORDER BY po.id;

    -- Programs: known again by identity key; descriptive fields follow the newest year.
    -- The document's listings as now read (one per program and policy) take their
    -- program's id from what the upsert returns, their policy's from the first policy
    -- of the document with their code.
    WITH listed AS (
        SELECT l, ord FROM jsonb_array_elements(doc->'listings') WITH ORDINALITY AS x(l, ord)
    ), program AS (
        INSERT INTO programs AS pr (municipality_id, identity_key, name, department, former_department, summary, first_fiscal_year, last_fiscal_year)
        SELECT DISTINCT ON (l->>'program_key') v_muni_id, l->>'program_key', l->>'program', l->>'department',
               l->>'former_department', l->>'summary', v_fiscal_year, v_fiscal_year
        FROM listed
        ORDER BY l->>'program_key', ord
        ON CONFLICT (municipality_id, identity_key) DO UPDATE SET
            name              = CASE WHEN EXCLUDED.last_fiscal_year >= pr.last_fiscal_year THEN EXCLUDED.name ELSE pr.name END,
            department        = CASE WHEN EXCLUDED.last_fiscal_year >= pr.last_fiscal_year THEN EXCLUDED.department ELSE pr.department END,
            former_department = CASE WHEN EXCLUDED.last_fiscal_year >= pr.last_fiscal_year THEN EXCLUDED.former_department ELSE pr.former_department END,
            summary           = CASE WHEN EXCLUDED.last_fiscal_year >= pr.last_fiscal_year THEN EXCLUDED.summary ELSE pr.summary END,
            first_fiscal_year = least(pr.first_fiscal_year, EXCLUDED.first_fiscal_year),
            last_fiscal_year  = greatest(pr.last_fiscal_year, EXCLUDED.last_fiscal_year)
        RETURNING pr.id, pr.identity_key
    ), policy AS (
        SELECT DISTINCT ON (p->>'code') p->>'code' AS code, po.id
        FROM jsonb_array_elements(v_policies) WITH ORDINALITY AS x(p, ord)
        LEFT JOIN LATERAL (SELECT id FROM policies WHERE municipality_id = v_muni_id AND code_key = p->>'code_key' LIMIT 1) po ON true
        ORDER BY p->>'code', x.ord
    )
    SELECT array_agg(row(program_id, policy_id, row_no, relisted, grade, grade_reason, lines, snapshot, ord)::crosswalk_new_listing),
           bool_or(policy_id IS NULL)
    INTO v_new, v_unresolved
    FROM (
        SELECT DISTINCT ON (pr.id, po.id)
               pr.id AS program_id, po.id AS policy_id, (l->>'no')::integer AS row_no,
               coalesce((l->>'relisted')::boolean, false) AS relisted,
               l->>'evaluation' AS grade, l->>'evaluation_reason' AS grade_reason,
               ARRAY(SELECT jsonb_array_elements_text(l->'lines')::integer) AS lines,
               -- No inherited goals: the key is left out, so snapshots taken before it
               -- existed still compare equal.
               CASE WHEN l->'inherited_sdg_goals' = '[]' THEN l - '{lines,inherited_sdg_goals}'::text[] ELSE l - 'lines' END AS snapshot,
               x.ord
        FROM listed x
        JOIN program pr ON pr.identity_key = x.l->>'program_key'
        LEFT JOIN policy po ON po.code = x.l->>'policy_code'
        ORDER BY pr.id, po.id, x.ord
    ) resolved;
    v_new := coalesce(v_new, '{}');

    IF v_unresolved THEN
        RAISE EXCEPTION 'a listing names a policy that the document does not define'
            USING ERRCODE = '23503';
    END IF;

    -- One program, one policy, one year: a second current document may not claim it.
    SELECT n.program_id, n.policy_id, l.document_id INTO v_clash
    FROM unnest(v_new) n
    JOIN LATERAL (
        SELECT document_id FROM listings
        WHERE program_id = n.program_id AND policy_id = n.policy_id AND fiscal_year = v_fiscal_year AND ended_at IS NULL
        LIMIT 1
    ) l ON l.document_id <> v_doc_id
    LIMIT 1;
    IF FOUND THEN
        SELECT pr.name, po.code, d.source INTO v_clash
        FROM programs pr, policies po, documents d
        WHERE pr.id = v_clash.program_id AND po.id = v_clash.policy_id AND d.id = v_clash.document_id;
        RAISE EXCEPTION 'program "%" under policy % for FY% is already listed by %', v_clash.name, v_clash.code, v_fiscal_year, v_clash.source
            USING ERRCODE = '23505';
    END IF;

    IF v_old.id IS NOT NULL THEN
        -- Ended: in the old version, not in the new one.
        WITH gone AS (
            UPDATE listings l SET ended_at = now(), ended_run_id = p_run_id
            WHERE l.document_id = v_doc_id AND l.ended_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM unnest(v_new) n
                              WHERE n.program_id = l.program_id AND n.policy_id = l.policy_id AND l.fiscal_year = v_fiscal_year)
            RETURNING l.id, l.snapshot
        )
        INSERT INTO changes (run_id, entity, action, document_id, listing_id, summary, old_value)
        SELECT p_run_id, 'listing', 'ended', v_doc_id, id,
               (snapshot->>'policy_code') || ' No.' || (snapshot->>'no') || ' ' || (snapshot->>'program'), snapshot
        FROM gone;
        GET DIAGNOSTICS v_ended = ROW_COUNT;

        -- Changed: in both, with different content (moved lines alone are updated silently).
        WITH stored AS (
            SELECT l.id, l.program_id, l.policy_id, l.snapshot, l.lines
            FROM listings l
            WHERE l.document_id = v_doc_id AND l.ended_at IS NULL AND l.fiscal_year + 0 = v_fiscal_year
        ), revised AS (
            UPDATE listings l SET row_no = n.row_no, relisted = n.relisted, grade = n.grade,
                   grade_reason = n.grade_reason, lines = n.lines, snapshot = n.snapshot,
                   changed_run_id = CASE WHEN o.snapshot IS DISTINCT FROM n.snapshot THEN p_run_id ELSE l.changed_run_id END
            FROM stored o
            JOIN unnest(v_new) n ON n.program_id = o.program_id AND n.policy_id = o.policy_id
            WHERE l.id = o.id AND (o.snapshot IS DISTINCT FROM n.snapshot OR o.lines IS DISTINCT FROM n.lines)
            RETURNING l.id, o.snapshot AS old_snapshot, n.snapshot AS new_snapshot
        ), recorded AS (
            INSERT INTO changes (run_id, entity, action, document_id, listing_id, summary, old_value, new_value)
            SELECT p_run_id, 'listing', 'changed', v_doc_id, id,
                   (new_snapshot->>'policy_code') || ' No.' || (new_snapshot->>'no') || ' ' || (new_snapshot->>'program'),
                   old_snapshot, new_snapshot
            FROM revised WHERE old_snapshot IS DISTINCT FROM new_snapshot
            RETURNING listing_id
        )
        SELECT coalesce(array_agg(listing_id), '{}') INTO v_changed_ids FROM recorded;
        v_changed := cardinality(v_changed_ids);

        -- A changed listing's SDG links and indicator are rebuilt from its new snapshot.
        IF v_changed > 0 THEN
            DELETE FROM listing_goals WHERE listing_id = ANY (v_changed_ids);
            DELETE FROM indicator_values WHERE listing_id = ANY (v_changed_ids);
            DELETE FROM indicators WHERE listing_id = ANY (v_changed_ids);
        END IF;

        DELETE FROM amounts WHERE document_id = v_doc_id;
    END IF;

    -- Added: in the new version only. One statement writes them with their history,
    -- the SDG links and indicator of each listing added or changed (from the snapshot
    -- in hand, not read back), and the document's amounts.
    WITH fresh AS (
        INSERT INTO listings (document_id, program_id, policy_id, fiscal_year, row_no, relisted, grade,
                              grade_reason, lines, snapshot, added_run_id)
        SELECT v_doc_id, n.program_id, n.policy_id, v_fiscal_year, n.row_no, n.relisted, n.grade,
               n.grade_reason, n.lines, n.snapshot, p_run_id
        FROM unnest(v_new) n
        WHERE NOT EXISTS (
            SELECT 1 FROM listings o
            WHERE o.document_id = v_doc_id AND o.ended_at IS NULL AND o.program_id = n.program_id
              AND o.policy_id = n.policy_id AND o.fiscal_year + 0 = v_fiscal_year)
        ORDER BY n.ord
        RETURNING id, snapshot
    ), recorded AS (
        INSERT INTO changes (run_id, entity, action, document_id, listing_id, summary, new_value)
        SELECT p_run_id, 'listing', 'added', v_doc_id, id,
               (snapshot->>'policy_code') || ' No.' || (snapshot->>'no') || ' ' || (snapshot->>'program'), snapshot
        FROM fresh
    ), touched AS (
        SELECT id, snapshot FROM fresh
        UNION ALL
        SELECT l.id, l.snapshot
        FROM unnest(v_changed_ids) c(id), LATERAL (SELECT id, snapshot FROM listings WHERE id = c.id LIMIT 1) l
    ), goals AS (
        -- A goal the program states is not inherited, even when its policy gives it too.
        INSERT INTO listing_goals (listing_id, goal, inherited)
        SELECT t.id, g.goal, bool_and(g.inherited)
        FROM touched t,
             LATERAL (SELECT value::smallint AS goal, false AS inherited
                      FROM jsonb_array_elements_text(coalesce(t.snapshot->'sdg_goals', '[]'))
                      UNION ALL
                      SELECT value::smallint, true
                      FROM jsonb_array_elements_text(coalesce(t.snapshot->'inherited_sdg_goals', '[]'))) g
        GROUP BY t.id, g.goal
    ), indicator AS (
        INSERT INTO indicators (listing_id, name, name_inferred, baseline, midterm_target)
        SELECT t.id, i->>'name', coalesce((i->>'name_inferred')::boolean, false), i->>'baseline', i->>'midterm_target'
        FROM touched t, LATERAL (SELECT t.snapshot->'indicator' AS i) x
        WHERE jsonb_typeof(i) = 'object'
    ), indicator_value AS (
        INSERT INTO indicator_values (listing_id, fiscal_year, kind, text, number, unit)
        SELECT DISTINCT ON (t.id, (v->>'fiscal_year')::integer, v->>'kind')
               t.id, (v->>'fiscal_year')::integer, v->>'kind', v->>'text', (v->>'number')::numeric, v->>'unit'
        FROM touched t,
             jsonb_array_elements(CASE WHEN jsonb_typeof(t.snapshot->'indicator'->'values') = 'array'
                                       THEN t.snapshot->'indicator'->'values' ELSE '[]' END) v
    ), amount AS (
        -- Amounts: once per program, year and kind, from the program's first listing.
        INSERT INTO amounts (document_id, program_id, fiscal_year, kind, thousand_yen)
        SELECT DISTINCT ON (n.program_id, (a->>'fiscal_year')::integer, a->>'kind')
               v_doc_id, n.program_id, (a->>'fiscal_year')::integer, a->>'kind', (a->>'thousand_yen')::bigint
        FROM unnest(v_new) n, jsonb_array_elements(coalesce(n.snapshot->'amounts', '[]')) a
        ORDER BY n.program_id, (a->>'fiscal_year')::integer, a->>'kind', n.ord
    )
    SELECT count(*) INTO v_added FROM fresh;

    RETURN jsonb_build_object('document_id', v_doc_id, 'added', v_added, 'changed', v_changed,
                              'ended', v_ended, 'unchanged', cardinality(v_new) - v_added - v_changed);
END;
$$;

-- Ends a document that is no longer in its source, with all its current listings.
CREATE OR REPLACE FUNCTION crosswalk_end_document(p_source text, p_run_id bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_doc documents%ROWTYPE;
    v_listings integer;
BEGIN
    SELECT * INTO v_doc FROM documents WHERE source = p_source AND ended_at IS NULL FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    UPDATE documents SET ended_at = now(), ended_run_id = p_run_id WHERE id = v_doc.id;
    INSERT INTO changes (run_id, entity, action, document_id, summary, old_value)
    VALUES (p_run_id, 'document', 'ended', v_doc.id, 'document ' || p_source,
            jsonb_build_object('sha256', v_doc.sha256, 'fiscal_year', v_doc.fiscal_year));
    WITH gone AS (
        UPDATE listings SET ended_at = now(), ended_run_id = p_run_id
        WHERE document_id = v_doc.id AND ended_at IS NULL
        RETURNING id, snapshot
    )
    INSERT INTO changes (run_id, entity, action, document_id, listing_id, summary, old_value)
    SELECT p_run_id, 'listing', 'ended', v_doc.id, id,
           (snapshot->>'policy_code') || ' No.' || (snapshot->>'no') || ' ' || (snapshot->>'program'), snapshot
    FROM gone;
    GET DIAGNOSTICS v_listings = ROW_COUNT;
    RETURN v_listings;
END;
$$;

-- crosswalk_apply_document in a subtransaction: a document that fails leaves nothing
-- behind and the caller's transaction goes on. Returns the outcome, or
-- {"error": message, "sqlstate": code} — so a sync can apply many documents in one
-- transaction, each atomically, without a savepoint round trip per document.
CREATE OR REPLACE FUNCTION crosswalk_try_apply_document(doc jsonb, p_run_id bigint, p_reader_version integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN crosswalk_apply_document(doc, p_run_id, p_reader_version);
EXCEPTION WHEN OTHERS THEN
    RETURN jsonb_build_object('error', SQLERRM, 'sqlstate', SQLSTATE);
END;
$$;

-- The version in force of every current document: what a sync compares the files with.
CREATE OR REPLACE FUNCTION crosswalk_document_versions()
RETURNS TABLE (source text, sha256 text, municipality text, municipality_code text, reader_version integer)
LANGUAGE sql STABLE AS $$
    SELECT d.source, d.sha256, nullif(m.name, ''), m.code, d.reader_version
    FROM documents d
    JOIN organizations o ON o.id = d.organization_id
    JOIN municipalities m ON m.id = o.municipality_id
    WHERE d.ended_at IS NULL;
$$;
