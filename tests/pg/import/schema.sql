-- tests/pg/import/schema.sql — the tables of the import round trip
-- (tests/pg/import.sh): applied to the source database, with policies.sql,
-- and to the empty copy that `rlsc sql` fills from what `rlsc import` wrote.
-- Roles are the cluster's: created once, by the source.
CREATE SCHEMA other;
CREATE TABLE public.teams (id integer PRIMARY KEY, name text NOT NULL, owner text);
CREATE TABLE public.members (team_id integer NOT NULL, login text NOT NULL, role text);
CREATE TABLE public.docs (
    id integer PRIMARY KEY,
    owner text NOT NULL,
    tenant_id bigint NOT NULL,
    team_id integer,
    status text,
    tags text[],
    data jsonb,
    created timestamp with time zone,
    due date,
    amount numeric(10,2),
    title character varying(100),
    code character(3),
    flag boolean,
    level smallint,
    "Mixed Col" text,
    "select" integer
);
CREATE TABLE public.audit (id bigint, actor text, action text, at timestamp without time zone);
CREATE TABLE other."Mixed Case" ("ID" integer, "Owner Name" text, note text);
CREATE TABLE other.notes (id integer, author text, body text, private boolean);
CREATE TABLE public.events (id integer, day date NOT NULL, who text) PARTITION BY RANGE (day);
CREATE TABLE public.events_2024 PARTITION OF public.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.rls_only (id integer);
CREATE TABLE public.rls_only_noforce (id integer);
CREATE TABLE public.plain (id integer);
-- names and literals that end a statement, a comment or a string if quoted wrongly
CREATE TABLE public."t""x" (id integer, "na--me" text, "c*/" text);
CREATE FUNCTION public.is_admin(who text) RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT who = 'admin' $$;
CREATE FUNCTION other.team_of(who text) RETURNS integer LANGUAGE sql STABLE
    AS $$ SELECT 1 $$;
