-- 0003: the type the sync functions (SQL/functions/20_apply_document.sql) build listings in.
--
-- Until release 1 this file also held functions, which now live, once, in SQL/functions/.
-- A database migrated by release 1 recorded the checksum of that text:
-- previous checksum: 96ca2699cd6a962776d1a1e42148945215e6950b4a840159571e7ad1c937ad5b

-- One listing of a document as read, resolved to program and policy ids.
-- Lines are provenance, not content: `snapshot` (what versions are compared on and
-- what the history records) leaves them out.
CREATE TYPE crosswalk_new_listing AS (
    program_id   bigint,
    policy_id    bigint,
    row_no       integer,
    relisted     boolean,
    grade        text,
    grade_reason text,
    lines        integer[],
    snapshot     jsonb,
    ord          bigint
);
