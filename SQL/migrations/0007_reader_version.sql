-- 0007: which version of the reading rules a document was read by (ReaderRules.version).
-- A sync reads a document again when the rules changed since, even if its bytes did not:
-- every document stored before this migration was read by release 1's rules.

ALTER TABLE documents ADD COLUMN reader_version integer NOT NULL DEFAULT 1;
