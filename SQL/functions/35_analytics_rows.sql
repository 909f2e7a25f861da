-- Rows for the answers computed in Swift (indicator progress, similar programs): the
-- reading is here, the arithmetic and n-gram scoring in CrosswalkAnalytics.
-- Each returns at least one row carrying the fiscal year asked for (default: the
-- newest), with NULL columns when that year has nothing to read.

DROP FUNCTION IF EXISTS crosswalk_indicator_rows(integer);
DROP FUNCTION IF EXISTS crosswalk_program_texts(integer);

-- Every current listing of the year that has an indicator, with its values, in policy
-- and row order.
CREATE OR REPLACE FUNCTION crosswalk_indicator_rows(p_fiscal_year integer, p_municipality text DEFAULT NULL)
RETURNS TABLE (fiscal_year integer, listing_id bigint, row_no integer, program_id bigint, program_name text,
               department text, policy_code text, policy_name text, indicator_name text, name_inferred boolean,
               baseline text, midterm_target text, indicator_values jsonb)
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    y AS (SELECT coalesce(p_fiscal_year, crosswalk_latest_year(m.id)) AS year FROM m)
    SELECT y.year, l.id, l.row_no, p.id, p.name,
           p.department, po.code, po.name,
           i.name, i.name_inferred, i.baseline, i.midterm_target,
           coalesce((SELECT jsonb_agg(jsonb_build_object('fiscal_year', v.fiscal_year, 'kind', v.kind, 'text', v.text)
                                      ORDER BY v.fiscal_year, v.kind)
                     FROM indicator_values v WHERE v.listing_id = l.id), '[]')
    FROM m CROSS JOIN y
    LEFT JOIN (crosswalk_listings((SELECT id FROM m)) l
               JOIN indicators i ON i.listing_id = l.id
               JOIN programs p ON p.id = l.program_id
               JOIN policies po ON po.id = l.policy_id) ON l.fiscal_year = y.year
    ORDER BY po.code_key, l.row_no, l.id;
$$;

-- One row per program listed in the year (however many policies list it), with the
-- first indicator name its listings give and its municipality (pairs stay within one).
CREATE OR REPLACE FUNCTION crosswalk_program_texts(p_fiscal_year integer, p_municipality text DEFAULT NULL)
RETURNS TABLE (fiscal_year integer, id bigint, municipality_id bigint, name text, department text, summary text,
               indicator_name text)
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    y AS (SELECT coalesce(p_fiscal_year, crosswalk_latest_year(m.id)) AS year FROM m),
    listed AS (
        SELECT p.id, p.municipality_id, p.name, p.department, p.summary,
               (array_agg(i.name ORDER BY l.id) FILTER (WHERE i.name IS NOT NULL))[1] AS indicator_name
        FROM y
        JOIN crosswalk_listings((SELECT id FROM m)) l ON l.fiscal_year = y.year
        JOIN programs p ON p.id = l.program_id
        LEFT JOIN indicators i ON i.listing_id = l.id
        GROUP BY p.id
    )
    SELECT y.year, listed.id, listed.municipality_id, listed.name, listed.department, listed.summary, listed.indicator_name
    FROM y LEFT JOIN listed ON true
    ORDER BY listed.id;
$$;
