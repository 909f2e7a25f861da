-- 0002: the evaluation store.
--
-- Everything read from a document belongs to that document's current version:
-- listings (program × policy × fiscal year), their SDG links and indicators, the
-- program's amounts, the bureau's policy evaluations. Programs and policies are
-- shared across documents and years. Nothing is erased when it disappears from a
-- source: documents and listings get `ended_at`, and `changes` keeps the history.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- One row per `crosswalk sync` run (or daemon sync), whatever its outcome.
CREATE TABLE sync_runs (
    id                  bigserial PRIMARY KEY,
    started_at          timestamptz NOT NULL DEFAULT now(),
    finished_at         timestamptz,
    status              text NOT NULL DEFAULT 'running'
                        CHECK (status IN ('running', 'ok', 'partial', 'failed', 'abandoned', 'dry-run')),
    trigger             text NOT NULL DEFAULT 'cli',
    sources             text[] NOT NULL DEFAULT '{}',
    documents_seen      integer NOT NULL DEFAULT 0,
    documents_unchanged integer NOT NULL DEFAULT 0,
    documents_applied   integer NOT NULL DEFAULT 0,
    documents_rejected  integer NOT NULL DEFAULT 0,
    documents_ended     integer NOT NULL DEFAULT 0,
    listings_added      integer NOT NULL DEFAULT 0,
    listings_changed    integer NOT NULL DEFAULT 0,
    listings_ended      integer NOT NULL DEFAULT 0,
    duration_ms         integer,
    error               text
);

CREATE TABLE organizations (
    id   bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE
);

-- A source file and the version of it now in force.
CREATE TABLE documents (
    id              bigserial PRIMARY KEY,
    source          text NOT NULL UNIQUE,
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    encoding        text NOT NULL CHECK (encoding IN ('utf-8', 'utf-8-bom', 'cp932')),
    fiscal_year     integer NOT NULL CHECK (fiscal_year BETWEEN 1989 AND 2200),
    organization_id bigint NOT NULL REFERENCES organizations,
    warnings        jsonb NOT NULL DEFAULT '[]',
    first_synced_at timestamptz NOT NULL DEFAULT now(),
    synced_at       timestamptz NOT NULL DEFAULT now(),
    run_id          bigint REFERENCES sync_runs,
    ended_at        timestamptz,
    ended_run_id    bigint REFERENCES sync_runs
);

-- Documents that could not be read, with the line and reason.
CREATE TABLE rejects (
    id         bigserial PRIMARY KEY,
    run_id     bigint NOT NULL REFERENCES sync_runs,
    source     text NOT NULL,
    sha256     text,
    line       integer,
    reason     text NOT NULL,
    excerpt    text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rejects_run ON rejects (run_id);

-- 施策: code as written and a width-insensitive key (`II-3-(2)-②` ≡ `II-3-(2)-2`).
CREATE TABLE policies (
    id       bigserial PRIMARY KEY,
    code     text NOT NULL,
    code_key text NOT NULL UNIQUE,
    name     text NOT NULL
);

-- 局施策評価: the bureau's evaluation of a policy in a document's year.
CREATE TABLE policy_evaluations (
    document_id bigint NOT NULL REFERENCES documents,
    policy_id   bigint NOT NULL REFERENCES policies,
    fiscal_year integer NOT NULL,
    grade       text,
    evaluation_text text,
    lines       integer[] NOT NULL,
    PRIMARY KEY (document_id, policy_id)
);

-- A program, known again by its identity key (normalised name + department).
CREATE TABLE programs (
    id                bigserial PRIMARY KEY,
    identity_key      text NOT NULL UNIQUE,
    name              text NOT NULL,
    department        text NOT NULL,
    former_department text,
    summary           text,
    first_fiscal_year integer NOT NULL,
    last_fiscal_year  integer NOT NULL
);
CREATE INDEX programs_name_trgm ON programs USING gin (name gin_trgm_ops);
CREATE INDEX programs_summary_trgm ON programs USING gin (summary gin_trgm_ops);

-- One row of a document: a program listed under a policy in a fiscal year.
-- `snapshot` is the listing as read (JSON of the interchange format) and is what
-- a later sync compares and what the history records.
CREATE TABLE listings (
    id              bigserial PRIMARY KEY,
    document_id     bigint NOT NULL REFERENCES documents,
    program_id      bigint NOT NULL REFERENCES programs,
    policy_id       bigint NOT NULL REFERENCES policies,
    fiscal_year     integer NOT NULL,
    row_no          integer NOT NULL CHECK (row_no > 0),
    relisted        boolean NOT NULL,
    grade           text,
    grade_reason    text,
    lines           integer[] NOT NULL,
    snapshot        jsonb NOT NULL,
    added_run_id    bigint REFERENCES sync_runs,
    changed_run_id  bigint REFERENCES sync_runs,
    ended_at        timestamptz,
    ended_run_id    bigint REFERENCES sync_runs
);
-- No program is listed twice under one policy in one year while both are current.
CREATE UNIQUE INDEX listings_current_unique ON listings (program_id, policy_id, fiscal_year) WHERE ended_at IS NULL;
CREATE INDEX listings_document ON listings (document_id) WHERE ended_at IS NULL;
CREATE INDEX listings_year ON listings (fiscal_year) WHERE ended_at IS NULL;
CREATE INDEX listings_policy ON listings (policy_id) WHERE ended_at IS NULL;

-- Program ↔ SDG links, per listing; a program's set is the union over its listings.
CREATE TABLE listing_goals (
    listing_id bigint NOT NULL REFERENCES listings ON DELETE CASCADE,
    goal       smallint NOT NULL REFERENCES sdg_goals,
    PRIMARY KEY (listing_id, goal)
);
CREATE INDEX listing_goals_goal ON listing_goals (goal);

-- Amounts in thousand yen, once per program, fiscal year and kind in a document,
-- however many policies list the program. NULL = the document writes `—`.
CREATE TABLE amounts (
    document_id  bigint NOT NULL REFERENCES documents,
    program_id   bigint NOT NULL REFERENCES programs,
    fiscal_year  integer NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('settled', 'budget', 'personnel')),
    thousand_yen bigint,
    PRIMARY KEY (document_id, program_id, fiscal_year, kind)
);
CREATE INDEX amounts_program ON amounts (program_id, fiscal_year, kind);

-- 成果指標 of a listing and its yearly values.
CREATE TABLE indicators (
    listing_id     bigint PRIMARY KEY REFERENCES listings ON DELETE CASCADE,
    name           text,
    name_inferred  boolean NOT NULL DEFAULT false,
    baseline       text,
    midterm_target text
);

CREATE TABLE indicator_values (
    listing_id  bigint NOT NULL REFERENCES listings ON DELETE CASCADE,
    fiscal_year integer NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('target', 'actual', 'achievement')),
    text        text NOT NULL,
    number      numeric,
    unit        text,
    PRIMARY KEY (listing_id, fiscal_year, kind)
);

-- What each sync added, changed and ended, with old and new values.
CREATE TABLE changes (
    id          bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES sync_runs,
    at          timestamptz NOT NULL DEFAULT now(),
    entity      text NOT NULL CHECK (entity IN ('document', 'listing', 'policy_evaluation')),
    action      text NOT NULL CHECK (action IN ('added', 'changed', 'ended')),
    document_id bigint REFERENCES documents,
    listing_id  bigint REFERENCES listings,
    summary     text NOT NULL,
    old_value   jsonb,
    new_value   jsonb
);
CREATE INDEX changes_at ON changes (at);
CREATE INDEX changes_run ON changes (run_id);

-- Current views: what queries see. Ended documents and listings drop out here.
CREATE VIEW current_listings AS
    SELECT l.*
    FROM listings l
    JOIN documents d ON d.id = l.document_id
    WHERE l.ended_at IS NULL AND d.ended_at IS NULL;

-- A program's amount for a year and kind, from the newest current document that
-- states it (a later year's document restates last year's settled amount).
CREATE VIEW current_amounts AS
    SELECT DISTINCT ON (a.program_id, a.fiscal_year, a.kind)
           a.program_id, a.fiscal_year, a.kind, a.thousand_yen, a.document_id
    FROM amounts a
    JOIN documents d ON d.id = a.document_id
    WHERE d.ended_at IS NULL
    ORDER BY a.program_id, a.fiscal_year, a.kind, d.fiscal_year DESC, d.id DESC;
