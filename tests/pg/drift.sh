#!/bin/sh
# tests/pg/drift.sh — `rlsc check --db` reports drift (issue 12).
#
# No drift: the 89 hand-written policies of tests/pg/import, imported and
# checked against their own database (they are compared as PostgreSQL
# stores them: the imported text, rlsc's SQL and the hand-written
# statements are three formats of one policy); a hand-formatted .rls
# against the same policies created by hand; rlsc's own output for the
# scenarios of tests/pg/run.sh.  Then every kind of difference, made by
# hand in a copy of the billing scenario: exit 1 and a diagnostic at the
# rule (or the table) in the file with what differs; the connecting role a
# superuser, BYPASSRLS or the owner of a table without FORCE; a table that
# no file declares; a policy that cannot be created as compiled; and the
# failures (a read-only database, none at all), exit 2.  Checking changes
# nothing in the database.  TAP; plan at the end.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"
pg_setup_or_skip

W=$PGWORK
I=$SRCDIR/tests/pg/import
C=$SRCDIR/tests/pg/cases
# db DBNAME [ROLE]: a conninfo (ROLE: the connecting role, default drift_app)
db() { printf 'host=%s port=%s user=%s dbname=%s' "$PGSOCK" "$PGPORT" "${2:-drift_app}" "$1"; }
run_sql() { pg_psql -d "$1" -q -v ON_ERROR_STOP=1 -f "$2" >"$W/psql.out" 2>&1; }
sql() { db_=$1; shift; pg_psql -d "$db_" -q -v ON_ERROR_STOP=1 -c "$*" >"$W/psql.out" 2>&1; }
# the schemas of a database, usable by drift_app (the application's role:
# neither owner nor superuser)
usable() {
    sql "$1" "DO \$\$ DECLARE s text; BEGIN
        FOR s IN SELECT nspname FROM pg_catalog.pg_namespace
                  WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' LOOP
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO drift_app', s);
        END LOOP; END \$\$"
}
# check NAME DB [ROLE] FILE... — rlsc check --db; stderr in $W/NAME.err,
# the exit status in $rc
check() {
    name_=$1 db_=$2 role_=$3
    shift 3
    "$RLSC" check --db "$(db "$db_" "$role_")" "$@" >"$W/$name_.out" 2>"$W/$name_.err"
    rc=$?
}
# errors NAME — the error lines of a check, for counting
errors() { grep -c ': error: ' "$W/$1.err"; }

pg_psql -d postgres -q -v ON_ERROR_STOP=1 -f "$I/roles.sql" >"$W/psql.out" 2>&1 &&
    sql postgres "CREATE ROLE drift_app LOGIN; CREATE ROLE app_owner LOGIN;
                  CREATE ROLE drift_bypass LOGIN BYPASSRLS; CREATE ROLE outsider NOLOGIN"
tap_result $? "roles: the corpus's, drift_app, app_owner, drift_bypass" "$W/psql.out" ||
    tap_bail "no roles"

# ---- no drift: the hand-written corpus, imported
pg_createdb src && run_sql src "$I/schema.sql" && run_sql src "$I/policies.sql" && usable src
tap_result $? "the corpus applies" "$W/psql.out" || tap_bail "no corpus"
"$RLSC" import --db "$(db src postgres)" >"$W/imported.rls" 2>"$W/import.err"
tap_result $? "rlsc import reads it" "$W/import.err"
n=$(grep -c '^CREATE POLICY' "$I/policies.sql")
check corpus src drift_app "$W/imported.rls"
[ "$rc" -eq 0 ] && [ "$(errors corpus)" -eq 0 ] && [ ! -s "$W/corpus.out" ]
tap_result $? "the imported file against its database: no drift in $n policies (exit $rc)" \
    "$W/corpus.err"
pg_psql -d src -X -At -c "SELECT count(*) FROM pg_catalog.pg_policies" >"$W/count" 2>&1
[ "$(cat "$W/count")" -eq "$n" ]
tap_result $? "and all $n are compared ($(cat "$W/count") in pg_policies)" "$W/count"

# a .rls written by hand, formatted unlike anything PostgreSQL prints,
# against the same policies created by hand
pg_createdb fmt && sql fmt "
    CREATE TABLE items (id bigint PRIMARY KEY, owner text, status varchar(10), qty int);
    ALTER TABLE items ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
    GRANT USAGE ON SCHEMA public TO drift_app;
    CREATE POLICY sel ON items FOR SELECT
        USING (status IN ('a', 'b') AND NOT (qty < 0) OR owner = current_user);
    CREATE POLICY ins ON items FOR INSERT TO app_user, auditor WITH CHECK (qty BETWEEN 1 AND 10);"
tap_result $? "items: two policies created by hand" "$W/psql.out"
cat >"$W/fmt.rls" <<'EOF'
role app_user;  role auditor;
table items {
    policy "sel"   for select
        using ( ( (status in ('a','b')) and not qty<0 ) or (owner = current_user) );
    policy ins for insert to auditor, app_user
        with check (qty >= 1 and qty <= 10);
}
EOF
check fmt fmt drift_app "$W/fmt.rls"
[ "$rc" -eq 0 ] && [ "$(errors fmt)" -eq 0 ]
tap_result $? "formatting, parentheses, BETWEEN for >= and <=, role order never count (exit $rc)" \
    "$W/fmt.err" "$W/fmt.rls"

# ---- no drift: rlsc's own output
# own NAME SETUP... — the case compiled and applied as app_owner's tables;
# leaves the database own_NAME
own() {
    name_=$1; shift
    pg_createdb "own_$name_" app_owner || return 1
    for f in "$@"; do
        { echo "SET ROLE app_owner;"; cat "$C/$f"; } >"$W/setup.sql"
        run_sql "own_$name_" "$W/setup.sql" || return 1
    done
    usable "own_$name_" || return 1
    "$RLSC" sql --db "$(db "own_$name_" postgres)" "$C/$name_.rls" >"$W/own.sql" \
        2>"$W/psql.out" && run_sql "own_$name_" "$W/own.sql"
}
for c in "tenant tenant.sql" "percmd percmd.sql" "deny deny.sql" "combine combine.sql" \
         "quoting quoting.sql" "verbatim verbatim.sql" "default_deny default_deny.sql" \
         "grants django_auth.sql grants.sql" "billing django_auth.sql billing.sql"; do
    name=${c%% *}
    # shellcheck disable=SC2086
    if own $c; then
        check "own_$name" "own_$name" drift_app "$C/$name.rls"
        [ "$rc" -eq 0 ] && [ "$(errors "own_$name")" -eq 0 ]
        tap_result $? "cases/$name.rls against its own output: no drift (exit $rc)" \
            "$W/own_$name.err"
    else
        tap_not_ok "cases/$name.rls against its own output: set up" "$W/psql.out"
    fi
done

# ---- every kind of difference, at its place in billing.rls
B=$C/billing.rls
# drift NAME 'SQL' — a copy of own_billing changed by SQL (as postgres),
# checked as drift_app
drift() {
    sql postgres "CREATE DATABASE \"d_$1\" TEMPLATE own_billing" &&
        sql "d_$1" "$2" || { rc=-1; cp "$W/psql.out" "$W/$1.err"; return; }
    check "$1" "d_$1" "${3:-drift_app}" "$B"
}
# expect NAME COUNT PATTERN DESC — exit 1, COUNT errors, one matching the
# grep -E PATTERN
expect() {
    n_=$(errors "$1")
    [ "$rc" -eq 1 ] && [ "$n_" -eq "$2" ] && grep -Eq -- "$3" "$W/$1.err"
    tap_result $? "$4 (exit $rc, $n_ errors)" "$W/$1.err"
}
drift missing 'DROP POLICY tenant ON billing_customer'
expect missing 1 '^[^ ]*billing\.rls:19:5: error: policy "tenant" on "billing_customer" is missing from the database$' \
    "a missing policy, at its rule"
drift extra 'CREATE POLICY sneaky ON billing_invoice TO auditor USING (true)'
expect extra 1 '^[^ ]*billing\.rls:23:7: error: policy "sneaky" on "billing_invoice" is in the database but not in the files \(FOR ALL TO "auditor" USING true WITH CHECK \(none\)\)$' \
    "an extra policy, at its table"
drift using 'ALTER POLICY allow_select ON billing_customer USING (id > 0)'
expect using 1 '^[^ ]*billing\.rls:20:5: error: policy "allow_select" on "billing_customer" has USING \(id > 0\) in the database, true in the files$' \
    "a changed USING, both as PostgreSQL prints them"
drift check_ 'ALTER POLICY allow_update_to_billing_app_a3ff3f26 ON billing_invoice WITH CHECK (true)'
expect check_ 1 '^[^ ]*billing\.rls:29:5: error: policy "allow_update_to_billing_app_a3ff3f26" on "billing_invoice" has WITH CHECK true in the database, \(\(status\)::text = ANY .*draft.*sent.* in the files$' \
    "a changed WITH CHECK"
drift roles 'ALTER POLICY allow_select_to_auditor ON billing_invoice TO auditor, outsider'
expect roles 1 '^[^ ]*billing\.rls:27:5: error: policy "allow_select_to_auditor" on "billing_invoice" is TO "auditor", "outsider" in the database, TO "auditor" in the files$' \
    "changed roles"
# recreate NAME TABLE 'AS ... FOR ...' — the policy made again with its
# stored USING, other permissiveness or command
recreate() {
    printf '%s' "DO \$\$ DECLARE q text; BEGIN
        SELECT pg_get_expr(polqual, polrelid) INTO q FROM pg_policy
         WHERE polname = '$1' AND polrelid = '$2'::regclass;
        EXECUTE 'DROP POLICY $1 ON $2';
        EXECUTE format('CREATE POLICY $1 ON $2 $3 USING (%s)', q); END \$\$"
}
drift permissive "$(recreate tenant billing_customer 'AS PERMISSIVE FOR ALL')"
expect permissive 1 '^[^ ]*billing\.rls:19:5: error: policy "tenant" on "billing_customer" is PERMISSIVE in the database, RESTRICTIVE in the files$' \
    "a restrictive policy made permissive (same name, same condition)"
drift cmd "$(recreate allow_select billing_customer 'FOR ALL')"
expect cmd 1 '^[^ ]*billing\.rls:20:5: error: policy "allow_select" on "billing_customer" is FOR ALL in the database, FOR SELECT in the files$' \
    "a policy for another command"
drift rls 'ALTER TABLE billing_lineitem DISABLE ROW LEVEL SECURITY'
expect rls 1 '^[^ ]*billing\.rls:35:7: error: row-level security is off on "billing_lineitem" in the database: no policy applies' \
    "RLS off, at the table"
drift noforce 'ALTER TABLE billing_invoice NO FORCE ROW LEVEL SECURITY'
expect noforce 1 '^[^ ]*billing\.rls:23:7: error: FORCE ROW LEVEL SECURITY is off on "billing_invoice" in the database: the table.s owner bypasses its policies$' \
    "FORCE off, at the table"
check noforce_owner d_noforce app_owner "$B"
expect noforce_owner 1 'billing\.rls:23:7: error: FORCE ROW LEVEL SECURITY is off on "billing_invoice" in the database: the table.s owner, the connecting role among them, bypasses' \
    "FORCE off, connecting as the owner: says the role bypasses"
drift unclaimed "CREATE TABLE stray (id int); ALTER TABLE stray ENABLE ROW LEVEL SECURITY;
    CREATE POLICY open ON stray USING (true);
    CREATE SCHEMA elsewhere; CREATE TABLE elsewhere.t (id int);
    ALTER TABLE elsewhere.t ENABLE ROW LEVEL SECURITY"
expect unclaimed 1 '^rlsc: error: table "stray" has 1 policy in the database \(open\) that no file declares$' \
    "a table with policies that no file declares (in a schema the files name; others are not theirs)"
drift helper 'DROP FUNCTION rlsc.has_perm(text, text, text) CASCADE'
n_missing=$(grep -c 'is missing from the database, and the compiled policy cannot be created there' "$W/helper.err")
grep -q 'billing\.rls:26:5: error: policy "grant_view_invoice" on "billing_invoice" is missing from the database, and the compiled policy cannot be created there: function rlsc.has_perm(.*) does not exist$' "$W/helper.err" &&
    [ "$rc" -eq 1 ] && [ "$n_missing" -eq 3 ]
tap_result $? "the permission helper dropped (with its policies): 3 missing, and why they cannot be compared" \
    "$W/helper.err"

# the connecting role
check super own_billing postgres "$B"
expect super 1 '^rlsc: error: the connecting role postgres is a superuser: PostgreSQL applies no row-level security policy to it' \
    "a superuser connection is an error (and its ownership not said again)"
check bypass own_billing drift_bypass "$B"
expect bypass 1 '^rlsc: error: the connecting role drift_bypass has BYPASSRLS' "a BYPASSRLS connection"
pg_createdb own_nf && sql own_nf "CREATE TABLE nf (id int); ALTER TABLE nf OWNER TO app_owner;
    ALTER TABLE nf ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON nf USING (id > 0);
    GRANT USAGE ON SCHEMA public TO drift_app"
printf 'table nf {\n    policy p using (id > 0);\n    no force;\n}\n' >"$W/nf.rls"
check nf_app own_nf drift_app "$W/nf.rls"
[ "$rc" -eq 0 ]
tap_result $? "no force as the file says, connecting as another role: no drift (exit $rc)" "$W/nf_app.err"
check nf_owner own_nf app_owner "$W/nf.rls"
expect nf_owner 1 'nf\.rls:1:7: error: the connecting role app_owner owns "nf", whose FORCE ROW LEVEL SECURITY is off: the policies do not apply to it$' \
    "connecting as the owner of a table without FORCE (as the file says): an error at the table"
sql own_nf "ALTER TABLE nf FORCE ROW LEVEL SECURITY"
check nf_forced own_nf drift_app "$W/nf.rls"
expect nf_forced 1 'nf\.rls:1:7: error: FORCE ROW LEVEL SECURITY is on on "nf" in the database; the files say `no force;`$' \
    "FORCE on where the file says no force"

# ---- several differences at once: each reported, in the files' order
drift many "DROP POLICY tenant ON billing_customer;
    ALTER TABLE billing_lineitem DISABLE ROW LEVEL SECURITY;
    ALTER POLICY allow_select ON billing_customer USING (false)"
n_many=$(errors many)
[ "$rc" -eq 1 ] && [ "$n_many" -eq 3 ] &&
    grep -o 'billing\.rls:[0-9]*:[0-9]*: error' "$W/many.err" | tr '\n' ' ' |
    grep -q '^billing.rls:19:5: error billing.rls:20:5: error billing.rls:35:7: error $'
tap_result $? "three differences, three errors in file order (exit $rc)" "$W/many.err"

# ---- a model whose table has another name (Django's db_table): only a
# catalog file knows it; --catalog gives it, --db the database to compare
pg_createdb models && sql models "CREATE TABLE shop_item_archive (id bigint, shop_id bigint);
    GRANT USAGE ON SCHEMA public TO drift_app"
printf '%s\n' 'table public.shop_item_archive model shop.item {' \
    '    column id bigint not null;' '    column shop_id bigint;' '}' >"$W/models.cat"
printf '%s\n' 'app shop;' "context tenant bigint = 'app.shop_id';" 'model Item {' \
    '    tenant shop_id;' '    allow select;' '}' >"$W/models.rls"
"$RLSC" sql --catalog "$W/models.cat" "$W/models.rls" >"$W/models.sql" 2>"$W/psql.out" &&
    run_sql models "$W/models.sql"
tap_result $? "a model with its own table name, applied from a catalog file" "$W/psql.out"
check models_db models drift_app "$W/models.rls"
[ "$rc" -eq 1 ] && grep -q "table 'shop_item' is not in the catalog" "$W/models_db.err"
tap_result $? "--db alone cannot know the model's table (exit $rc)" "$W/models_db.err"
"$RLSC" check --catalog "$W/models.cat" --db "$(db models)" "$W/models.rls" >"$W/models.out" \
    2>"$W/models.err"
rc=$?
[ "$rc" -eq 0 ] && [ "$(errors models)" -eq 0 ]
tap_result $? "--catalog FILE --db CONNINFO: compiled against the file, compared with the database (exit $rc)" \
    "$W/models.err"
sql models "ALTER POLICY allow_select ON shop_item_archive USING (false)"
"$RLSC" check --catalog "$W/models.cat" --db "$(db models)" "$W/models.rls" >"$W/models2.out" \
    2>"$W/models2.err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'models.rls:5:5: error: policy "allow_select" on "shop_item_archive" has USING false in the database, true in the files' "$W/models2.err"
tap_result $? "and its drift is found (exit $rc)" "$W/models2.err"
"$RLSC" sql --catalog "$W/models.cat" --db "$(db models)" "$W/models.rls" >/dev/null 2>"$W/both.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "give --catalog or --db, not both" "$W/both.err"
tap_result $? "other commands still take one of them (exit $rc)" "$W/both.err"

# ---- --target: a database migrated for Citus is compared with that output
pg_createdb citus app_owner &&
    { echo "SET ROLE app_owner;"; cat "$C/tenant.sql"; } >"$W/setup.sql" &&
    run_sql citus "$W/setup.sql" && usable citus &&
    "$RLSC" sql --target citus --db "$(db citus postgres)" "$C/tenant.rls" >"$W/citus.sql" \
        2>"$W/psql.out" && run_sql citus "$W/citus.sql"
tap_result $? "cases/tenant.rls applied with --target citus" "$W/psql.out"
"$RLSC" check --target citus --db "$(db citus)" "$C/tenant.rls" >"$W/citus.out" 2>"$W/citus.err"
rc=$?
[ "$rc" -eq 0 ] && [ "$(errors citus)" -eq 0 ]
tap_result $? "check --target citus against it: no drift (exit $rc)" "$W/citus.err"
check citus_default citus drift_app "$C/tenant.rls"
[ "$rc" -eq 1 ] && grep -q 'policy "tenant" on .* has USING .* in the database, .*SELECT.* in the files' "$W/citus_default.err"
tap_result $? "and without --target, the default target's InitPlan form differs (exit $rc)" \
    "$W/citus_default.err"

# ---- failures: exit 2 with a message
check ro own_billing "drift_app options='-c default_transaction_read_only=on'" "$B"
[ "$rc" -eq 2 ] && grep -q '^rlsc: cannot compare with the database: the comparison creates temporary tables in a transaction it rolls back, and this database refuses: cannot execute CREATE TABLE in a read-only transaction' "$W/ro.err"
tap_result $? "a read-only database (as a hot standby is): exit 2 and why (got $rc)" "$W/ro.err"
"$RLSC" check --db "host=$PGSOCK port=1 dbname=none" "$B" >"$W/nodb.out" 2>"$W/nodb.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q '^rlsc: cannot connect to the database' "$W/nodb.err"
tap_result $? "no database: exit 2 (got $rc)" "$W/nodb.err"

# ---- checking leaves the database as it was
state() {
    pg_psql -d "$1" -X -At -c "SELECT p.polname, p.polrelid::regclass, pg_get_expr(p.polqual, p.polrelid)
        FROM pg_policy p ORDER BY 1, 2;
        SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname LIKE 'pg_temp%'"
}
state own_billing >"$W/before" 2>&1
check again own_billing drift_app "$B"
state own_billing >"$W/after" 2>&1
diff -u "$W/before" "$W/after" >"$W/state.diff" && [ "$rc" -eq 0 ] && grep -q '^0$' "$W/after"
tap_result $? "a check changes nothing: the same policies, no temporary table left (exit $rc)" \
    "$W/state.diff"

tap_plan
