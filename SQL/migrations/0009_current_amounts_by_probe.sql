-- 0009: current_amounts without a sort of every amount.
--
-- The view picked each program's amount for a year and kind from its newest current
-- document with DISTINCT ON, which PostgreSQL cannot filter before sorting: every answer
-- that joined it for some programs sorted all amounts of the store first (3.67 million
-- rows, 2.6–3.0 s of one city's SDG 11 at 1,000,000 listings). The same rule as an
-- anti-join — no newer current document states it — lets a join on the program use the
-- amounts_program index. Same rows, same columns (Benchmarks/national/README.md).
CREATE OR REPLACE VIEW current_amounts AS
    SELECT a.program_id, a.fiscal_year, a.kind, a.thousand_yen, a.document_id
    FROM amounts a
    JOIN documents d ON d.id = a.document_id
    WHERE d.ended_at IS NULL
      AND NOT EXISTS (SELECT 1
                      FROM amounts b
                      JOIN documents e ON e.id = b.document_id
                      WHERE b.program_id = a.program_id AND b.fiscal_year = a.fiscal_year AND b.kind = a.kind
                        AND e.ended_at IS NULL AND (e.fiscal_year, e.id) > (d.fiscal_year, d.id));
