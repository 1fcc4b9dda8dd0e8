-- tests/agreement/schema.sql — the schema the agreement corpus is checked on.
--
-- `docs` has one column per PostgreSQL type family rlsc models (named after
-- its type, so a condition reads like what it tests), plus a built-in type
-- rlsc does not model (point, which has no = operator); `accounts` is the
-- second table for subqueries, referenced by docs.account_id.  Plus an enum,
-- domains (over integer, over integer[], over date), and a few user
-- functions (one in its own schema, one overloaded).

CREATE TYPE mood AS ENUM ('happy', 'sad', 'neutral');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN intlist AS integer[];
CREATE DOMAIN day AS date;

CREATE TABLE accounts (
    id          bigint PRIMARY KEY,
    tenant_id   integer NOT NULL,
    name        varchar(40) NOT NULL,
    owner_uuid  uuid,
    active      boolean NOT NULL DEFAULT true,
    opened      date,
    balance     numeric(12,2),
    labels      text[]
);

CREATE TABLE docs (
    id          bigserial PRIMARY KEY,
    account_id  bigint REFERENCES accounts (id),
    i2          smallint,
    i4          integer,
    i8          bigint,
    num         numeric(10,2),
    f4          real,
    f8          double precision,
    txt         text,
    vc          varchar(20),
    ch          char(3),
    flag        boolean,
    d           date,
    ts          timestamp,
    tstz        timestamptz,
    tm          time,
    iv          interval,
    uid         uuid,
    js          json,
    jsb         jsonb,
    bin         bytea,
    ip          inet,
    net         cidr,
    ints        integer[],
    tags        text[],
    md          mood,
    pos         posint,
    pt          point,
    il          intlist,
    dy          day
);

-- user functions: plain, overloaded, and schema-qualified
CREATE FUNCTION is_admin(uid bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$ SELECT uid = 1 $$;
CREATE FUNCTION account_tenant(acc bigint) RETURNS integer
    LANGUAGE sql STABLE AS $$ SELECT tenant_id FROM accounts WHERE id = acc $$;
CREATE FUNCTION label_of(t text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;
CREATE FUNCTION label_of(t text, n integer) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT left(lower(t), n) $$;

-- overloads PostgreSQL resolves by exact match, preferred type or the
-- string category of an unknown literal, or finds ambiguous
CREATE FUNCTION score(n integer) RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT n $$;
CREATE FUNCTION score(n bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$ SELECT n $$;
CREATE FUNCTION tag(t text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT t $$;
CREATE FUNCTION tag(n integer) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT n::text $$;
CREATE FUNCTION stamp(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT t::text $$;
CREATE FUNCTION stamp(n integer) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT n::text $$;
-- a varchar parameter (name converts to it only by assignment)
CREATE FUNCTION vc_len(v varchar) RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT length(v) $$;
-- a set-returning function
CREATE FUNCTION tenant_accounts(t integer) RETURNS SETOF bigint
    LANGUAGE sql STABLE AS $$ SELECT id FROM accounts WHERE tenant_id = t $$;

CREATE SCHEMA sec;
CREATE FUNCTION sec.may_read(acc bigint, who name) RETURNS boolean
    LANGUAGE sql STABLE AS $$ SELECT acc IS NOT NULL AND who IS NOT NULL $$;

-- issue 10: schemas off the search path.  notes exists only in schema
-- other; accounts also exists there, with a text id, so an unqualified
-- accounts must still mean public's.
CREATE SCHEMA other;
CREATE TABLE other.notes (id bigint PRIMARY KEY, doc_id bigint, body text);
CREATE TABLE other.accounts (id text PRIMARY KEY, tenant_id text);

-- issue 10: variadic and polymorphic user functions
CREATE FUNCTION join_all(VARIADIC t text[]) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT array_to_string(t, ',') $$;
CREATE FUNCTION first_of(n integer, VARIADIC t text[]) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT t[n] $$;
CREATE FUNCTION pick(a anyelement, b anyelement) RETURNS anyelement
    LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(a, b) $$;
CREATE FUNCTION has(a anyarray, e anyelement) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT e = ANY (a) $$;
CREATE FUNCTION first_nonarray(a anynonarray) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT a::text $$;
-- issue 10: parameters with defaults; two functions a call cannot tell apart
CREATE FUNCTION within(x integer, lim integer DEFAULT 10) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT x < lim $$;
CREATE FUNCTION near(x integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT x > 0 $$;
CREATE FUNCTION near(x integer, y integer DEFAULT 1) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT x > y $$;

-- user functions named like SQL's keyword calls: trim(x) and
-- substring(x from f) still call pg_catalog's (review of issue 10)
CREATE FUNCTION public.trim(t text) RETURNS integer
    LANGUAGE sql IMMUTABLE AS 'SELECT 1';
CREATE FUNCTION public.substring(t character varying, i integer) RETURNS integer
    LANGUAGE sql IMMUTABLE AS 'SELECT 1';
CREATE FUNCTION public.grouping(i integer) RETURNS text
    LANGUAGE sql IMMUTABLE AS 'SELECT ''a''';
