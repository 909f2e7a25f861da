-- The migrator's own records, created before anything else on every start.
--
-- crosswalk_migrations: each file of SQL/migrations/ applied, once, with the checksum of
-- its text; an applied migration never changes (a file may name the checksums its
-- text had in earlier releases, see SQL/README.md).
-- crosswalk_definitions: each file of SQL/functions/ with the checksum of the text last
-- applied; a file whose text changed is applied again.

CREATE TABLE IF NOT EXISTS crosswalk_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS crosswalk_definitions (
    name       text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
