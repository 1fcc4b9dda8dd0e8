-- tests/difftest/schema.sql — the schema gen.py writes conditions for.
--
-- `t` has one column per type family (named after its type, as in
-- tests/agreement: i2 i4 i8 num f4 f8 txt vc ch flag d ts tstz tm iv uid js
-- jsb bin ip net ints tags, plus an oid and domains over integer, text
-- and integer[]: pos lbl ids); `s` is the second table for subqueries and
-- correlations; `other` is a schema outside the search path with a table of
-- its own (`other.notes`, no `notes` in public) and a table of the same name
-- as one in public (`other.s`).  The functions cover overloads, VARIADIC,
-- anyelement/anyarray polymorphism (domains meet them: issue 10), DEFAULT
-- parameters and a function outside public.  gen.py knows these names and types; keep the
-- two in step.

CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN label AS text;
CREATE DOMAIN intlist AS integer[];

CREATE TABLE s (
    id      bigint PRIMARY KEY,
    t_id    integer,
    name    varchar(40) NOT NULL,
    qty     smallint,
    ratio   numeric(6,3),
    note    text,
    born    date,
    seen    timestamptz,
    owner   uuid,
    ok      boolean,
    words   text[],
    meta    jsonb
);

CREATE TABLE t (
    id      bigserial PRIMARY KEY,
    s_id    bigint REFERENCES s (id),
    i2      smallint,
    i4      integer,
    i8      bigint,
    num     numeric(10,2),
    f4      real,
    f8      double precision,
    txt     text,
    vc      varchar(20),
    ch      char(3),
    flag    boolean,
    d       date,
    ts      timestamp,
    tstz    timestamptz,
    tm      time,
    iv      interval,
    uid     uuid,
    js      json,
    jsb     jsonb,
    bin     bytea,
    ip      inet,
    net     cidr,
    ints    integer[],
    tags    text[],
    o       oid,
    pos     posint,
    lbl     label,
    ids     intlist
);

CREATE SCHEMA other;
CREATE TABLE other.notes (
    id      integer PRIMARY KEY,
    body    text,
    score   numeric,
    at      timestamp,
    t_id    bigint
);
CREATE TABLE other.s (
    id      integer PRIMARY KEY,
    label   char(5),
    amount  double precision
);

-- overloads resolved by exact match, preferred type, or unknown literal
CREATE FUNCTION score(n integer) RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT n $$;
CREATE FUNCTION score(n bigint) RETURNS bigint
    LANGUAGE sql IMMUTABLE AS $$ SELECT n $$;
CREATE FUNCTION tag(x text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT x $$;
CREATE FUNCTION tag(n integer) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT n::text $$;
-- VARIADIC
CREATE FUNCTION vsum(VARIADIC xs integer[]) RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT sum(x)::integer FROM unnest(xs) x $$;
CREATE FUNCTION vjoin(VARIADIC xs text[]) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT array_to_string(xs, ',') $$;
-- polymorphic
CREATE FUNCTION pick(a anyelement, b anyelement) RETURNS anyelement
    LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(a, b) $$;
CREATE FUNCTION first_of(a anyarray) RETURNS anyelement
    LANGUAGE sql IMMUTABLE AS $$ SELECT a[1] $$;
CREATE FUNCTION has(a anyarray, e anyelement) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT e = ANY (a) $$;
-- a DEFAULT parameter
CREATE FUNCTION within(x integer, lim integer DEFAULT 10) RETURNS boolean
    LANGUAGE sql IMMUTABLE AS $$ SELECT x < lim $$;
-- a function outside public
CREATE FUNCTION other.allowed(n bigint) RETURNS boolean
    LANGUAGE sql STABLE AS $$ SELECT n > 0 $$;
