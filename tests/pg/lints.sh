#!/bin/sh
# tests/pg/lints.sh — the lints of `rlsc check --db` that read the database
# (issue 13): RLS108, a column that a tenant rule, a tenant path or a
# membership test looks rows up by, without an index that leads with it
# (a partial index, an expression index or a second key column do not
# count; a primary key does); RLS109, a SECURITY DEFINER function that
# PUBLIC may execute, called by a policy (not after REVOKE, not for an
# invoker's function, not for rlsc's own schema); RLS105 from pg_proc's
# volatility; RLS110, a function not LEAKPROOF given the row's columns (not
# with a context alone, not for rlsc's own, not once marked LEAKPROOF).  Then the indexes are created and EXECUTE revoked: the same
# check is quiet.  Drift errors of the same run come out in SARIF too.
# TAP; plan at the end.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"
pg_setup_or_skip

W=$PGWORK
L=$SRCDIR/tests/pg/lints
PY=${DJANGO_PYTHON:-/usr/bin/python3}
db() { printf 'host=%s port=%s user=%s dbname=lints' "$PGSOCK" "$PGPORT" "${1:-lint_app}"; }
sql() { pg_psql -d lints -q -v ON_ERROR_STOP=1 -c "$*" >"$W/psql.out" 2>&1; }

pg_psql -d postgres -q -v ON_ERROR_STOP=1 -c "CREATE ROLE lint_app LOGIN" >"$W/psql.out" 2>&1 &&
    pg_createdb lints && pg_psql -d lints -q -v ON_ERROR_STOP=1 -f "$L/schema.sql" >"$W/psql.out" 2>&1 &&
    sql "GRANT USAGE ON SCHEMA rlsc TO lint_app"
tap_result $? "the schema applies" "$W/psql.out" || tap_bail "no schema"

# the compiled policies, applied as the owner: no drift, so check exits 0
"$RLSC" sql --db "$(db postgres)" "$L/policies.rls" >"$W/up.sql" 2>"$W/sql.err" &&
    pg_psql -d lints -q -v ON_ERROR_STOP=1 -f "$W/up.sql" >"$W/psql.out" 2>&1
tap_result $? "the policies compile and apply" "$W/sql.err" "$W/psql.out"

# lints LABEL: rlsc check --db as lint_app; "ID line:col" of each warning in
# $W/LABEL.ids, the exit status in $rc
lints() {
    rc=0
    "$RLSC" check --db "$(db)" "$L/policies.rls" >"$W/$1.out" 2>"$W/$1.err" || rc=$?
    sed -n 's/^[^ ]*:\([0-9]*\):\([0-9]*\): warning: .* \[\(RLS[0-9]*\)\]$/\3 \1:\2/p' \
        "$W/$1.err" >"$W/$1.ids"
}
# expect LABEL DESC LINES: the ids (sorted) must be LINES
expect() {
    printf '%s' "$3" | sort >"$W/want"
    sort "$W/$1.ids" >"$W/got"
    if [ "$rc" = 0 ] && cmp -s "$W/want" "$W/got"; then
        tap_ok "$2"
    else
        echo "exit status $rc; expected (-), actual (+):" >"$W/why"
        diff -u "$W/want" "$W/got" >>"$W/why"
        tap_not_ok "$2" "$W/why" "$W/$1.err"
    fi
}

lints before
expect before "without indexes: RLS108 at every lookup, RLS109 and RLS105 from pg_proc" \
"RLS108 7:21
RLS108 13:12
RLS108 14:25
RLS108 14:75
RLS108 27:12
RLS109 15:25
RLS105 17:25
RLS110 15:25
RLS110 15:48
RLS110 16:25
RLS110 17:25
"
grep -q "CREATE INDEX ON project (org_id)" "$W/before.err"
tap_result $? "RLS108 says which index to create" "$W/before.err"
grep -v '\[RLS110\]$' "$W/before.err" | grep -q "warning: .*\(definer_revoked\|invoker\|helper\)()"
[ $? = 1 ] && ! grep -q "helper() is not LEAKPROOF\|:36:.*RLS110" "$W/before.err" 
tap_result $? "no warning for a revoked definer, an invoker's function or rlsc's own" "$W/before.err"

# the indexes, and EXECUTE revoked: quiet
sql "CREATE INDEX ON project (org_id); CREATE INDEX ON doc (tenant_id);
     CREATE INDEX ON doc (team_id); CREATE INDEX ON team_member (user_id);
     REVOKE EXECUTE ON FUNCTION definer_public(bigint) FROM PUBLIC;
     GRANT EXECUTE ON FUNCTION definer_public(bigint) TO lint_app;
     ALTER FUNCTION invoker(bigint) LEAKPROOF"
tap_result $? "indexes created, EXECUTE revoked, invoker() marked LEAKPROOF" "$W/psql.out"
lints after
expect after "with the indexes and without PUBLIC: the volatile function, and the functions that are not LEAKPROOF" "RLS105 17:25
RLS110 15:25
RLS110 16:25
RLS110 17:25
"

# a drift error and the lints in one SARIF log, exit 1 as in text
sql "DROP POLICY allow_select ON org"
rc=0
"$RLSC" check --format sarif --db "$(db)" "$L/policies.rls" >"$W/drift.json" 2>"$W/drift.err" || rc=$?
"$PY" - "$W/drift.json" >"$W/why" 2>&1 <<'PYEOF'
import json, sys
log = json.loads(open(sys.argv[1], 'rb').read().decode('utf-8'))
res = log['runs'][0]['results']
ids = sorted(r['ruleId'] for r in res if not r.get('suppressions'))
assert ids == ['RLS105', 'RLS110', 'RLS110', 'RLS110', 'rlsc-error'], ids
assert [r['ruleId'] for r in res if r.get('suppressions')] == ['RLS102'], res
err = [r for r in res if r['ruleId'] == 'rlsc-error'][0]
assert 'missing from the database' in err['message']['text'], err
assert err['locations'][0]['physicalLocation']['region']['startLine'] == 22, err
PYEOF
[ $? = 0 ] && [ "$rc" = 1 ]
tap_result $? "drift errors go into the SARIF log with the lints (exit $rc)" "$W/why" "$W/drift.err"

tap_plan
