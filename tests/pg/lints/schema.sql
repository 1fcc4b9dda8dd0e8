-- tests/pg/lints.sh: tables without the indexes the policies need, and
-- functions with every mix of SECURITY DEFINER, EXECUTE for PUBLIC and
-- volatility.  The indexes and the REVOKE are added by the test.
CREATE TABLE org (id bigint PRIMARY KEY);
CREATE TABLE project (id bigint PRIMARY KEY, org_id bigint NOT NULL REFERENCES org (id));
CREATE TABLE task (id bigint PRIMARY KEY, project_id bigint NOT NULL REFERENCES project (id));
CREATE INDEX task_project ON task (project_id);
CREATE TABLE doc (id bigint PRIMARY KEY, tenant_id bigint NOT NULL, team_id integer);
CREATE TABLE team_member (team_id integer NOT NULL, user_id integer NOT NULL);
-- indexes that do not help: partial, on an expression, not leading
CREATE INDEX doc_tenant_partial ON doc (tenant_id) WHERE tenant_id > 0;
CREATE INDEX doc_team_expr ON doc ((team_id + 0));
CREATE INDEX team_member_pair ON team_member (team_id, user_id);

CREATE FUNCTION definer_public(bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT $1 > 0';
CREATE FUNCTION definer_revoked(bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT $1 > 0';
REVOKE EXECUTE ON FUNCTION definer_revoked(bigint) FROM PUBLIC;
CREATE FUNCTION invoker(bigint) RETURNS boolean LANGUAGE sql STABLE AS 'SELECT $1 > 0';
CREATE FUNCTION volatile_check(bigint) RETURNS boolean LANGUAGE sql VOLATILE AS 'SELECT $1 > 0';
-- rlsc's own schema: SECURITY DEFINER for PUBLIC by design, not flagged
CREATE SCHEMA rlsc;
CREATE FUNCTION rlsc.helper(bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT $1 > 0';
