-- Rows for the SDG tagging review (REVIEW SDG), computed in Swift (CrosswalkAnalytics/Review):
-- one row per program listed in the year (however many policies list it), with its texts
-- (indicator names as a JSON array) and the goals its listings tag (the union, as the SDG report counts them). Returns at
-- least one row carrying the fiscal year asked for (default: the newest), with NULL
-- columns when that year has nothing to read.
CREATE OR REPLACE FUNCTION crosswalk_review_texts(p_fiscal_year integer, p_municipality text DEFAULT NULL)
RETURNS TABLE (fiscal_year integer, id bigint, name text, department text, summary text,
               indicator_names jsonb, goals smallint[])
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT crosswalk_municipality_id(p_municipality) AS id),
    y AS (SELECT coalesce(p_fiscal_year, crosswalk_latest_year(m.id)) AS year FROM m),
    listed AS (
        SELECT p.id, p.name, p.department, p.summary,
               coalesce(jsonb_agg(DISTINCT i.name) FILTER (WHERE i.name IS NOT NULL), '[]') AS indicator_names,
               coalesce((SELECT array_agg(DISTINCT g.goal ORDER BY g.goal)
                         FROM listing_goals g WHERE g.listing_id = ANY (array_agg(l.id))), '{}')::smallint[] AS goals
        FROM y
        JOIN crosswalk_listings((SELECT id FROM m)) l ON l.fiscal_year = y.year
        JOIN programs p ON p.id = l.program_id
        LEFT JOIN indicators i ON i.listing_id = l.id
        GROUP BY p.id
    )
    SELECT y.year, listed.id, listed.name, listed.department, listed.summary, listed.indicator_names, listed.goals
    FROM y LEFT JOIN listed ON true
    ORDER BY listed.id;
$$;
