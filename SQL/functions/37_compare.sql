-- Year over year: what changed between two fiscal years (COMPARE, `crosswalk report
-- compare`). Counting follows crosswalk_sdg_report: a program counts once per year
-- however many policies list it, its goals are the union of its listings' goals that
-- year, its amount comes from current_amounts (`—` counts as 0).
--
-- A program is the same in both years when its identity (municipality, normalised
-- name, department) is: a renamed or moved program ends and a new one begins. The
-- renamed/moved candidates are scored in Swift (CrosswalkAnalytics/Compare) from the
-- rows of crosswalk_compare_texts and handed back as p_renamed, never merged.

-- A grade's place on the published scale (5 = 大変順調 … 1 = 遅れ); NULL for grades
-- that say what happens next (継続, 拡充, …) rather than how it went: never compared.
CREATE OR REPLACE FUNCTION crosswalk_grade_rank(p_grade text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_grade WHEN '大変順調' THEN 5 WHEN '順調' THEN 4 WHEN '概ね順調' THEN 3
                        WHEN 'やや遅れ' THEN 2 WHEN '遅れ' THEN 1 END;
$$;

-- One row per program listed in a year (of one organization's documents, one
-- municipality's, or all): its first listing's grade and the first listing with a
-- numeric target and actual for that year, with both numbers.
CREATE OR REPLACE FUNCTION crosswalk_compare_year(p_fiscal_year integer, p_organization text, p_municipality_id bigint)
RETURNS TABLE (program_id bigint, grade text, indicator_name text, target_text text, actual_text text,
               target numeric, actual numeric)
LANGUAGE sql STABLE AS $$
    WITH listed AS (
        SELECT l.id, l.program_id, l.grade FROM crosswalk_year_listings(p_fiscal_year, p_organization, p_municipality_id) l
    ), graded AS (
        SELECT DISTINCT ON (x.program_id) x.program_id, x.grade FROM listed x ORDER BY x.program_id, x.id
    ), measured AS (
        SELECT DISTINCT ON (x.program_id) x.program_id, i.name, t.text AS target_text, a.text AS actual_text,
               t.number AS target, a.number AS actual
        FROM listed x
        JOIN indicators i ON i.listing_id = x.id
        JOIN indicator_values t ON t.listing_id = x.id AND t.fiscal_year = p_fiscal_year AND t.kind = 'target'
        JOIN indicator_values a ON a.listing_id = x.id AND a.fiscal_year = p_fiscal_year AND a.kind = 'actual'
        WHERE t.number IS NOT NULL AND t.number <> 0 AND a.number IS NOT NULL
          AND t.unit IS NOT DISTINCT FROM a.unit
        ORDER BY x.program_id, x.id
    )
    SELECT g.program_id, g.grade, m.name, m.target_text, m.actual_text, m.target, m.actual
    FROM graded g LEFT JOIN measured m ON m.program_id = g.program_id;
$$;

-- The texts similarity compares, for every program listed in either year, with the side
-- it is on: ended (only in p_from), new (only in p_to) or continuing. Continuing programs
-- are there for the n-gram weights (what is common in the city's texts), not as candidates.
CREATE OR REPLACE FUNCTION crosswalk_compare_texts(p_from integer, p_to integer, p_organization text DEFAULT NULL,
                                                   p_municipality text DEFAULT NULL)
RETURNS TABLE (id bigint, municipality_id bigint, side text, name text, department text, summary text,
               indicator_name text)
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    listed AS (
        SELECT l.program_id, l.fiscal_year, i.name AS indicator_name, l.id
        FROM m, crosswalk_listings(m.id) l
        JOIN documents d ON d.id = l.document_id
        JOIN organizations o ON o.id = d.organization_id
        LEFT JOIN indicators i ON i.listing_id = l.id
        WHERE l.fiscal_year IN (p_from, p_to) AND (p_organization IS NULL OR o.name = p_organization)
    ), sides AS (
        SELECT x.program_id,
               CASE WHEN bool_and(x.fiscal_year = p_from) THEN 'ended'
                    WHEN bool_and(x.fiscal_year = p_to) THEN 'new' ELSE 'continuing' END AS side,
               (array_agg(x.indicator_name ORDER BY x.fiscal_year DESC, x.id) FILTER (WHERE x.indicator_name IS NOT NULL))[1] AS indicator_name
        FROM listed x GROUP BY x.program_id
    )
    SELECT p.id, p.municipality_id, s.side, p.name, p.department, p.summary, s.indicator_name
    FROM sides s JOIN programs p ON p.id = s.program_id
    ORDER BY p.id;
$$;

-- The comparison of two fiscal years, as JSON (docs/PROTOCOL.md, COMPARE).
CREATE OR REPLACE FUNCTION crosswalk_compare(p_from integer, p_to integer, p_kind text DEFAULT 'settled',
                                             p_organization text DEFAULT NULL, p_municipality text DEFAULT NULL,
                                             p_renamed jsonb DEFAULT '[]')
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_muni bigint := crosswalk_municipality_id(p_municipality);
    v_result jsonb;
BEGIN
    IF p_kind NOT IN ('settled', 'budget', 'personnel') THEN
        RAISE EXCEPTION 'amount must be budget, settled or personnel, not %', p_kind USING ERRCODE = '22023';
    END IF;
    IF p_from IS NULL OR p_to IS NULL OR p_from >= p_to THEN
        RAISE EXCEPTION 'compare an earlier fiscal year with a later one (FY % FY %)', p_from, p_to USING ERRCODE = '22023';
    END IF;
    WITH a AS (SELECT * FROM crosswalk_year_programs(p_from, p_kind, p_organization, v_muni)),
    b AS (SELECT * FROM crosswalk_year_programs(p_to, p_kind, p_organization, v_muni)),
    ya AS (SELECT * FROM crosswalk_compare_year(p_from, p_organization, v_muni)),
    yb AS (SELECT * FROM crosswalk_compare_year(p_to, p_organization, v_muni)),
    both_years AS (
        SELECT a.program_id, a.name, a.department, a.goals AS goals_from, b.goals AS goals_to,
               a.thousand_yen AS from_yen, b.thousand_yen AS to_yen, a.amount_missing AS from_missing, b.amount_missing AS to_missing
        FROM a JOIN b ON b.program_id = a.program_id
    ), goal_years AS (
        SELECT g.goal, years.year, count(y.program_id) AS programs,
               coalesce(sum(y.thousand_yen), 0) AS gross,
               round(coalesce(sum(y.thousand_yen::numeric / cardinality(y.goals)), 0), 3) AS split
        FROM sdg_goals g
        CROSS JOIN (VALUES (p_from), (p_to)) AS years(year)
        LEFT JOIN (SELECT p_from AS year, a.* FROM a UNION ALL SELECT p_to, b.* FROM b) y
               ON y.year = years.year AND g.goal = ANY (y.goals)
        GROUP BY g.goal, years.year
    ), goal_rows AS (
        SELECT s.goal, s.name_ja, s.name_en, s.color,
               f.programs AS programs_from, t.programs AS programs_to,
               coalesce(f.gross, 0) AS gross_from, coalesce(t.gross, 0) AS gross_to,
               coalesce(f.split, 0) AS split_from, coalesce(t.split, 0) AS split_to
        FROM sdg_goals s
        LEFT JOIN goal_years f ON f.goal = s.goal AND f.year = p_from
        LEFT JOIN goal_years t ON t.goal = s.goal AND t.year = p_to
    )
    SELECT jsonb_build_object(
        'from', p_from,
        'to', p_to,
        'amount', p_kind,
        'organization', p_organization,
        'municipality', p_municipality,
        'municipalities', (SELECT coalesce(jsonb_agg(DISTINCT n ORDER BY n), '[]')
                           FROM (SELECT jsonb_array_elements_text(crosswalk_municipalities_covered(v_muni, p_from)) n
                                 UNION SELECT jsonb_array_elements_text(crosswalk_municipalities_covered(v_muni, p_to))) c),
        'unit', 'thousand_yen',
        'counting', 'a program is the same in both years when its municipality, normalised name and department are; '
            || 'it counts once per year however many policies list it; its goals are the union of its listings'' goals that year; '
            || 'gross: its full amount counts toward each of its goals; split: its amount is divided equally among its goals. '
            || 'Renamed or moved candidates are suggestions scored by similarity, never merged.',
        'totals', jsonb_build_object(
            'programs_from', (SELECT count(*) FROM a), 'programs_to', (SELECT count(*) FROM b),
            'thousand_yen_from', (SELECT coalesce(sum(thousand_yen), 0) FROM a),
            'thousand_yen_to', (SELECT coalesce(sum(thousand_yen), 0) FROM b),
            'change', (SELECT coalesce(sum(thousand_yen), 0) FROM b) - (SELECT coalesce(sum(thousand_yen), 0) FROM a),
            'new', (SELECT count(*) FROM b WHERE b.program_id NOT IN (SELECT program_id FROM a)),
            'ended', (SELECT count(*) FROM a WHERE a.program_id NOT IN (SELECT program_id FROM b)),
            'continuing', (SELECT count(*) FROM both_years),
            'renamed_candidates', jsonb_array_length(coalesce(p_renamed, '[]'))),
        'new', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', b.program_id, 'name', b.name, 'department', b.department,
                                                'goals', to_jsonb(b.goals), 'thousand_yen', b.thousand_yen,
                                                'amount_missing', b.amount_missing) ORDER BY b.name, b.program_id)
            FROM b WHERE b.program_id NOT IN (SELECT program_id FROM a)), '[]'),
        'ended', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', a.program_id, 'name', a.name, 'department', a.department,
                                                'goals', to_jsonb(a.goals), 'thousand_yen', a.thousand_yen,
                                                'amount_missing', a.amount_missing) ORDER BY a.name, a.program_id)
            FROM a WHERE a.program_id NOT IN (SELECT program_id FROM b)), '[]'),
        'continuing', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', c.program_id, 'name', c.name, 'department', c.department,
                                                'thousand_yen_from', c.from_yen, 'thousand_yen_to', c.to_yen,
                                                'change', c.to_yen - c.from_yen,
                                                'amount_missing_from', c.from_missing, 'amount_missing_to', c.to_missing)
                             ORDER BY c.name, c.program_id)
            FROM both_years c), '[]'),
        'renamed', coalesce(p_renamed, '[]'),
        'grades', jsonb_build_object(
            'improved', coalesce((
                SELECT jsonb_agg(jsonb_build_object('id', c.program_id, 'name', c.name, 'department', c.department,
                                                    'from', ga.grade, 'to', gb.grade) ORDER BY c.name, c.program_id)
                FROM both_years c JOIN ya ga ON ga.program_id = c.program_id JOIN yb gb ON gb.program_id = c.program_id
                WHERE crosswalk_grade_rank(gb.grade) > crosswalk_grade_rank(ga.grade)), '[]'),
            'worsened', coalesce((
                SELECT jsonb_agg(jsonb_build_object('id', c.program_id, 'name', c.name, 'department', c.department,
                                                    'from', ga.grade, 'to', gb.grade) ORDER BY c.name, c.program_id)
                FROM both_years c JOIN ya ga ON ga.program_id = c.program_id JOIN yb gb ON gb.program_id = c.program_id
                WHERE crosswalk_grade_rank(gb.grade) < crosswalk_grade_rank(ga.grade)), '[]')),
        'indicators', (
            SELECT jsonb_build_object(
                'toward', coalesce(jsonb_agg(r.entry ORDER BY r.name, r.id) FILTER (WHERE r.rate_to > r.rate_from), '[]'),
                'away', coalesce(jsonb_agg(r.entry ORDER BY r.name, r.id) FILTER (WHERE r.rate_to < r.rate_from), '[]'))
            FROM (
                SELECT c.program_id AS id, c.name, ia.actual / ia.target AS rate_from, ib.actual / ib.target AS rate_to,
                       jsonb_build_object(
                           'id', c.program_id, 'name', c.name, 'department', c.department, 'indicator', coalesce(ib.indicator_name, ia.indicator_name),
                           'from', jsonb_build_object('target', ia.target_text, 'actual', ia.actual_text,
                                                      'achievement_percent', round(ia.actual / ia.target * 100, 1)),
                           'to', jsonb_build_object('target', ib.target_text, 'actual', ib.actual_text,
                                                    'achievement_percent', round(ib.actual / ib.target * 100, 1))) AS entry
                FROM both_years c
                JOIN ya ia ON ia.program_id = c.program_id AND ia.target IS NOT NULL
                JOIN yb ib ON ib.program_id = c.program_id AND ib.target IS NOT NULL) r),
        'goals_changed', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', c.program_id, 'name', c.name, 'department', c.department,
                                                'goals_from', to_jsonb(c.goals_from), 'goals_to', to_jsonb(c.goals_to),
                                                'added', to_jsonb(ARRAY(SELECT unnest(c.goals_to) EXCEPT SELECT unnest(c.goals_from) ORDER BY 1)),
                                                'removed', to_jsonb(ARRAY(SELECT unnest(c.goals_from) EXCEPT SELECT unnest(c.goals_to) ORDER BY 1)))
                             ORDER BY c.name, c.program_id)
            FROM both_years c WHERE c.goals_from <> c.goals_to), '[]'),
        'goals', (SELECT jsonb_agg(jsonb_build_object(
                      'goal', g.goal, 'name_ja', g.name_ja, 'name_en', g.name_en, 'color', g.color,
                      'programs_from', g.programs_from, 'programs_to', g.programs_to,
                      'gross_from', g.gross_from, 'gross_to', g.gross_to, 'gross_change', g.gross_to - g.gross_from,
                      'gross_change_percent', CASE WHEN g.gross_from > 0 THEN round((g.gross_to - g.gross_from) * 100.0 / g.gross_from, 1) END,
                      'split_from', g.split_from, 'split_to', g.split_to, 'split_change', g.split_to - g.split_from,
                      'split_change_percent', CASE WHEN g.split_from > 0 THEN round((g.split_to - g.split_from) * 100.0 / g.split_from, 1) END)
                      ORDER BY g.goal)
                  FROM goal_rows g)
    ) INTO v_result;
    RETURN v_result;
END;
$$;
