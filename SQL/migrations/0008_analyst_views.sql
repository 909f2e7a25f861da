-- 0008: views for analysts and BI tools (Metabase, Superset, Excel, psql), documented
-- in docs/SQL.md. They are a stable interface: columns are only ever added. Each counts
-- what the protocol counts, so the joins analysts would write by hand (listings × goals
-- × amounts, which count a program once per policy that lists it) are not needed.

-- One row per program × SDG goal × fiscal year × amount kind: a program counts once
-- however many policies list it; its goals are the union of its current listings'
-- goals in that year; its amount is stated once (gross) and divided equally among its
-- goals (split). Programs without goals have no rows here (see analyst_program_years).
CREATE VIEW analyst_program_goal_amounts AS
    WITH program_goals AS (
        SELECT DISTINCT l.program_id, l.fiscal_year, g.goal
        FROM current_listings l JOIN listing_goals g ON g.listing_id = l.id
    ), goal_counts AS (
        SELECT program_id, fiscal_year, count(*)::integer AS goal_count FROM program_goals GROUP BY program_id, fiscal_year
    )
    SELECT nullif(m.name, '') AS municipality, m.code AS municipality_code,
           pg.program_id, p.name AS program_name, p.department, pg.fiscal_year,
           pg.goal, s.name_ja AS goal_name_ja, s.name_en AS goal_name_en, gc.goal_count,
           k.kind AS amount_kind,
           a.thousand_yen AS gross_thousand_yen,
           a.thousand_yen::numeric / gc.goal_count AS split_thousand_yen,
           a.thousand_yen IS NULL AS amount_missing
    FROM program_goals pg
    JOIN goal_counts gc ON gc.program_id = pg.program_id AND gc.fiscal_year = pg.fiscal_year
    JOIN programs p ON p.id = pg.program_id
    JOIN municipalities m ON m.id = p.municipality_id
    JOIN sdg_goals s ON s.goal = pg.goal
    CROSS JOIN (VALUES ('settled'), ('budget'), ('personnel')) AS k (kind)
    LEFT JOIN current_amounts a ON a.program_id = pg.program_id AND a.fiscal_year = pg.fiscal_year AND a.kind = k.kind;

COMMENT ON VIEW analyst_program_goal_amounts IS
    'One row per program × SDG goal × fiscal year × amount kind, de-duplicated: a program listed under several policies counts once. Sum gross_thousand_yen per goal for the gross SDG report, split_thousand_yen for the split one. See docs/SQL.md.';
COMMENT ON COLUMN analyst_program_goal_amounts.municipality IS 'The municipality its source declares; NULL when none is declared.';
COMMENT ON COLUMN analyst_program_goal_amounts.municipality_code IS '全国地方公共団体コード (6 digits), when declared.';
COMMENT ON COLUMN analyst_program_goal_amounts.program_id IS 'The program (programs.id); the same program across years and policies.';
COMMENT ON COLUMN analyst_program_goal_amounts.goal IS 'SDG goal 1–17: one of the union of the goals of the program''s current listings in the year.';
COMMENT ON COLUMN analyst_program_goal_amounts.goal_count IS 'How many goals the program serves in the year (the split divisor).';
COMMENT ON COLUMN analyst_program_goal_amounts.amount_kind IS 'settled (決算額), budget (予算額) or personnel (人件費).';
COMMENT ON COLUMN analyst_program_goal_amounts.gross_thousand_yen IS 'The program''s full amount in thousand yen (千円), counted toward every goal it serves; NULL when the document states none (—): the protocol counts it as 0.';
COMMENT ON COLUMN analyst_program_goal_amounts.split_thousand_yen IS 'gross_thousand_yen / goal_count, exact: the split report''s share of this goal.';
COMMENT ON COLUMN analyst_program_goal_amounts.amount_missing IS 'true when no current document states this amount.';

-- One row per current listing: a program listed under a policy in a fiscal year, with
-- the goals that listing gives. A program under two policies has two rows: do not sum
-- amounts over this view (join analyst_program_years instead).
CREATE VIEW analyst_listings AS
    SELECT l.id AS listing_id, nullif(m.name, '') AS municipality, m.code AS municipality_code,
           o.name AS organization, d.source AS document, l.fiscal_year,
           po.code AS policy_code, po.name AS policy_name, l.row_no, l.relisted,
           l.program_id, p.name AS program_name, p.department, l.grade,
           ARRAY(SELECT g.goal FROM listing_goals g WHERE g.listing_id = l.id ORDER BY g.goal) AS goals
    FROM current_listings l
    JOIN documents d ON d.id = l.document_id
    JOIN organizations o ON o.id = d.organization_id
    JOIN policies po ON po.id = l.policy_id
    JOIN programs p ON p.id = l.program_id
    JOIN municipalities m ON m.id = p.municipality_id;

COMMENT ON VIEW analyst_listings IS
    'One row per current listing (program × policy × fiscal year) with its policy and goals. A program listed under two policies has two rows: count or sum programs through analyst_program_years or analyst_program_goal_amounts. See docs/SQL.md.';
COMMENT ON COLUMN analyst_listings.organization IS 'The organization (局) whose document lists it.';
COMMENT ON COLUMN analyst_listings.document IS 'The source file, relative to its source folder.';
COMMENT ON COLUMN analyst_listings.policy_code IS 'The policy (施策) code as written, e.g. II-3-(2)-②.';
COMMENT ON COLUMN analyst_listings.row_no IS 'The row''s No. under its policy.';
COMMENT ON COLUMN analyst_listings.relisted IS 'true when the document marks the row 再掲 (listed again).';
COMMENT ON COLUMN analyst_listings.grade IS 'The program''s evaluation grade on this listing, as written.';
COMMENT ON COLUMN analyst_listings.goals IS 'The SDG goals this listing gives (inherited policy goals included).';

-- One row per program per fiscal year: how many policies list it, the union of its
-- goals, and its amounts once each.
CREATE VIEW analyst_program_years AS
    WITH years AS (
        SELECT l.program_id, l.fiscal_year, count(DISTINCT l.policy_id)::integer AS policy_count,
               count(*)::integer AS listing_count
        FROM current_listings l GROUP BY l.program_id, l.fiscal_year
    )
    SELECT nullif(m.name, '') AS municipality, m.code AS municipality_code,
           y.program_id, p.name AS program_name, p.department, y.fiscal_year, y.policy_count, y.listing_count,
           ARRAY(SELECT DISTINCT g.goal FROM current_listings l JOIN listing_goals g ON g.listing_id = l.id
                 WHERE l.program_id = y.program_id AND l.fiscal_year = y.fiscal_year ORDER BY g.goal) AS goals,
           (SELECT a.thousand_yen FROM current_amounts a WHERE a.program_id = y.program_id AND a.fiscal_year = y.fiscal_year AND a.kind = 'settled') AS settled_thousand_yen,
           (SELECT a.thousand_yen FROM current_amounts a WHERE a.program_id = y.program_id AND a.fiscal_year = y.fiscal_year AND a.kind = 'budget') AS budget_thousand_yen,
           (SELECT a.thousand_yen FROM current_amounts a WHERE a.program_id = y.program_id AND a.fiscal_year = y.fiscal_year AND a.kind = 'personnel') AS personnel_thousand_yen
    FROM years y
    JOIN programs p ON p.id = y.program_id
    JOIN municipalities m ON m.id = p.municipality_id;

COMMENT ON VIEW analyst_program_years IS
    'One row per program per fiscal year with its goals and amounts stated once: sum amounts here for de-duplicated totals. See docs/SQL.md.';
COMMENT ON COLUMN analyst_program_years.policy_count IS 'How many policies list the program in the year (2 or more: listed under several policies).';
COMMENT ON COLUMN analyst_program_years.listing_count IS 'How many current listings the program has in the year.';
COMMENT ON COLUMN analyst_program_years.goals IS 'The union of the goals of its current listings in the year; empty when none states a goal.';
COMMENT ON COLUMN analyst_program_years.settled_thousand_yen IS '決算額 in thousand yen (千円); NULL when no current document states it.';
COMMENT ON COLUMN analyst_program_years.budget_thousand_yen IS '予算額 in thousand yen (千円); NULL when no current document states it.';
COMMENT ON COLUMN analyst_program_years.personnel_thousand_yen IS '人件費 in thousand yen (千円); NULL when no current document states it.';
