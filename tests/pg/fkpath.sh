#!/bin/sh
# tests/pg/fkpath.sh — `tenant task__project__organization;` (the tenant
# reached through foreign keys) admits exactly the rows of the hand-written
# join, and PostgreSQL runs it as InitPlans over the foreign-key indexes.
#
# Schema: organizations (bigint keys) own projects (uuid keys), projects
# have tasks (bigint), tasks have comments (bigint): 40 / 4000 / 20000 /
# 30000 rows spread over the organizations by a hash, with NULL foreign keys
# at every level.  The policies are compiled with `rlsc sql --db` (the
# catalog, foreign keys included, read from this database) and applied by
# the non-superuser owner; every check runs as fk_app, an ordinary role.
#
#   phase A  only tasks_comment is protected, so nothing but the path itself
#            filters: for several tenants the visible rows, the rows an
#            UPDATE or DELETE reaches, and the tasks an INSERT or an UPDATE
#            may point a comment to are exactly those of
#              comments JOIN tasks JOIN projects WHERE organization_id = X;
#            over all tenants no row with a broken chain (a NULL anywhere)
#            is admitted, and the tenants partition the intact rows; no
#            context (unset or '') admits nothing; EXPLAIN ANALYZE shows
#            the context read and both subqueries as InitPlans run once,
#            and index scans on the three foreign-key indexes.
#   phase B  every table of the chain gets its tenant rule (the usual
#            setup): the same rows, the same plan properties, and a parent's
#            policies apply inside the path (a project hidden from fk_app
#            hides its comments).
#
# No planner setting is changed: the index scans are PostgreSQL's own choice
# at this size.  TAP; the plan comes at the end.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"
pg_setup_or_skip

q() { pg_psql -d fk -tA -q -v ON_ERROR_STOP=1 "$@"; }
# as_app TENANT SQL: SQL as fk_app with the tenant context set ('-': unset)
as_app() {
    if [ "$1" = - ]; then
        q -c "SET ROLE fk_app" -c "$2"
    else
        q -c "SET ROLE fk_app" -c "SET app.organization_id = '$1'" -c "$2"
    fi
}
# sig QUERY: "count md5" of the ids QUERY returns (its column `id`)
sig() {
    echo "SELECT count(*) || ' ' || md5(coalesce(string_agg(coalesce(id::text, 'null'), ',' ORDER BY id), '')) FROM ($1) s"
}
join_comments() {
    echo "SELECT c.id FROM tasks_comment c JOIN tasks_task t ON t.id = c.task_id
          JOIN projects_project p ON p.id = t.project_id WHERE p.organization_id = $1"
}
join_tasks() {
    echo "SELECT t.id FROM tasks_task t JOIN projects_project p ON p.id = t.project_id
          WHERE p.organization_id = $1"
}
conn="host=$PGSOCK port=$PGPORT user=postgres dbname=fk"
TENANTS="1 7 23 40"

pg_psql -d postgres -q -v ON_ERROR_STOP=1 -c "CREATE ROLE fk_owner" -c "CREATE ROLE fk_app" \
    -c "CREATE DATABASE fk OWNER fk_owner"
q -c "SET ROLE fk_owner" -f - <<'SQL'
CREATE TABLE orgs_organization (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE projects_project (
    id uuid PRIMARY KEY,
    organization_id bigint REFERENCES orgs_organization (id),
    name text NOT NULL);
CREATE TABLE tasks_task (
    id bigint PRIMARY KEY,
    project_id uuid REFERENCES projects_project (id),
    title text NOT NULL);
CREATE TABLE tasks_comment (
    id bigint PRIMARY KEY,
    task_id bigint REFERENCES tasks_task (id),
    body text NOT NULL);
-- the indexes Django creates for its ForeignKeys
CREATE INDEX projects_project_organization_id ON projects_project (organization_id);
CREATE INDEX tasks_task_project_id ON tasks_task (project_id);
CREATE INDEX tasks_comment_task_id ON tasks_comment (task_id);
INSERT INTO orgs_organization SELECT g, 'org ' || g FROM generate_series(1, 40) g;
INSERT INTO projects_project
SELECT md5('p' || g)::uuid,
       CASE WHEN g % 23 = 0 THEN NULL ELSE 1 + (hashint4(g)::bigint & 2147483647) % 40 END,
       'project ' || g
FROM generate_series(1, 4000) g;
INSERT INTO tasks_task
SELECT g,
       CASE WHEN g % 31 = 0 THEN NULL
            ELSE md5('p' || (1 + (hashint4(g + 7)::bigint & 2147483647) % 4000))::uuid END,
       'task ' || g
FROM generate_series(1, 20000) g;
INSERT INTO tasks_comment
SELECT g,
       CASE WHEN g % 37 = 0 THEN NULL
            ELSE 1 + (hashint4(g + 13)::bigint & 2147483647) % 20000 END,
       'comment ' || g
FROM generate_series(1, 30000) g;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO fk_app;
-- not protected, for the checks: comments whose chain has a NULL, and the
-- tasks an insert or update tries (every 40th and 31st: some have no
-- project, some a project without organization), and NULL
CREATE TABLE fk_broken AS
SELECT c.id FROM tasks_comment c
LEFT JOIN tasks_task t ON t.id = c.task_id
LEFT JOIN projects_project p ON p.id = t.project_id
WHERE p.organization_id IS NULL;
CREATE TABLE fk_probe AS
SELECT id AS task_id FROM tasks_task WHERE id % 40 = 0 OR id % 31 = 0
UNION ALL SELECT NULL;
GRANT SELECT ON fk_broken, fk_probe TO fk_app;
ANALYZE orgs_organization, projects_project, tasks_task, tasks_comment, fk_broken, fk_probe;
SQL

# ---- phase A: the path alone

cat >"$PGWORK/a.rls" <<'EOF'
app tasks;
context tenant bigint = 'app.organization_id';

model Comment {
    tenant task__project__organization;
    allow all;
}
EOF
"$RLSC" sql --db "$conn" "$PGWORK/a.rls" >"$PGWORK/a.sql" 2>"$PGWORK/a.err" && [ ! -s "$PGWORK/a.err" ]
tap_result $? "rlsc sql --db compiles tenant task__project__organization from the live catalog"
tap_diag_file "$PGWORK/a.err"
ctx="(SELECT CAST(NULLIF(pg_catalog.current_setting('app.organization_id', true), '') AS bigint))"
want="USING ((\"task_id\" = ANY (ARRAY(SELECT \"t1\".\"id\" FROM \"tasks_task\" \"t1\" WHERE (\"t1\".\"project_id\" = ANY (ARRAY(SELECT \"t2\".\"id\" FROM \"projects_project\" \"t2\" WHERE (\"t2\".\"organization_id\" = $ctx))))))));"
grep -qxF "    $want" "$PGWORK/a.sql"
tap_result $? "the tenant policy is the nested = ANY (ARRAY(...)) form over the foreign keys"
"$RLSC" catalog --db "$conn" >"$PGWORK/cat.rls" 2>/dev/null &&
    "$RLSC" sql --catalog "$PGWORK/cat.rls" "$PGWORK/a.rls" 2>/dev/null | cmp -s - "$PGWORK/a.sql"
tap_result $? "the catalog file rlsc catalog --db writes gives the same SQL"
q -c "SET ROLE fk_owner" -f "$PGWORK/a.sql" >"$PGWORK/apply.out" 2>&1
tap_result $? "the SQL applies"

broken=$(q -c "SELECT (SELECT count(*) FROM tasks_comment WHERE task_id IS NULL) || ' '
  || (SELECT count(*) FROM tasks_comment c JOIN tasks_task t ON t.id = c.task_id WHERE t.project_id IS NULL) || ' '
  || (SELECT count(*) FROM tasks_comment c JOIN tasks_task t ON t.id = c.task_id
      JOIN projects_project p ON p.id = t.project_id WHERE p.organization_id IS NULL)")
# shellcheck disable=SC2086 # three numbers, split on purpose
set -- $broken
[ "${1:-0}" -gt 0 ] && [ "${2:-0}" -gt 0 ] && [ "${3:-0}" -gt 0 ]
tap_result $? "the data has comments with a NULL task, a task with a NULL project, a project with a NULL organization ($broken)"

# check_select LABEL: every tenant of $TENANTS sees exactly its join rows
check_select() {
    for t in $TENANTS; do
        got=$(as_app "$t" "$(sig "SELECT id FROM tasks_comment")")
        exp=$(q -c "$(sig "$(join_comments "$t")")")
        [ "$got" = "$exp" ] && [ "${got%% *}" -gt 0 ]
        tap_result $? "$1: tenant $t sees exactly the comments of the join (${got%% *} rows)"
        [ "$got" = "$exp" ] || tap_diag "got $got, join $exp"
    done
}
check_select "A"

# every tenant at once: no broken chain admitted, the tenants partition the rest
part=$(q -c "SET ROLE fk_app" -f - <<'SQL'
CREATE TEMP TABLE fk_seen (tenant int, id bigint);
DO $$
BEGIN
    FOR t IN 1..41 LOOP
        PERFORM pg_catalog.set_config('app.organization_id', t::text, false);
        INSERT INTO fk_seen SELECT t, id FROM tasks_comment;
    END LOOP;
END
$$;
SELECT (SELECT count(*) FROM fk_seen) || ' ' || (SELECT count(DISTINCT id) FROM fk_seen) || ' '
    || (SELECT count(*) FROM fk_seen WHERE id IN (SELECT id FROM fk_broken)) || ' '
    || (SELECT count(*) FROM fk_seen WHERE tenant = 41);
SQL
)
intact=$(q -c "SELECT count(*) FROM tasks_comment WHERE id NOT IN (SELECT id FROM fk_broken)")
[ "$part" = "$intact $intact 0 0" ]
tap_result $? "over tenants 1..41: no comment with a NULL in its chain is admitted, each intact one to exactly one tenant ($part; $intact intact)"

for how in unset empty; do
    if [ $how = unset ]; then
        got=$(as_app - "SELECT count(*) FROM tasks_comment")
    else
        got=$(as_app "" "SELECT count(*) FROM tasks_comment")
    fi
    [ "$got" = 0 ]
    tap_result $? "no tenant context ($how) admits no comment, and is no error (got '$got')"
done

# probe WRITE TENANT: the tasks of fk_probe that a comment may be given by
# an INSERT (new comment) or an UPDATE (moving a visible one), as "count md5"
probe() {
    if [ "$1" = insert ]; then
        stmt="INSERT INTO tasks_comment (id, task_id, body) VALUES (1000000 + coalesce(r.task_id, 0), r.task_id, 'probe')"
    else
        stmt="UPDATE tasks_comment SET task_id = r.task_id WHERE id = c"
    fi
    q -v tenant="$2" -f - <<SQL
BEGIN;
SET ROLE fk_app;
SET app.organization_id = :'tenant';
CREATE TEMP TABLE fk_accepted (id bigint) ON COMMIT DROP;
DO \$\$
DECLARE
    r record;
    c bigint;
    k int;
BEGIN
    SELECT min(id) INTO c FROM tasks_comment;
    FOR r IN SELECT task_id FROM fk_probe LOOP
        BEGIN
            $stmt;
            GET DIAGNOSTICS k = ROW_COUNT;
            IF k <> 1 THEN
                RAISE EXCEPTION 'no row written for task %', r.task_id;
            END IF;
            INSERT INTO fk_accepted VALUES (r.task_id);
        EXCEPTION WHEN insufficient_privilege THEN
            NULL; -- new row violates row-level security policy
        END;
    END LOOP;
END
\$\$;
$(sig "SELECT id FROM fk_accepted");
ROLLBACK;
SQL
}
for t in 7 23; do
    exp=$(q -c "$(sig "SELECT t.id FROM fk_probe pr JOIN tasks_task t ON t.id = pr.task_id
                       JOIN projects_project p ON p.id = t.project_id WHERE p.organization_id = $t")")
    for w in insert update; do
        got=$(probe $w $t 2>"$PGWORK/probe.err")
        [ "$got" = "$exp" ] && [ "${got%% *}" -gt 0 ]
        tap_result $? "$w as tenant $t: of $(q -c "SELECT count(*) FROM fk_probe") tasks (NULL, broken chains, other tenants) exactly the tenant's ${exp%% *} are accepted"
        [ "$got" = "$exp" ] || tap_diag "got '$got', join $exp" "$(cat "$PGWORK/probe.err")"
    done
done

for w in update delete; do
    if [ $w = update ]; then dml="UPDATE tasks_comment SET body = body || '.' RETURNING id"
    else dml="DELETE FROM tasks_comment RETURNING id"; fi
    got=$(q -c "BEGIN" -c "SET ROLE fk_app" -c "SET app.organization_id = '7'" \
        -c "WITH w AS ($dml) $(sig "SELECT id FROM w")" -c "ROLLBACK")
    exp=$(q -c "$(sig "$(join_comments 7)")")
    [ "$got" = "$exp" ]
    tap_result $? "$w as tenant 7 reaches exactly the comments of the join (${got%% *} rows)"
done

# check_plan LABEL: once per statement, over the foreign-key indexes
check_plan() {
    plan=$(as_app 7 "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT * FROM tasks_comment")
    inits=$(printf '%s\n' "$plan" | grep -c "InitPlan")
    ! printf '%s\n' "$plan" | grep -q "SubPlan" &&
        ! printf '%s\n' "$plan" | grep -E "loops=[0-9]+" | grep -vq "loops=1)" &&
        ! printf '%s\n' "$plan" | grep -q "never executed" &&
        [ "$inits" -ge 3 ]
    tap_result $? "$1: the context read and both subqueries are InitPlans, each run once ($inits InitPlans, no SubPlan, every node loops=1)"
    missing=
    for idx in tasks_comment_task_id tasks_task_project_id projects_project_organization_id; do
        printf '%s\n' "$plan" | grep -Eq "(Index Scan|Index Only Scan) using $idx |Bitmap Index Scan on $idx" ||
            missing="$missing $idx"
    done
    [ -z "$missing" ]
    tap_result $? "$1: the scans use the foreign-key indexes${missing:+ (not:$missing)}"
    if [ -n "$missing" ] || [ "${FKPATH_SHOW_PLAN:-}" = 1 ]; then tap_diag "$plan"; fi
}
check_plan "A"

# ---- phase B: tenant rules on every table of the chain

cat >"$PGWORK/b.rls" <<'EOF'
app tasks;
context tenant bigint = 'app.organization_id';

table projects_project {
    tenant organization_id;
    allow all;
}

model Task {
    tenant project__organization;
    allow all;
}
EOF
"$RLSC" sql --db "$conn" "$PGWORK/b.rls" >"$PGWORK/b.sql" 2>"$PGWORK/b.err" &&
    q -c "SET ROLE fk_owner" -f "$PGWORK/b.sql" >"$PGWORK/apply.out" 2>&1
tap_result $? "B: tenant rules for projects and tasks (tenant project__organization) compile and apply"

check_select "B"
for t in $TENANTS; do
    got=$(as_app "$t" "$(sig "SELECT id FROM tasks_task")")
    exp=$(q -c "$(sig "$(join_tasks "$t")")")
    [ "$got" = "$exp" ] && [ "${got%% *}" -gt 0 ]
    tap_result $? "B: tenant $t sees exactly the tasks of the join (${got%% *} rows)"
done
got=$(as_app - "SELECT (SELECT count(*) FROM tasks_comment) + (SELECT count(*) FROM tasks_task) + (SELECT count(*) FROM projects_project)")
[ "$got" = 0 ]
tap_result $? "B: no tenant context admits no comment, task or project"

# a parent's policies apply inside the path
hidden=$(q -c "SELECT t.project_id FROM tasks_comment c JOIN tasks_task t ON t.id = c.task_id
               JOIN projects_project p ON p.id = t.project_id WHERE p.organization_id = 7
               GROUP BY t.project_id ORDER BY count(*) DESC, t.project_id LIMIT 1")
got=$(q -c "BEGIN" \
    -c "CREATE POLICY fk_hide ON projects_project AS RESTRICTIVE FOR SELECT TO fk_app USING (id <> '$hidden')" \
    -c "SET ROLE fk_app" -c "SET app.organization_id = '7'" \
    -c "$(sig "SELECT id FROM tasks_comment")" -c "ROLLBACK")
exp=$(q -c "$(sig "$(join_comments 7) AND p.id <> '$hidden'")")
all=$(q -c "$(sig "$(join_comments 7)")")
[ "$got" = "$exp" ] && [ "${exp%% *}" -lt "${all%% *}" ]
tap_result $? "B: a project hidden from fk_app by its own policy hides its comments too (${got%% *} of ${all%% *} rows)"

check_plan "B"

tap_plan
exit 0
