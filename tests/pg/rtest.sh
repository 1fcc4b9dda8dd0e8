#!/bin/sh
# tests/pg/rtest.sh — `rlsc test` runs the `test` blocks of .rls files
# against a real PostgreSQL (issue 13).
#
# The tables and rows of tests/pg/cases/billing.sql with the policies of
# cases/billing.rls.  A file whose tests pass (exit 0, TAP, every line
# `ok`, SQL holding `;` in quotes, dollar quotes and comments); a file with
# every kind of failure (a wrong row count, denied where ok was expected,
# ok where denied was, a permission error that is not row-level security,
# a setup that fails, an SQL error), whose whole TAP output,
# FILE:LINE:COL included, is compared (exit 1); nothing of either run stays
# in the database (rows, policies, roles, RLS flags); a database that
# already has policies (rlsc's own, migrated, and someone else's of the
# same name) runs the same tests the same way and keeps its policies;
# connected as the tables' owner, checks are held to the policies (FORCE)
# and setups are not;
# compile errors (unknown context, role, bad literal: exit 1, nothing on
# stdout); no database and bad usage (exit 2).  TAP; plan at the end.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"
pg_setup_or_skip

W=$PGWORK
C=$SRCDIR/tests/pg/cases
db() { printf 'host=%s port=%s user=postgres dbname=%s' "$PGSOCK" "$PGPORT" "$1"; }
run_sql() { pg_psql -d "$1" -q -v ON_ERROR_STOP=1 -f "$2" >"$W/psql.out" 2>&1; }
# rtest NAME DB FILE...: rlsc test from $W (locations read `NAME.rls:L:C`);
# stdout in $W/NAME.out, stderr in $W/NAME.err, the exit status in $rc
rtest() {
    name_=$1 db_=$2
    shift 2
    (cd "$W" && "$RLSC" test --db "$(db "$db_")" "$@") >"$W/$name_.out" 2>"$W/$name_.err"
    rc=$?
}
# what a run must leave as it was: rows, policies, roles, RLS flags
state() {
    pg_psql -d "$1" -X -At -v ON_ERROR_STOP=1 -c "
        SELECT 'rows', (SELECT count(*) FROM billing_invoice), (SELECT count(*) FROM billing_audit_log),
               (SELECT string_agg(status, ',' ORDER BY id) FROM billing_invoice);
        SELECT 'policy', tablename, policyname, permissive, roles::text, cmd, qual, with_check
          FROM pg_catalog.pg_policies ORDER BY 2, 3;
        SELECT 'role', rolname FROM pg_catalog.pg_roles WHERE rolname !~ '^pg_' ORDER BY 2;
        SELECT 'table', relname, relrowsecurity, relforcerowsecurity FROM pg_catalog.pg_class
         WHERE relname LIKE 'billing%' AND relkind = 'r' ORDER BY 2;
        SELECT 'schema', nspname FROM pg_catalog.pg_namespace WHERE nspname = 'rlsc';"
}

pg_createdb plain && run_sql plain "$C/django_auth.sql" && run_sql plain "$C/billing.sql"
tap_result $? "the billing tables and rows load" "$W/psql.out" || tap_bail "no database"
cp "$C/billing.rls" "$W/billing.rls"

# ---- tests that pass
cat >"$W/pass.rls" <<'EOF'
test 'a tenant sees only its own invoices' as billing_app with tenant = 1, user = 1 {
    expect 4 rows: select * from billing_invoice;
    expect 0 rows: select * from billing_invoice where customer_id = 2;
    expect denied: insert into billing_audit_log (id, customer_id, actor_id, msg)
                   values (10, 2, 1, 'into another tenant');
    expect ok: insert into billing_audit_log (id, customer_id, actor_id, msg) values (11, 1, 1, 'x');
    expect 0 rows: select * from billing_audit_log;
}
test 'the creator edits a draft, not a sent invoice' as billing_app with tenant = 1, user = 1 {
    expect 1 rows: update billing_invoice set number = 'A-1b' where id = 1;
    expect 0 rows: update billing_invoice set number = 'A-2b' where id = 2;
    expect denied: update billing_invoice set status = 'paid' where id = 1;
    -- the row count of a write that RETURNING rows is theirs
    expect 1 rows: update billing_invoice set status = 'sent' where id = 1 returning id;
}
test 'setup runs as the connecting role; ; in SQL' as auditor with tenant = 2 {
    setup: insert into billing_audit_log (id, customer_id, actor_id, msg)
           values (10, 1, 1, 'a;b'), (11, 2, 3, $$c;d$$), (12, 2, 3, E'e\';f') /* ; */ -- ;
           ;
    expect 3 rows: select * from billing_audit_log where msg <> ';' and msg not like $x$%$$%$x$;
    expect 1 rows: select ';' as "a;b" -- ;
                   where true;
}
test 'no role: the connecting role (a superuser) sees everything' {
    expect 5 rows: select * from billing_invoice;
}
EOF
before=$(state plain)
rtest pass plain billing.rls pass.rls
[ "$rc" = 0 ]
tap_result $? "passing tests: exit 0 (got $rc)" "$W/pass.err" "$W/pass.out"
printf '%s\n' '1..4' 'ok 1 - a tenant sees only its own invoices' \
    'ok 2 - the creator edits a draft, not a sent invoice' \
    'ok 3 - setup runs as the connecting role; ; in SQL' \
    'ok 4 - no role: the connecting role (a superuser) sees everything' >"$W/pass.want"
diff -u "$W/pass.want" "$W/pass.out" >"$W/pass.diff"
tap_result $? "passing tests: the TAP plan and one ok line per test" "$W/pass.diff"
[ "$(state plain)" = "$before" ]
tap_result $? "passing tests: the database is as before (rows, policies, roles, flags)"

# ---- every kind of failure
cat >"$W/fail.rls" <<'EOF'
test 'wrong row count' as billing_app with tenant = 1, user = 1 {
    expect 2 rows: select * from billing_invoice;
    expect 4 rows: select * from billing_invoice;
}
test 'denied where ok was expected' as billing_app with tenant = 1, user = 1 {
    expect ok: insert into billing_audit_log (id, customer_id, actor_id, msg) values (10, 2, 1, 'x');
}
test 'ok where denied was expected' as billing_app with tenant = 1, user = 1 {
    expect denied: insert into billing_audit_log (id, customer_id, actor_id, msg) values (10, 1, 1, 'x');
    expect denied: delete from billing_lineitem where id = 3;
}
test 'a permission error is not row-level security' as billing_app with tenant = 1, user = 1 {
    setup: revoke all on billing_invoice from public;
    expect denied: select * from billing_invoice;
    expect ok: select * from billing_invoice;
}
test 'a failing setup fails the test' as billing_app with tenant = 1 {
    setup: insert into billing_nothing values (1);
    expect 0 rows: select * from billing_invoice;
}
test 'an SQL error in a check' as billing_app with tenant = 1, user = 1 {
    expect 1 rows: select nope from billing_invoice;
    expect 4 rows: select * from billing_invoice;
}
test 'a failed check does not end the test' with tenant = 1, user = 1 {
    expect denied: select 1/0;
    expect 1 rows: select 1;
}
EOF
before=$(state plain)
rtest fail plain billing.rls fail.rls
[ "$rc" = 1 ]
tap_result $? "failing tests: exit 1 (got $rc)" "$W/fail.err" "$W/fail.out"
cat >"$W/fail.want" <<'EOF'
1..7
not ok 1 - wrong row count
# fail.rls:2:5: expected 2 rows, got 4
not ok 2 - denied where ok was expected
# fail.rls:6:5: expected ok, got denied by row-level security: new row violates row-level security policy "tenant" for table "billing_audit_log"
not ok 3 - ok where denied was expected
# fail.rls:9:5: expected denied by row-level security, got ok (1 row)
# fail.rls:10:5: expected denied by row-level security, got ok (0 rows) (a using condition hides rows from a write, it does not refuse it: expect 0 rows)
not ok 4 - a permission error is not row-level security
# fail.rls:14:5: expected denied by row-level security, got a permission error, not row-level security (grant the table to the role in a setup line): permission denied for table billing_invoice
# fail.rls:15:5: expected ok, got a permission error, not row-level security (grant the table to the role in a setup line): permission denied for table billing_invoice
not ok 5 - a failing setup fails the test
# fail.rls:18:5: setup failed: relation "billing_nothing" does not exist
not ok 6 - an SQL error in a check
# fail.rls:22:5: expected 1 rows, got error 42703: column "nope" does not exist
not ok 7 - a failed check does not end the test
# fail.rls:26:5: expected denied by row-level security, got error 22012: division by zero
# 7 of 7 tests failed
EOF
diff -u "$W/fail.want" "$W/fail.out" >"$W/fail.diff"
tap_result $? "failing tests: each failure names the line (FILE:LINE:COL) and what happened" \
    "$W/fail.diff"
[ "$(state plain)" = "$before" ]
tap_result $? "failing tests: the database is as before (the revoke, the inserts rolled back)"
cp "$W/billing.rls" "$W/roles.rls"
cat >>"$W/roles.rls" <<'EOF'
role tester_only;
EOF
cat >"$W/role.rls" <<'EOF'
test 'a role declared for the tests alone' as tester_only with tenant = 1 {
    expect 0 rows: select * from billing_invoice;
}
EOF
before=$(state plain)
rtest role plain roles.rls role.rls
[ "$rc" = 0 ] && grep -q '^ok 1 - a role declared for the tests alone$' "$W/role.out" &&
    [ "$(state plain)" = "$before" ]
tap_result $? "a declared role is created for the test (as a migration would) and gone after it" \
    "$W/role.out" "$W/role.err"

# ---- a database that has policies already
pg_createdb migrated && run_sql migrated "$C/django_auth.sql" && run_sql migrated "$C/billing.sql" &&
    "$RLSC" sql --db "$(db migrated)" "$W/billing.rls" >"$W/up.sql" 2>"$W/up.err" &&
    run_sql migrated "$W/up.sql"
tap_result $? "a second database with the billing policies applied (migrated)" "$W/psql.out" \
    "$W/up.err"
before=$(state migrated)
rtest migrated migrated billing.rls pass.rls
[ "$rc" = 0 ] && diff -u "$W/pass.want" "$W/migrated.out" >"$W/migrated.diff"
tap_result $? "the migrated database passes the same tests (exit $rc)" "$W/migrated.diff" \
    "$W/migrated.err"
rtest migrated_fail migrated billing.rls fail.rls
[ "$rc" = 1 ] && diff -u "$W/fail.want" "$W/migrated_fail.out" >"$W/migrated.diff"
tap_result $? "... and fails the same tests the same way" "$W/migrated.diff"
[ "$(state migrated)" = "$before" ]
tap_result $? "... and keeps its policies, roles and flags"
# policies of someone else: one under one of our names, one that admits no row
pg_psql -d migrated -q -v ON_ERROR_STOP=1 -c "DROP POLICY tenant ON billing_invoice" \
    -c "CREATE POLICY tenant ON billing_invoice USING (true)" \
    -c "CREATE POLICY closed_all ON billing_invoice AS RESTRICTIVE USING (false)" >"$W/psql.out" 2>&1
tap_result $? "other policies on billing_invoice, one of them named like ours" "$W/psql.out"
before=$(state migrated)
rtest other migrated billing.rls pass.rls
[ "$rc" = 0 ] && diff -u "$W/pass.want" "$W/other.out" >"$W/other.diff"
tap_result $? "the table's own policies are dropped for the test: the compiled ones decide" \
    "$W/other.diff" "$W/other.err"
[ "$(state migrated)" = "$before" ]
tap_result $? "... and are there again after it"

# ---- connected as the tables' owner (as Django connects): FORCE holds it
# to the policies in checks, and is lifted for its setups
pg_psql -d postgres -q -v ON_ERROR_STOP=1 -c "CREATE ROLE rt_owner LOGIN CREATEROLE" \
    >"$W/psql.out" 2>&1 && pg_createdb owned rt_owner &&
    { echo "SET ROLE rt_owner;"; cat "$C/django_auth.sql" "$C/billing.sql"; } >"$W/owned.sql" &&
    run_sql owned "$W/owned.sql"
tap_result $? "a database whose tables the ordinary role rt_owner owns" "$W/psql.out"
cat >"$W/owner.rls" <<'EOF'
test 'the owner sees its tenant; its setups write any tenant' with tenant = 1, user = 1 {
    setup: insert into billing_invoice (id, customer_id, status, created_by_id, number)
           values (10, 1, 'draft', 1, 'A-9'), (11, 2, 'draft', 3, 'G-9');
    expect 5 rows: select * from billing_invoice;
    expect 0 rows: select * from billing_invoice where id = 11;
    setup: delete from billing_invoice where id = 11;
    expect 0 rows: delete from billing_invoice where customer_id = 2;
}
EOF
before=$(state owned)
(cd "$W" && "$RLSC" test --db "host=$PGSOCK port=$PGPORT user=rt_owner dbname=owned" \
    billing.rls owner.rls) >"$W/owner.out" 2>"$W/owner.err"
rc=$?
[ "$rc" = 0 ] && grep -q '^ok 1 - the owner sees its tenant' "$W/owner.out" &&
    [ "$(state owned)" = "$before" ]
tap_result $? "the owner: held by FORCE in checks, not in setups; nothing stays (exit $rc)" \
    "$W/owner.out" "$W/owner.err"

# ---- compile errors: nothing runs
cat >"$W/bad.rls" <<'EOF'
test 'unknown names' as billing_ap with tenat = 1, user = 'x' {
    expect 0 rows: select 1;
}
EOF
rtest bad plain billing.rls bad.rls
[ "$rc" = 1 ] && [ ! -s "$W/bad.out" ] &&
    grep -q "^bad.rls:1:25: error: role 'billing_ap' is not declared (add \`role billing_ap;\`); did you mean 'billing_app'?" "$W/bad.err" &&
    grep -q "^bad.rls:1:41: error: unknown context 'tenat'; did you mean 'tenant'?" "$W/bad.err" &&
    grep -q "^bad.rls:1:59: error: 'x' is not an integer" "$W/bad.err"
tap_result $? "unknown role, unknown context, a literal the context's type refuses: exit 1 (got $rc), no TAP" \
    "$W/bad.err" "$W/bad.out"
"$RLSC" check "$W/billing.rls" "$W/bad.rls" >"$W/check.out" 2>"$W/check.err"
rc=$?
[ "$rc" = 1 ] && grep -q "unknown context 'tenat'" "$W/check.err"
tap_result $? "rlsc check reports them too (exit $rc)" "$W/check.err"

# ---- the tests compile into nothing else
"$RLSC" sql "$W/billing.rls" >"$W/without.sql" 2>/dev/null &&
    "$RLSC" sql "$W/billing.rls" "$W/pass.rls" "$W/fail.rls" >"$W/with.sql" 2>/dev/null &&
    cmp -s "$W/without.sql" "$W/with.sql"
tap_result $? "rlsc sql writes the same script with and without the tests"

# ---- no database, bad usage: exit 2
(cd "$W" && "$RLSC" test --db "host=$PGSOCK port=1 dbname=none" billing.rls pass.rls) \
    >"$W/nodb.out" 2>"$W/nodb.err"
rc=$?
[ "$rc" = 2 ] && grep -q '^rlsc: cannot connect to the database' "$W/nodb.err" && [ ! -s "$W/nodb.out" ]
tap_result $? "no database: exit 2 (got $rc), said on stderr" "$W/nodb.err" "$W/nodb.out"
"$RLSC" test --db "$(db plain)" >"$W/usage.out" 2>"$W/usage.err"
rc=$?
[ "$rc" = 2 ] && grep -q 'no input files' "$W/usage.err"
tap_result $? "no files: exit 2 (got $rc)" "$W/usage.err"
rtest missing plain billing.rls no_such.rls
[ "$rc" = 2 ] && grep -q 'cannot read no_such.rls' "$W/missing.err"
tap_result $? "an unreadable file: exit 2 (got $rc)" "$W/missing.err"
cat >"$W/none.rls" <<'EOF'
app billing;
EOF
rtest none plain none.rls
[ "$rc" = 0 ] && [ "$(cat "$W/none.out")" = "1..0" ]
tap_result $? "files without tests: 1..0, exit 0 (got $rc)" "$W/none.out" "$W/none.err"

tap_plan
