#!/bin/sh
# tests/pg/explain.sh — the plans PostgreSQL makes for compiled policies:
# every context read once per statement, no per-row subquery, and the
# indexes a Django schema has.  TAP.
#
# Dataset (Django-like, ANALYZEd): 100 tenants, 10 projects and 10 users
# each, memberships (unique (user_id, tenant_id), index on tenant_id, plus
# consultants in three tenants each), and one invoices table per pattern,
# 50,000 rows (500 per tenant, interleaved as rows inserted over time are)
# with the indexes Django creates for its ForeignKeys (tenant_id, owner_id,
# project_id).  The patterns of bench/policies, compiled by $RLSC with
# `rlsc sql --db` and applied by the tables' owner (the tables get FORCE):
#
#   tenant   tenant tenant_id;                    owner   owner_id = $user
#   member   tenant_id in (select tenant_id from billing_membership where user_id = $user)
#   path     tenant project__tenant;              deny    tenant + deny all using (status = 'void')
#   cond     tenant + allow select / insert check / update using ... check / delete using
#   grant    tenant + grant view, add, change, delete, with the permission
#            decisions the Django runtime hands over (rlsc.perms): the
#            CASE that reads them is one more InitPlan
#
# Every plan is EXPLAIN (FORMAT JSON, COSTS OFF, VERBOSE) as billing_app (not
# a superuser, no BYPASSRLS, not the owner) in a transaction whose contexts
# are set as the rlsc middleware sets them, set_config(..., true).  VERBOSE
# prints the InitPlans' Output, so the context reads can be seen where
# they are evaluated.  tests/pg/plancheck.py checks each plan (its header
# defines the assertions):
#
#   once    current_setting only inside InitPlans, no SubPlan at all
#           (point lookup, aggregate, insert, update of every pattern)
#   pkey    the point lookup (and the UPDATE ... WHERE id =) is an Index
#           Scan on the primary key, the policy a Filter of InitPlan
#           parameters ($n) that read the pattern's contexts
#   index   the aggregate scans the pattern's index (Index Scan or Bitmap
#           Index Scan, whichever the planner prefers) with an Index Cond
#           on an InitPlan's parameter: tenant_id = $n, owner_id = $n,
#           tenant_id = ANY ($n) whose InitPlan reads billing_membership
#           through (user_id, tenant_id), project_id = ANY ($n) whose
#           InitPlan reads billing_project through its tenant_id index and
#           itself has the context's InitPlan
#   check   INSERT ... RETURNING and UPDATE ... WHERE id =: the WITH CHECK
#           conditions (which EXPLAIN does not print) have InitPlans too
#
# Negative controls prove each assertion can fail; the checker must reject
# each of these plans for the expected reason: a hand-written policy
# without the scalar-subquery wrapper (`tenant_id =
# current_setting('app.tenant_id')::bigint`, evaluated per row), one with a
# correlated subquery (a SubPlan per row), one in Django's `IN (SELECT ...)`
# (a hashed SubPlan), the compiled policies with index scans disabled, or
# without the membership's or the projects' index (dropped in a rolled-back
# transaction), the right plans checked for the wrong context, and the
# path's plan edited so that the context's InitPlan is not nested.
#
# No planner setting is changed for the compiled policies.  The tables
# (about 470 pages) are below min_parallel_table_scan_size (8 MB), so
# PostgreSQL considers no parallel plan for them, even at zero parallel
# costs; and the index plans cost half the sequential scans or less in the
# planner's estimates, so ANALYZE's sampling cannot tip them.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"
# the checker needs python3's standard library only
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 2>/dev/null) || tap_skip_all "python3 not found"
pg_setup_or_skip

q() { pg_psql -d billing -tA -q -v ON_ERROR_STOP=1 "$@"; }
conn="host=$PGSOCK port=$PGPORT user=postgres dbname=billing"
PATTERNS="tenant owner member path deny cond grant"
T=7                       # the contexts: tenant 7, its first user 61,
U=61                      # an invoice of tenant 7 (ids t + 100 k)
ID=507
# the decisions the Django runtime hands over with $user (only grant reads them)
PERMS='{"+billing.view_invgrant","+billing.add_invgrant","+billing.change_invgrant","+billing.delete_invgrant"}'

pg_psql -d postgres -q -v ON_ERROR_STOP=1 -c "CREATE ROLE billing_owner" \
    -c "CREATE ROLE billing_app" -c "CREATE DATABASE billing OWNER billing_owner"
q -c "SET ROLE billing_owner" -f - <<'SQL' || tap_bail "the dataset could not be built"
CREATE TABLE auth_user (
    id serial PRIMARY KEY,
    username varchar(150) NOT NULL UNIQUE,
    is_active boolean NOT NULL);
CREATE TABLE billing_tenant (id bigserial PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE billing_project (
    id bigserial PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES billing_tenant (id) DEFERRABLE INITIALLY DEFERRED,
    name varchar(100) NOT NULL);
CREATE INDEX billing_project_tenant_id ON billing_project (tenant_id);
CREATE TABLE billing_membership (
    id bigserial PRIMARY KEY,
    user_id integer NOT NULL REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED,
    tenant_id bigint NOT NULL REFERENCES billing_tenant (id) DEFERRABLE INITIALLY DEFERRED,
    role varchar(20) NOT NULL,
    CONSTRAINT billing_membership_user_tenant_uniq UNIQUE (user_id, tenant_id));
CREATE INDEX billing_membership_tenant_id ON billing_membership (tenant_id);
-- users 1..1000: user u is the ((u-1) % 10)-th of tenant (u-1)/10 + 1;
-- users 1001..1200 consult for three tenants each
INSERT INTO auth_user SELECT u, 'user' || u, true FROM generate_series(1, 1200) u;
INSERT INTO billing_tenant SELECT t, 'tenant ' || t FROM generate_series(1, 100) t;
INSERT INTO billing_project
SELECT (t - 1) * 10 + k, t, 'project ' || k FROM generate_series(1, 100) t, generate_series(1, 10) k;
INSERT INTO billing_membership (user_id, tenant_id, role)
SELECT u, (u - 1) / 10 + 1, 'member' FROM generate_series(1, 1000) u;
INSERT INTO billing_membership (user_id, tenant_id, role)
SELECT 1000 + u, (u * 7 + x * 31) % 100 + 1, 'consultant'
FROM generate_series(1, 200) u, generate_series(0, 2) x;
-- invoice i: tenant t = (i-1) % 100 + 1, the tenant's rows interleaved
-- with the others' over the whole table; owner and project among the
-- tenant's ten
CREATE TEMP TABLE seed AS
SELECT i::bigint AS id, ((i - 1) % 100 + 1)::bigint AS tenant_id,
       (((i - 1) % 100) * 10 + (i - 1) / 100 % 10 + 1)::integer AS owner_id,
       (((i - 1) % 100) * 10 + (i - 1) / 1000 % 10 + 1)::bigint AS project_id,
       (CASE WHEN (i - 1) / 100 % 20 = 19 THEN 'void'
             ELSE (ARRAY['draft', 'sent', 'paid'])[(i - 1) / 100 % 3 + 1] END)::varchar(10) AS status,
       ((i * 7919) % 100000 / 100.0)::numeric(12, 2) AS amount
FROM generate_series(1, 50000) i;
-- one table per pattern, and billing_invbad for the negative controls;
-- keys, indexes and foreign keys added after the load (faster than 150,000
-- row-by-row foreign-key checks per table)
DO $$
DECLARE
    p text;
BEGIN
    FOREACH p IN ARRAY ARRAY['tenant', 'owner', 'member', 'path', 'deny', 'cond', 'grant', 'bad'] LOOP
        EXECUTE format($f$
            CREATE TABLE billing_inv%1$s (
                id bigserial NOT NULL,
                tenant_id bigint NOT NULL,
                owner_id integer NOT NULL,
                project_id bigint NOT NULL,
                status varchar(10) NOT NULL,
                amount numeric(12, 2) NOT NULL);
            INSERT INTO billing_inv%1$s SELECT * FROM seed ORDER BY id;
            SELECT setval(pg_get_serial_sequence('billing_inv%1$s', 'id'), 50000);
            ALTER TABLE billing_inv%1$s ADD PRIMARY KEY (id);
            CREATE INDEX billing_inv%1$s_tenant_id ON billing_inv%1$s (tenant_id);
            CREATE INDEX billing_inv%1$s_owner_id ON billing_inv%1$s (owner_id);
            CREATE INDEX billing_inv%1$s_project_id ON billing_inv%1$s (project_id);
            ALTER TABLE billing_inv%1$s
                ADD FOREIGN KEY (tenant_id) REFERENCES billing_tenant (id) DEFERRABLE INITIALLY DEFERRED,
                ADD FOREIGN KEY (owner_id) REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED,
                ADD FOREIGN KEY (project_id) REFERENCES billing_project (id) DEFERRABLE INITIALLY DEFERRED;
            $f$, p);
    END LOOP;
END
$$;
GRANT SELECT ON auth_user, billing_tenant, billing_project, billing_membership TO billing_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON billing_invtenant, billing_invowner, billing_invmember,
    billing_invpath, billing_invdeny, billing_invcond, billing_invgrant, billing_invbad TO billing_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO billing_app;
SQL
# what autovacuum would have done by now: the visibility map (index-only
# scans) and the statistics
q -c "VACUUM ANALYZE auth_user, billing_tenant, billing_project, billing_membership,
    billing_invtenant, billing_invowner, billing_invmember, billing_invpath, billing_invdeny,
    billing_invcond, billing_invgrant, billing_invbad" || tap_bail "VACUUM ANALYZE failed"

cat >"$PGWORK/p.rls" <<'EOF'
app billing;
context tenant bigint  = 'app.tenant_id';
context user   integer = 'app.user_id';

model InvTenant { tenant tenant_id; allow all; }
model InvOwner { allow all using (owner_id = $user); }
model InvMember {
    allow all using (tenant_id in (select tenant_id from billing_membership where user_id = $user));
}
model InvPath { tenant project__tenant; allow all; }
model InvDeny { tenant tenant_id; allow all; deny all using (status = 'void'); }
model InvCond {
    tenant tenant_id;
    allow select;
    allow insert check (owner_id = $user and status = 'draft');
    allow update using (status = 'draft' and owner_id = $user) check (status in ('draft', 'sent'));
    allow delete using (status = 'draft');
}
EOF
"$RLSC" sql --db "$conn" "$PGWORK/p.rls" >"$PGWORK/p.sql" 2>"$PGWORK/p.err" && [ ! -s "$PGWORK/p.err" ] &&
    q -c "SET ROLE billing_owner" -f "$PGWORK/p.sql" >"$PGWORK/apply.out" 2>&1
tap_result $? "the six patterns compile with rlsc sql --db, without diagnostics, and apply" \
    "$PGWORK/p.err" "$PGWORK/apply.out"
# grant without a catalog (Django's default auth tables, which this
# database lacks: rlsc.has_perm is plpgsql and only named, never called,
# while the decisions are set)
printf '%s\n' "app billing;" "context tenant bigint = 'app.tenant_id';" \
    "context user integer = 'app.user_id';" \
    "model InvGrant { tenant tenant_id; grant view, add, change, delete; }" >"$PGWORK/g.rls"
"$RLSC" sql "$PGWORK/g.rls" >"$PGWORK/g.sql" 2>"$PGWORK/g.err" &&
    q -c "SET ROLE billing_owner" -f "$PGWORK/g.sql" >"$PGWORK/apply.out" 2>&1
tap_result $? "the grant pattern compiles and applies" "$PGWORK/g.err" "$PGWORK/apply.out"
grep -q '"tenant_id" = ANY (ARRAY(SELECT "tenant_id" FROM "billing_membership"' "$PGWORK/p.sql" &&
    grep -q '"project_id" = ANY (ARRAY(SELECT "t1"."id" FROM "billing_project" "t1"' "$PGWORK/p.sql"
tap_result $? "membership and path compile to = ANY (ARRAY(SELECT ...)), the forms the plans below are about"
# the hand-written policy the negative controls start from: no scalar-subquery wrapper
q -c "SET ROLE billing_owner" \
    -c "ALTER TABLE billing_invbad ENABLE ROW LEVEL SECURITY" \
    -c "ALTER TABLE billing_invbad FORCE ROW LEVEL SECURITY" \
    -c "CREATE POLICY bad ON billing_invbad USING (tenant_id = current_setting('app.tenant_id')::bigint)"
got=$(q -c "SELECT r.rolsuper OR r.rolbypassrls, string_agg(c.relname, ' ' ORDER BY c.relname)
            FROM pg_roles r, pg_class c
            WHERE r.rolname = 'billing_app' AND c.relname LIKE 'billing\_inv%' AND c.relkind = 'r'
              AND c.relrowsecurity AND c.relforcerowsecurity AND c.relowner <> r.oid
            GROUP BY 1")
want="f|billing_invbad billing_invcond billing_invdeny billing_invgrant billing_invmember"
[ "$got" = "$want billing_invowner billing_invpath billing_invtenant" ]
tap_result $? "billing_app: no superuser, no BYPASSRLS, not the owner; the eight tables: RLS with FORCE"
[ "$got" = "$want billing_invowner billing_invpath billing_invtenant" ] || tap_diag "got '$got'"

# explain NAME SQL [SETUP]: the plan of SQL as billing_app, with the
# contexts set, into $PGWORK/NAME.json; SETUP runs first as the owner, in
# the same transaction (rolled back)
explain() {
    q -f - >"$PGWORK/$1.err" 2>&1 <<SQL || tap_bail "EXPLAIN $1 failed" "$PGWORK/$1.err"
BEGIN;
SET ROLE billing_owner;
${3:-}
SET ROLE billing_app;
SELECT pg_catalog.set_config('app.tenant_id', '$T', true),
       pg_catalog.set_config('app.user_id', '$U', true),
       pg_catalog.set_config('rlsc.perms_user', '$U', true),
       pg_catalog.set_config('rlsc.perms', '$PERMS', true) \\g /dev/null
\\o $PGWORK/$1.json
EXPLAIN (FORMAT JSON, COSTS OFF, VERBOSE) $2;
\\o
ROLLBACK;
SQL
}
# stmt SHAPE PATTERN: the four statements of bench/run.sh on the pattern's table
stmt() {
    case $1 in
        point) echo "SELECT * FROM billing_inv$2 WHERE id = $ID" ;;
        agg) echo "SELECT count(*), sum(amount) FROM billing_inv$2" ;;
        insert) echo "INSERT INTO billing_inv$2 (tenant_id, owner_id, project_id, status, amount)
            VALUES ($T, $U, $(( (T - 1) * 10 + 1 )), 'draft', 10.00) RETURNING id" ;;
        update) echo "UPDATE billing_inv$2 SET amount = amount + 0.01 WHERE id = $ID" ;;
    esac
}
# holds DESCRIPTION PLAN ASSERTION ARGS...: a test line; when it fails, the
# checker's reasons and the plan as diagnostics
holds() {
    _desc=$1 _plan=$2
    shift 2
    "$PY" "$SRCDIR/tests/pg/plancheck.py" "$PGWORK/$_plan.json" "$@" >"$PGWORK/why" 2>&1
    tap_result $? "$_desc" "$PGWORK/why"
}
# flagged DESCRIPTION REASON PLAN ASSERTION ARGS...: the checker must
# reject the plan (status 1, not a usage error) for REASON, a string its
# first line of reasons contains
flagged() {
    _desc=$1 _reason=$2 _plan=$3
    shift 3
    "$PY" "$SRCDIR/tests/pg/plancheck.py" "$PGWORK/$_plan.json" "$@" >"$PGWORK/why" 2>&1
    [ $? = 1 ] && head -n 1 "$PGWORK/why" | grep -qF -- "$_reason"
    tap_result $? "$_desc: flagged, $(head -n 1 "$PGWORK/why")" "$PGWORK/why"
}
# with_chain PATTERN CMD ARGS...: CMD ARGS... followed by the index chain of
# the pattern's aggregate (plancheck.py's `index` arguments) and its context
with_chain() {
    _p=$1
    shift
    case $_p in
        owner) "$@" "billing_invowner_owner_id:owner_id = @P" app.user_id ;;
        member) "$@" "billing_invmember_tenant_id:tenant_id = ANY (@P)" \
            "billing_membership_user_tenant_uniq:user_id = @P" app.user_id ;;
        path) "$@" "billing_invpath_project_id:project_id = ANY (@P)" \
            "billing_project_tenant_id:tenant_id = @P" app.tenant_id ;;
        *) "$@" "billing_inv${_p}_tenant_id:tenant_id = @P" app.tenant_id ;;
    esac
}
ctx_of() {
    case $1 in
        owner|member) echo app.user_id ;;
        *) echo app.tenant_id ;;
    esac
}
# shellcheck disable=SC2016 # $n as EXPLAIN prints it
agg_what() {
    case $1 in
        owner) echo 'owner_id = $n on the owner_id index' ;;
        member) echo 'tenant_id = ANY ($n) on the tenant_id index, $n from an InitPlan' \
            'reading billing_membership through (user_id, tenant_id)' ;;
        path) echo 'project_id = ANY ($n) on the project_id index, $n from an InitPlan' \
            'reading billing_project through its tenant_id index, over a nested InitPlan' ;;
        *) echo 'tenant_id = $n on the tenant_id index' ;;
    esac
}

for p in $PATTERNS; do
    for s in point agg insert update; do
        explain "$p.$s" "$(stmt "$s" "$p")"
    done
    c=$(ctx_of "$p")
    for s in point agg insert update; do
        holds "$p, $s: contexts read in InitPlans only, no SubPlan" "$p.$s" once
    done
    holds "$p, point lookup: Index Scan on the pkey, the policy a Filter of InitPlan parameters reading $c" \
        "$p.point" pkey "billing_inv${p}_pkey" "$c"
    with_chain "$p" holds "$p, aggregate: $(agg_what "$p")" "$p.agg" index
    holds "$p, INSERT ... RETURNING: InitPlans for the check conditions, reading $c" \
        "$p.insert" check "$c"
    holds "$p, UPDATE ... WHERE id =: Index Scan on the pkey, the USING a Filter of InitPlan parameters" \
        "$p.update" pkey "billing_inv${p}_pkey" "$c"
    holds "$p, UPDATE ... WHERE id =: InitPlans for the check conditions, reading $c" \
        "$p.update" check "$c"
done
# cond reads both contexts: the owner in the update's USING and the insert's check
holds "cond, UPDATE: the Filter's InitPlans read app.tenant_id and app.user_id" \
    cond.update pkey billing_invcond_pkey app.tenant_id app.user_id
holds "cond, INSERT: the check's InitPlans read app.tenant_id and app.user_id" \
    cond.insert check app.tenant_id app.user_id

# ---- negative controls: each assertion flags a plan that breaks it

# 1. no scalar-subquery wrapper: current_setting is evaluated in the
#    per-row Filter (or as an Index Cond), no InitPlan exists
for s in point agg insert update; do
    explain "bad.$s" "$(stmt "$s" bad)"
done
not_in="reads a setting outside an InitPlan"
flagged "unwrapped current_setting, point lookup: once" "$not_in" bad.point once
flagged "unwrapped current_setting, aggregate: once" "$not_in" bad.agg once
flagged "unwrapped current_setting, update: once" "$not_in" bad.update once
flagged "unwrapped current_setting, insert: once" "no InitPlan reads a setting" bad.insert once
flagged "unwrapped current_setting, point lookup: pkey" "uses no InitPlan parameter" \
    bad.point pkey billing_invbad_pkey app.tenant_id
flagged "unwrapped current_setting, update: pkey" "uses no InitPlan parameter" \
    bad.update pkey billing_invbad_pkey app.tenant_id
flagged "unwrapped current_setting, aggregate: index" "not 'tenant_id = @P' with an InitPlan" \
    bad.agg index "billing_invbad_tenant_id:tenant_id = @P" app.tenant_id
flagged "unwrapped current_setting, insert: check" "no InitPlan outside the printed expressions" \
    bad.insert check app.tenant_id
flagged "unwrapped current_setting, update: check" "no InitPlan outside the printed expressions" \
    bad.update check app.tenant_id

# 2. a subquery per row, the context wrapped: correlated (a SubPlan run
#    per row), and Django's IN (SELECT ...) as a policy (a hashed SubPlan)
wrapped="(SELECT current_setting('app.user_id')::integer)"
redo="DROP POLICY bad ON billing_invbad; CREATE POLICY bad ON billing_invbad USING"
explain corr.point "$(stmt point bad)" "$redo ((SELECT count(*) FROM billing_membership m
    WHERE m.tenant_id = billing_invbad.tenant_id AND m.user_id = $wrapped) > 0);"
flagged "correlated subquery in the policy: once" "evaluates a SubPlan" corr.point once
explain hashed.agg "$(stmt agg bad)" "$redo (tenant_id IN (SELECT tenant_id FROM billing_membership
    WHERE user_id = $wrapped));"
flagged "IN (SELECT ...) in the policy: once" "evaluates a SubPlan" hashed.agg once

# 3. the compiled policies with the planner kept from the indexes, or
#    without the index an InitPlan needs
noidx="SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off;
SET LOCAL enable_indexonlyscan = off;"
for p in tenant member path; do
    explain "$p.point.noidx" "$(stmt point "$p")" "$noidx"
    flagged "$p with index scans off, point lookup: pkey" "Seq Scan on billing_inv$p, not an Index Scan" \
        "$p.point.noidx" pkey "billing_inv${p}_pkey" "$(ctx_of "$p")"
    explain "$p.agg.noidx" "$(stmt agg "$p")" "$noidx"
    with_chain "$p" flagged "$p with index scans off, aggregate: index" \
        "the statement's own scans (Seq Scan on billing_inv$p) use no index scan" "$p.agg.noidx" index
done
explain member.agg.noinner "$(stmt agg member)" \
    "ALTER TABLE billing_membership DROP CONSTRAINT billing_membership_user_tenant_uniq;"
with_chain member flagged "member without the (user_id, tenant_id) index: index" \
    "the scans of InitPlan" member.agg.noinner index
explain path.agg.noinner "$(stmt agg path)" "DROP INDEX billing_project_tenant_id;"
with_chain path flagged "path without the projects' tenant_id index: index" \
    "the scans of InitPlan" path.agg.noinner index
# 4. the right plans checked for a context their InitPlans do not read
flagged "tenant aggregate, checked for app.user_id: index" "reads ['app.tenant_id'], not app.user_id" \
    tenant.agg index "billing_invtenant_tenant_id:tenant_id = @P" app.user_id
flagged "tenant point lookup, checked for app.user_id: pkey" "read ['app.tenant_id'], not ['app.user_id']" \
    tenant.point pkey billing_invtenant_pkey app.user_id
flagged "owner insert, checked for app.tenant_id: check" "read ['app.user_id'], not ['app.tenant_id']" \
    owner.insert check app.tenant_id
# 5. the path's plan with the context's InitPlan moved out of the projects'
#    InitPlan to the top (no SQL gives that plan: an edited copy)
"$PY" - "$PGWORK/path.agg.json" >"$PGWORK/path.agg.flat.json" <<'PYEOF'
import json, sys
plan = json.load(open(sys.argv[1]))
root = plan[0]["Plan"]
for top in [c for c in root["Plans"] if c.get("Parent Relationship") == "InitPlan"]:
    inner = [c for c in top.get("Plans", []) if c.get("Parent Relationship") == "InitPlan"]
    top["Plans"] = [c for c in top["Plans"] if c not in inner]
    root["Plans"] += inner
json.dump(plan, sys.stdout)
PYEOF
with_chain path flagged "path, the context's InitPlan not nested in the projects' one: index" \
    "no parameter of an InitPlan nested in InitPlan" path.agg.flat index

tap_plan
exit 0
