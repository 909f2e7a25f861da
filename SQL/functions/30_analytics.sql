-- The questions users ask, as SQL functions returning JSON.
--
-- Counting rules (docs/PROTOCOL.md repeats them):
--   * A program counts once per fiscal year however many policies list it.
--   * Its SDG goals are the union of its current listings' goals in that year.
--   * Its amount for a year and kind comes from `current_amounts` (stored once per
--     program; the newest current document that states it wins). `—` counts as 0
--     and is reported as a missing amount.
--   * gross: the program's full amount counts toward each of its goals (goals overlap).
--     split: the amount is divided equally among its goals, so goals sum to the total.

-- Every question can be limited to one municipality (p_municipality: its name or
-- code; NULL: all of them), and each answer names the municipalities it covers.

-- Signatures from before municipalities (release 1): each now takes p_municipality.
DROP FUNCTION IF EXISTS crosswalk_latest_year();
DROP FUNCTION IF EXISTS crosswalk_year_programs(integer, text, text);
DROP FUNCTION IF EXISTS crosswalk_sdg_report(integer, text, text, text);
DROP FUNCTION IF EXISTS crosswalk_goal_programs(integer, integer);
DROP FUNCTION IF EXISTS crosswalk_policies(integer);
DROP FUNCTION IF EXISTS crosswalk_policy(text);
DROP FUNCTION IF EXISTS crosswalk_conflicts(integer, bigint);
DROP FUNCTION IF EXISTS crosswalk_program(bigint, text);
DROP FUNCTION IF EXISTS crosswalk_search(text, integer);
DROP FUNCTION IF EXISTS crosswalk_duplicates(integer, text);
DROP FUNCTION IF EXISTS crosswalk_policy_matrix(integer, text);
DROP FUNCTION IF EXISTS crosswalk_policy_overlap(integer);

-- The municipality a question is limited to, by name or code; NULL for all. An unknown
-- or ambiguous one is an argument error that lists what there is.
CREATE OR REPLACE FUNCTION crosswalk_municipality_id(p_municipality text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_ids bigint[];
BEGIN
    IF p_municipality IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(id ORDER BY id) INTO v_ids
    FROM municipalities WHERE id <> 0 AND (name = p_municipality OR code = p_municipality);
    IF cardinality(v_ids) = 1 THEN
        RETURN v_ids[1];
    ELSIF v_ids IS NULL THEN
        RAISE EXCEPTION 'no municipality ''%''; known: %', p_municipality,
            coalesce((SELECT string_agg(name || coalesce(' (' || code || ')', ''), ', ' ORDER BY name, code)
                      FROM municipalities WHERE id <> 0), 'none (no source declares one)')
            USING ERRCODE = '22023';
    END IF;
    RAISE EXCEPTION '''%'' names % municipalities: give its code (%)', p_municipality, cardinality(v_ids),
        (SELECT string_agg(coalesce(code, 'no code'), ', ' ORDER BY code) FROM municipalities WHERE id = ANY (v_ids))
        USING ERRCODE = '22023';
END;
$$;

-- Current listings of one municipality (of all when NULL).
-- Callers pass the id from a CTE (`FROM m, crosswalk_listings(m.id)`), which makes the
-- test correlated: it must stay a probe of the listing's own program, never a scan of
-- the municipality's programs per listing (that made every MUNI query quadratic: over
-- two minutes for SDG 11 of one city among five, 1,000,000 listings).
CREATE OR REPLACE FUNCTION crosswalk_listings(p_municipality_id bigint) RETURNS SETOF current_listings
LANGUAGE sql STABLE AS $$
    SELECT l.* FROM current_listings l
    WHERE p_municipality_id IS NULL
       OR EXISTS (SELECT 1 FROM programs p WHERE p.id = l.program_id AND p.municipality_id = p_municipality_id);
$$;

-- The current listings of one year, of one organization's documents or all (and of one
-- municipality or all): what every per-year count starts from.
CREATE OR REPLACE FUNCTION crosswalk_year_listings(p_fiscal_year integer, p_organization text,
                                                   p_municipality_id bigint)
RETURNS SETOF current_listings
LANGUAGE sql STABLE AS $$
    SELECT l.* FROM crosswalk_listings(p_municipality_id) l
    JOIN documents d ON d.id = l.document_id
    JOIN organizations o ON o.id = d.organization_id
    WHERE l.fiscal_year = p_fiscal_year AND (p_organization IS NULL OR o.name = p_organization);
$$;

-- The declared municipalities with current listings in a year, by name (sources that
-- declare none are not named).
CREATE OR REPLACE FUNCTION crosswalk_municipalities_covered(p_municipality_id bigint, p_fiscal_year integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(m.name ORDER BY m.name, m.code), '[]')
    FROM municipalities m
    WHERE m.id <> 0 AND (p_municipality_id IS NULL OR m.id = p_municipality_id)
      AND EXISTS (SELECT 1 FROM programs p JOIN current_listings l ON l.program_id = p.id
                  WHERE p.municipality_id = m.id AND (p_fiscal_year IS NULL OR l.fiscal_year = p_fiscal_year));
$$;

-- The newest fiscal year with current listings (of one municipality, or of any).
-- Asked of the documents (a listing's year is its document's), so a municipality's
-- newest year is a probe per document, not a pass over every current listing.
CREATE OR REPLACE FUNCTION crosswalk_latest_year(p_municipality_id bigint DEFAULT NULL) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT max(d.fiscal_year)
    FROM documents d
    JOIN organizations o ON o.id = d.organization_id
    WHERE d.ended_at IS NULL
      AND (p_municipality_id IS NULL OR o.municipality_id = p_municipality_id)
      AND EXISTS (SELECT 1 FROM listings l WHERE l.document_id = d.id AND l.ended_at IS NULL);
$$;

-- One row per program listed in a year: its goals, policies and amount of one kind.
-- Set-based (grouped joins, no per-program subqueries) so it stays linear in size.
CREATE OR REPLACE FUNCTION crosswalk_year_programs(p_fiscal_year integer, p_kind text, p_organization text DEFAULT NULL,
                                                   p_municipality_id bigint DEFAULT NULL)
RETURNS TABLE (program_id bigint, name text, department text, goals smallint[], policy_count integer,
               listing_count integer, thousand_yen bigint, amount_missing boolean)
LANGUAGE sql STABLE AS $$
    WITH listed AS (
        SELECT l.id, l.program_id, l.policy_id FROM crosswalk_year_listings(p_fiscal_year, p_organization, p_municipality_id) l
    ), counted AS (
        SELECT x.program_id, count(DISTINCT x.policy_id)::integer AS policy_count, count(*)::integer AS listing_count
        FROM listed x GROUP BY x.program_id
    ), goal_sets AS (
        SELECT x.program_id, array_agg(DISTINCT g.goal ORDER BY g.goal)::smallint[] AS goals
        FROM listed x JOIN listing_goals g ON g.listing_id = x.id GROUP BY x.program_id
    )
    SELECT p.id, p.name, p.department, coalesce(gs.goals, '{}'::smallint[]), c.policy_count, c.listing_count,
           coalesce(a.thousand_yen, 0), a.thousand_yen IS NULL
    FROM counted c
    JOIN programs p ON p.id = c.program_id
    LEFT JOIN goal_sets gs ON gs.program_id = c.program_id
    LEFT JOIN current_amounts a ON a.program_id = c.program_id AND a.fiscal_year = p_fiscal_year AND a.kind = p_kind;
$$;

-- SDG contribution per goal: programs, counts, amounts, in gross or split mode.
CREATE OR REPLACE FUNCTION crosswalk_sdg_report(p_fiscal_year integer, p_kind text DEFAULT 'settled',
                                                p_mode text DEFAULT 'gross', p_organization text DEFAULT NULL,
                                                p_municipality text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_muni bigint := crosswalk_municipality_id(p_municipality);
    v_year integer := coalesce(p_fiscal_year, crosswalk_latest_year(v_muni));
    v_result jsonb;
BEGIN
    IF p_mode NOT IN ('gross', 'split') THEN
        RAISE EXCEPTION 'mode must be gross or split, not %', p_mode USING ERRCODE = '22023';
    END IF;
    IF p_kind NOT IN ('settled', 'budget', 'personnel') THEN
        RAISE EXCEPTION 'amount must be budget, settled or personnel, not %', p_kind USING ERRCODE = '22023';
    END IF;
    WITH programs_of_year AS (
        SELECT * FROM crosswalk_year_programs(v_year, p_kind, p_organization, v_muni)
    ), per_goal AS (
        SELECT g.goal,
               count(y.program_id) AS programs,
               coalesce(sum(CASE WHEN p_mode = 'gross' THEN y.thousand_yen::numeric
                                 ELSE y.thousand_yen::numeric / cardinality(y.goals) END), 0) AS amount,
               coalesce(jsonb_agg(jsonb_build_object('id', y.program_id, 'name', y.name, 'department', y.department,
                                                     'thousand_yen', y.thousand_yen, 'goals', to_jsonb(y.goals))
                                  ORDER BY y.name) FILTER (WHERE y.program_id IS NOT NULL), '[]') AS program_list
        FROM sdg_goals g
        LEFT JOIN programs_of_year y ON g.goal = ANY (y.goals)
        GROUP BY g.goal
    )
    SELECT jsonb_build_object(
        'fiscal_year', v_year,
        'amount', p_kind,
        'mode', p_mode,
        'organization', p_organization,
        'municipality', p_municipality,
        'municipalities', crosswalk_municipalities_covered(v_muni, v_year),
        'counting', CASE p_mode
            WHEN 'gross' THEN 'gross: each program''s full amount counts toward every goal it serves; goals overlap, so goal amounts add up to more than the total. A program listed under several policies counts once.'
            ELSE 'split: each program''s amount is divided equally among its goals, so goal amounts add up to the de-duplicated total of programs with goals. A program listed under several policies counts once.' END,
        'unit', 'thousand_yen',
        'programs', (SELECT count(*) FROM programs_of_year),
        'total_thousand_yen', (SELECT coalesce(sum(thousand_yen), 0) FROM programs_of_year),
        'total_with_goals_thousand_yen', (SELECT coalesce(sum(thousand_yen), 0) FROM programs_of_year WHERE cardinality(goals) > 0),
        'programs_missing_amount', (SELECT count(*) FROM programs_of_year WHERE amount_missing),
        'goals', (SELECT jsonb_agg(jsonb_build_object(
                        'goal', s.goal, 'name_ja', s.name_ja, 'name_en', s.name_en, 'color', s.color,
                        'programs', pg.programs, 'thousand_yen', round(pg.amount, 3), 'program_list', pg.program_list)
                    ORDER BY s.goal)
                  FROM sdg_goals s JOIN per_goal pg ON pg.goal = s.goal),
        'no_goal', (SELECT jsonb_build_object(
                        'programs', count(*), 'thousand_yen', coalesce(sum(thousand_yen), 0),
                        'program_list', coalesce(jsonb_agg(jsonb_build_object('id', program_id, 'name', name, 'department', department,
                                                                             'thousand_yen', thousand_yen) ORDER BY name), '[]'))
                    FROM programs_of_year WHERE cardinality(goals) = 0)
    ) INTO v_result;
    RETURN v_result;
END;
$$;

-- Programs contributing to one goal, with their policies, amounts and grades.
CREATE OR REPLACE FUNCTION crosswalk_goal_programs(p_goal integer, p_fiscal_year integer DEFAULT NULL,
                                                   p_municipality text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    y AS (SELECT coalesce(p_fiscal_year, crosswalk_latest_year(m.id)) AS year FROM m),
    year_listings AS (
        SELECT l.id, l.program_id, l.policy_id, l.row_no, l.relisted, l.grade
        FROM m, crosswalk_listings(m.id) l JOIN y ON l.fiscal_year = y.year
    ), members AS (
        SELECT DISTINCT yl.program_id FROM year_listings yl JOIN listing_goals g ON g.listing_id = yl.id WHERE g.goal = p_goal
    ), member_listings AS (
        SELECT yl.* FROM year_listings yl JOIN members m ON m.program_id = yl.program_id
    ), goal_sets AS (
        SELECT ml.program_id, to_jsonb(array_agg(DISTINCT g.goal ORDER BY g.goal)) AS goals
        FROM member_listings ml JOIN listing_goals g ON g.listing_id = ml.id GROUP BY ml.program_id
    ), policy_lists AS (
        SELECT ml.program_id,
               jsonb_agg(jsonb_build_object('code', po.code, 'name', po.name, 'no', ml.row_no, 'relisted', ml.relisted,
                                            'grade', ml.grade) ORDER BY po.code_key) AS policies,
               (array_agg(ml.grade ORDER BY ml.id))[1] AS grade
        FROM member_listings ml JOIN policies po ON po.id = ml.policy_id GROUP BY ml.program_id
    ), amount_sets AS (
        SELECT a.program_id, jsonb_object_agg(a.kind, a.thousand_yen) AS amounts
        FROM current_amounts a JOIN y ON a.fiscal_year = y.year JOIN members m ON m.program_id = a.program_id
        GROUP BY a.program_id
    )
    SELECT jsonb_build_object(
        'goal', s.goal, 'name_ja', s.name_ja, 'name_en', s.name_en, 'color', s.color,
        'fiscal_year', (SELECT year FROM y),
        'municipality', p_municipality,
        'municipalities', (SELECT crosswalk_municipalities_covered(m.id, y.year) FROM m, y),
        'programs', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', p.id, 'name', p.name, 'department', p.department, 'goals', gs.goals,
                       'policies', pl.policies, 'amounts', am.amounts, 'grade', pl.grade) ORDER BY p.name, p.id)
            FROM members m
            JOIN programs p ON p.id = m.program_id
            LEFT JOIN goal_sets gs ON gs.program_id = m.program_id
            LEFT JOIN policy_lists pl ON pl.program_id = m.program_id
            LEFT JOIN amount_sets am ON am.program_id = m.program_id), '[]'))
    FROM sdg_goals s WHERE s.goal = p_goal;
$$;

-- Policies listed in a year with their program counts and the bureau's grade.
CREATE OR REPLACE FUNCTION crosswalk_policies(p_fiscal_year integer DEFAULT NULL, p_municipality text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    y AS (SELECT coalesce(p_fiscal_year, crosswalk_latest_year(m.id)) AS year FROM m)
    SELECT jsonb_build_object(
        'fiscal_year', (SELECT year FROM y),
        'municipality', p_municipality,
        'municipalities', (SELECT crosswalk_municipalities_covered(m.id, y.year) FROM m, y),
        'policies', coalesce(jsonb_agg(jsonb_build_object(
            'code', po.code, 'name', po.name,
            'programs', (SELECT count(DISTINCT l.program_id) FROM current_listings l, y WHERE l.policy_id = po.id AND l.fiscal_year = y.year),
            'evaluation', (SELECT pe.grade FROM policy_evaluations pe JOIN documents d ON d.id = pe.document_id, y
                           WHERE pe.policy_id = po.id AND pe.fiscal_year = y.year AND d.ended_at IS NULL AND pe.grade IS NOT NULL LIMIT 1)
        ) ORDER BY po.code_key), '[]'))
    FROM policies po
    WHERE po.id IN (SELECT l.policy_id FROM m, crosswalk_listings(m.id) l, y WHERE l.fiscal_year = y.year);
$$;

-- One policy (code in either width) with its evaluations and programs, newest year first;
-- NULL when unknown. A code that several municipalities use needs p_municipality.
CREATE OR REPLACE FUNCTION crosswalk_policy(p_code_key text, p_municipality text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_muni bigint := crosswalk_municipality_id(p_municipality);
    v_ids bigint[];
BEGIN
    SELECT array_agg(id ORDER BY id) INTO v_ids
    FROM policies WHERE code_key = p_code_key AND (v_muni IS NULL OR municipality_id = v_muni);
    IF v_ids IS NULL THEN
        RETURN NULL;
    ELSIF cardinality(v_ids) > 1 THEN
        RAISE EXCEPTION 'policy % exists in % municipalities (%): name one', p_code_key, cardinality(v_ids),
            (SELECT string_agg(CASE WHEN m.id = 0 THEN 'no municipality declared' ELSE m.name END, ', ' ORDER BY m.name)
             FROM policies po JOIN municipalities m ON m.id = po.municipality_id WHERE po.id = ANY (v_ids))
            USING ERRCODE = '22023';
    END IF;
    RETURN (
    SELECT jsonb_build_object(
        'code', po.code, 'name', po.name,
        'municipality', (SELECT nullif(m.name, '') FROM municipalities m WHERE m.id = po.municipality_id),
        'evaluations', coalesce((
            SELECT jsonb_agg(jsonb_build_object('fiscal_year', pe.fiscal_year, 'grade', pe.grade, 'text', pe.evaluation_text,
                                                'organization', o.name, 'source', d.source, 'lines', to_jsonb(pe.lines))
                             ORDER BY pe.fiscal_year DESC, d.source)
            FROM policy_evaluations pe JOIN documents d ON d.id = pe.document_id JOIN organizations o ON o.id = d.organization_id
            WHERE pe.policy_id = po.id AND d.ended_at IS NULL), '[]'),
        'programs', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', p.id, 'name', p.name, 'department', p.department, 'fiscal_year', l.fiscal_year,
                                                'no', l.row_no, 'relisted', l.relisted, 'grade', l.grade,
                                                'goals', (SELECT to_jsonb(coalesce(array_agg(g.goal ORDER BY g.goal), '{}')) FROM listing_goals g WHERE g.listing_id = l.id),
                                                'settled_thousand_yen', (SELECT a.thousand_yen FROM current_amounts a WHERE a.program_id = p.id AND a.fiscal_year = l.fiscal_year AND a.kind = 'settled'))
                             ORDER BY l.fiscal_year DESC, l.row_no)
            FROM current_listings l JOIN programs p ON p.id = l.program_id
            WHERE l.policy_id = po.id), '[]'))
    FROM policies po WHERE po.id = v_ids[1]);
END;
$$;

-- Programs whose listings disagree on SDG goals, amounts or grades (all programs of
-- a year, or one program when p_program_id is given).
CREATE OR REPLACE FUNCTION crosswalk_conflicts(p_fiscal_year integer DEFAULT NULL, p_program_id bigint DEFAULT NULL,
                                                p_municipality text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    y AS (SELECT coalesce(p_fiscal_year, crosswalk_latest_year(m.id)) AS year FROM m),
    listed AS (
        SELECT l.id, l.program_id, l.row_no, l.grade, po.code, po.name AS policy_name,
               coalesce(l.snapshot->'sdg_goals', '[]') AS goals,
               coalesce(l.snapshot->'amounts', '[]') AS amounts
        FROM m, crosswalk_listings(m.id) l JOIN policies po ON po.id = l.policy_id JOIN y ON l.fiscal_year = y.year
        WHERE p_program_id IS NULL OR l.program_id = p_program_id
    ),
    differing AS (
        SELECT program_id, 'sdg_goals' AS field FROM listed GROUP BY program_id HAVING count(DISTINCT goals) > 1
        UNION ALL
        SELECT program_id, 'amounts' FROM listed GROUP BY program_id HAVING count(DISTINCT amounts) > 1
        UNION ALL
        SELECT program_id, 'grade' FROM listed GROUP BY program_id HAVING count(DISTINCT coalesce(grade, '')) > 1
    ),
    field_values AS (
        SELECT df.program_id, df.field,
               jsonb_agg(jsonb_build_object(
                   'policy_code', x.code, 'policy_name', x.policy_name, 'no', x.row_no,
                   'value', CASE df.field WHEN 'sdg_goals' THEN x.goals WHEN 'amounts' THEN x.amounts ELSE to_jsonb(x.grade) END)
                   ORDER BY x.row_no) AS listings
        FROM differing df JOIN listed x ON x.program_id = df.program_id
        GROUP BY df.program_id, df.field
    ),
    per_program AS (
        SELECT program_id, jsonb_agg(jsonb_build_object('field', field, 'listings', listings) ORDER BY field) AS conflicts
        FROM field_values GROUP BY program_id
    )
    SELECT jsonb_build_object(
        'fiscal_year', (SELECT year FROM y),
        'municipality', p_municipality,
        'municipalities', (SELECT crosswalk_municipalities_covered(m.id, y.year) FROM m, y),
        'programs', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', p.id, 'name', p.name, 'department', p.department, 'conflicts', pp.conflicts,
                                                -- The goal set the SDG report counts for it: the union over its listings.
                                                'counted_goals', (SELECT to_jsonb(coalesce(array_agg(DISTINCT g.goal ORDER BY g.goal), '{}'))
                                                                  FROM listed x JOIN listing_goals g ON g.listing_id = x.id
                                                                  WHERE x.program_id = p.id))
                             ORDER BY p.name, p.id)
            FROM per_program pp JOIN programs p ON p.id = pp.program_id), '[]'));
$$;

-- Everything about one program: by id, or by name (exact, or ignoring width and spaces).
CREATE OR REPLACE FUNCTION crosswalk_program(p_id bigint, p_name_key text, p_municipality text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    target AS (
        SELECT p.* FROM programs p, m
        WHERE ((p_id IS NOT NULL AND p.id = p_id)
               OR (p_name_key IS NOT NULL AND split_part(p.identity_key, '|', 1) = p_name_key))
          AND (m.id IS NULL OR p.municipality_id = m.id)
        ORDER BY p.last_fiscal_year DESC, p.id
        LIMIT 1
    ), its_listings AS (
        SELECT l.* FROM current_listings l WHERE l.program_id = (SELECT id FROM target)
    )
    SELECT jsonb_build_object(
        'id', t.id, 'name', t.name, 'department', t.department, 'former_department', t.former_department,
        'municipality', (SELECT nullif(mu.name, '') FROM municipalities mu WHERE mu.id = t.municipality_id),
        'summary', t.summary, 'first_fiscal_year', t.first_fiscal_year, 'last_fiscal_year', t.last_fiscal_year,
        'goals', (SELECT to_jsonb(coalesce(array_agg(DISTINCT g.goal ORDER BY g.goal), '{}')) FROM its_listings l JOIN listing_goals g ON g.listing_id = l.id),
        'listings', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'fiscal_year', l.fiscal_year, 'policy_code', po.code, 'policy_name', po.name, 'no', l.row_no,
                'relisted', l.relisted, 'grade', l.grade, 'grade_reason', l.grade_reason,
                'goals', (SELECT to_jsonb(coalesce(array_agg(g.goal ORDER BY g.goal), '{}')) FROM listing_goals g WHERE g.listing_id = l.id AND NOT g.inherited),
                'inherited_goals', (SELECT to_jsonb(coalesce(array_agg(g.goal ORDER BY g.goal), '{}')) FROM listing_goals g WHERE g.listing_id = l.id AND g.inherited),
                'indicator', (SELECT jsonb_build_object('name', i.name, 'name_inferred', i.name_inferred, 'baseline', i.baseline,
                                                        'midterm_target', i.midterm_target,
                                                        'values', coalesce((SELECT jsonb_agg(jsonb_build_object('fiscal_year', v.fiscal_year, 'kind', v.kind, 'text', v.text, 'number', round(v.number, greatest(scale(v.number), 1)), 'unit', v.unit) ORDER BY v.fiscal_year, v.kind)
                                                                            FROM indicator_values v WHERE v.listing_id = l.id), '[]'))
                              FROM indicators i WHERE i.listing_id = l.id),
                'source', d.source, 'lines', to_jsonb(l.lines))
                ORDER BY l.fiscal_year DESC, po.code_key)
            FROM its_listings l JOIN policies po ON po.id = l.policy_id JOIN documents d ON d.id = l.document_id), '[]'),
        'amounts', coalesce((
            SELECT jsonb_agg(jsonb_build_object('fiscal_year', a.fiscal_year, 'kind', a.kind, 'thousand_yen', a.thousand_yen)
                             ORDER BY a.fiscal_year, a.kind)
            FROM current_amounts a WHERE a.program_id = t.id), '[]'),
        -- The program year by year: every year it is listed in or has an amount for, with
        -- amounts by kind (and the document each came from), grades, goals, indicator values
        -- of that year, and the documents listing it.
        'history', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'fiscal_year', y.fiscal_year,
                'listed', EXISTS (SELECT 1 FROM its_listings l WHERE l.fiscal_year = y.fiscal_year),
                'amounts', coalesce((SELECT jsonb_object_agg(a.kind, a.thousand_yen) FROM current_amounts a
                                     WHERE a.program_id = t.id AND a.fiscal_year = y.fiscal_year), '{}'),
                'amount_sources', coalesce((SELECT jsonb_object_agg(a.kind, d.source) FROM current_amounts a JOIN documents d ON d.id = a.document_id
                                            WHERE a.program_id = t.id AND a.fiscal_year = y.fiscal_year), '{}'),
                'grades', coalesce((SELECT jsonb_agg(DISTINCT l.grade) FROM its_listings l
                                    WHERE l.fiscal_year = y.fiscal_year AND l.grade IS NOT NULL), '[]'),
                'goals', (SELECT to_jsonb(coalesce(array_agg(DISTINCT g.goal ORDER BY g.goal), '{}')) FROM its_listings l
                          JOIN listing_goals g ON g.listing_id = l.id WHERE l.fiscal_year = y.fiscal_year),
                'indicators', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                            'policy_code', po.code, 'name', i.name,
                                            'values', coalesce((SELECT jsonb_object_agg(v.kind, v.text) FROM indicator_values v
                                                                WHERE v.listing_id = l.id AND v.fiscal_year = y.fiscal_year), '{}'))
                                            ORDER BY po.code_key)
                                        FROM its_listings l JOIN indicators i ON i.listing_id = l.id JOIN policies po ON po.id = l.policy_id
                                        WHERE l.fiscal_year = y.fiscal_year), '[]'),
                'sources', coalesce((SELECT jsonb_agg(DISTINCT d.source) FROM its_listings l JOIN documents d ON d.id = l.document_id
                                     WHERE l.fiscal_year = y.fiscal_year), '[]'))
                ORDER BY y.fiscal_year)
            FROM (SELECT l.fiscal_year FROM its_listings l
                  UNION SELECT a.fiscal_year FROM current_amounts a WHERE a.program_id = t.id) y), '[]'),
        'conflicts', coalesce((SELECT c->'conflicts' FROM jsonb_array_elements(crosswalk_conflicts(t.last_fiscal_year, t.id)->'programs') c), '[]')
    )
    FROM target t;
$$;

-- Programs whose name or summary contains the text (trigram indexes keep it fast).
CREATE OR REPLACE FUNCTION crosswalk_search(p_text text, p_limit integer DEFAULT 50, p_municipality text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    pattern AS (
        SELECT '%' || replace(replace(replace(p_text, '\', '\\'), '%', '\%'), '_', '\_') || '%' AS like
    )
    SELECT jsonb_build_object('query', p_text, 'municipality', p_municipality,
           'municipalities', (SELECT crosswalk_municipalities_covered(m.id, NULL) FROM m),
           'programs', coalesce(jsonb_agg(jsonb_build_object(
               'id', p.id, 'name', p.name, 'department', p.department, 'last_fiscal_year', p.last_fiscal_year,
               'matched', CASE WHEN p.name ILIKE pattern.like THEN 'name' ELSE 'summary' END)
           ORDER BY (p.name ILIKE pattern.like) DESC, p.name), '[]'))
    FROM (SELECT p.* FROM programs p, pattern, m
          WHERE (p.name ILIKE pattern.like OR p.summary ILIKE pattern.like)
            AND (m.id IS NULL OR p.municipality_id = m.id)
            AND EXISTS (SELECT 1 FROM current_listings l WHERE l.program_id = p.id)
          ORDER BY p.name LIMIT p_limit) p, pattern;
$$;

-- Programs listed under two or more policies in a year, and what per-policy totals double count.
CREATE OR REPLACE FUNCTION crosswalk_duplicates(p_fiscal_year integer DEFAULT NULL, p_kind text DEFAULT 'settled',
                                                 p_municipality text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    y AS (SELECT coalesce(p_fiscal_year, crosswalk_latest_year(m.id)) AS year FROM m),
    year_programs AS (SELECT yp.* FROM y, m, crosswalk_year_programs(y.year, p_kind, NULL, m.id) yp),
    duplicated AS (SELECT * FROM year_programs WHERE policy_count >= 2)
    SELECT jsonb_build_object(
        'fiscal_year', (SELECT year FROM y),
        'municipality', p_municipality,
        'municipalities', (SELECT crosswalk_municipalities_covered(m.id, y.year) FROM m, y),
        'amount', p_kind,
        'unit', 'thousand_yen',
        'counting', 'per-policy totals count a program once per policy that lists it; the de-duplicated total counts it once',
        'naive_per_policy_total', (SELECT coalesce(sum(thousand_yen * listing_count), 0) FROM year_programs),
        'deduplicated_total', (SELECT coalesce(sum(thousand_yen), 0) FROM year_programs),
        'double_counted', (SELECT coalesce(sum(thousand_yen * (listing_count - 1)), 0) FROM year_programs),
        'programs', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'id', d.program_id, 'name', d.name, 'department', d.department, 'thousand_yen', d.thousand_yen,
                'counted_extra', d.thousand_yen * (d.listing_count - 1),
                'policies', (SELECT jsonb_agg(jsonb_build_object('code', po.code, 'name', po.name, 'no', l.row_no, 'relisted', l.relisted)
                                              ORDER BY po.code_key)
                             FROM current_listings l JOIN policies po ON po.id = l.policy_id, y
                             WHERE l.program_id = d.program_id AND l.fiscal_year = y.year))
                ORDER BY d.name)
            FROM duplicated d), '[]'));
$$;

-- Policy × SDG matrix: for each policy listed in a year, how many of its programs
-- serve each goal (by the listing under that policy) and their amount (a program
-- appears once per policy that lists it, as in the per-policy view).
CREATE OR REPLACE FUNCTION crosswalk_policy_matrix(p_fiscal_year integer DEFAULT NULL, p_kind text DEFAULT 'settled',
                                                    p_municipality text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    y AS (SELECT coalesce(p_fiscal_year, crosswalk_latest_year(m.id)) AS year FROM m),
    cells AS (
        SELECT l.policy_id, g.goal, count(DISTINCT l.program_id) AS programs,
               coalesce(sum(a.thousand_yen), 0) AS thousand_yen
        FROM m, crosswalk_listings(m.id) l
        JOIN y ON l.fiscal_year = y.year
        JOIN listing_goals g ON g.listing_id = l.id
        LEFT JOIN current_amounts a ON a.program_id = l.program_id AND a.fiscal_year = l.fiscal_year AND a.kind = p_kind
        GROUP BY l.policy_id, g.goal
    )
    SELECT jsonb_build_object(
        'fiscal_year', (SELECT year FROM y),
        'municipality', p_municipality,
        'municipalities', (SELECT crosswalk_municipalities_covered(m.id, y.year) FROM m, y),
        'amount', p_kind,
        'counting', 'per policy: a program listed under two policies appears in both rows; read across a row, a program counts toward each goal of its listing',
        'policies', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'code', po.code, 'name', po.name,
                'goals', (SELECT jsonb_agg(jsonb_build_object('goal', c.goal, 'programs', c.programs, 'thousand_yen', c.thousand_yen) ORDER BY c.goal)
                          FROM cells c WHERE c.policy_id = po.id))
                ORDER BY po.code_key)
            FROM policies po WHERE po.id IN (SELECT policy_id FROM m, crosswalk_listings(m.id) l, y WHERE l.fiscal_year = y.year)), '[]'));
$$;

-- Policy overlap: pairs of policies that list the same programs in a year.
CREATE OR REPLACE FUNCTION crosswalk_policy_overlap(p_fiscal_year integer DEFAULT NULL, p_municipality text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    y AS (SELECT coalesce(p_fiscal_year, crosswalk_latest_year(m.id)) AS year FROM m),
    listed AS (SELECT DISTINCT l.policy_id, l.program_id FROM m, crosswalk_listings(m.id) l, y WHERE l.fiscal_year = y.year),
    pairs AS (
        SELECT a.policy_id AS first_id, b.policy_id AS second_id, array_agg(a.program_id ORDER BY a.program_id) AS program_ids
        FROM listed a JOIN listed b ON a.program_id = b.program_id AND a.policy_id < b.policy_id
        GROUP BY a.policy_id, b.policy_id
    )
    SELECT jsonb_build_object(
        'fiscal_year', (SELECT year FROM y),
        'municipality', p_municipality,
        'municipalities', (SELECT crosswalk_municipalities_covered(m.id, y.year) FROM m, y),
        'pairs', coalesce(jsonb_agg(jsonb_build_object(
            'first', jsonb_build_object('code', p1.code, 'name', p1.name),
            'second', jsonb_build_object('code', p2.code, 'name', p2.name),
            'shared', cardinality(pairs.program_ids),
            'programs', (SELECT jsonb_agg(jsonb_build_object('id', pr.id, 'name', pr.name) ORDER BY pr.name)
                         FROM programs pr WHERE pr.id = ANY (pairs.program_ids)))
            ORDER BY cardinality(pairs.program_ids) DESC, p1.code_key, p2.code_key), '[]'))
    FROM pairs JOIN policies p1 ON p1.id = pairs.first_id JOIN policies p2 ON p2.id = pairs.second_id;
$$;

-- What the store holds, by municipality: organizations, documents, programs and fiscal
-- years (documents of sources that declare no municipality come last, with a null name).
CREATE OR REPLACE FUNCTION crosswalk_municipalities()
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH held AS (
        SELECT o.municipality_id, o.name AS organization, d.id AS document_id, d.fiscal_year
        FROM documents d JOIN organizations o ON o.id = d.organization_id
        WHERE d.ended_at IS NULL
    )
    SELECT jsonb_build_object('municipalities', coalesce(jsonb_agg(jsonb_build_object(
        'name', nullif(m.name, ''), 'code', m.code,
        'organizations', (SELECT jsonb_agg(DISTINCT h.organization) FROM held h WHERE h.municipality_id = m.id),
        'documents', (SELECT count(*) FROM held h WHERE h.municipality_id = m.id),
        'programs', (SELECT count(DISTINCT l.program_id) FROM crosswalk_listings(m.id) l),
        'fiscal_years', (SELECT jsonb_agg(DISTINCT h.fiscal_year) FROM held h WHERE h.municipality_id = m.id))
        ORDER BY m.id = 0, m.name, m.code), '[]'))
    FROM municipalities m
    WHERE EXISTS (SELECT 1 FROM held h WHERE h.municipality_id = m.id);
$$;
