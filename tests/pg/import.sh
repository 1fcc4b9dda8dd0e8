#!/bin/sh
# tests/pg/import.sh — `rlsc import` round trips exactly (issue 12).
#
# The corpus (tests/pg/import/policies.sql, one CREATE POLICY per line) is
# applied to a database with the tables of schema.sql; `rlsc import --db`
# writes it as .rls; `rlsc sql --db` compiles that against an empty copy of
# the schema, which then runs the script.  pg_policies (schema, table, name,
# permissive, roles, command, USING, WITH CHECK, as PostgreSQL prints them)
# and every table's relrowsecurity/relforcerowsecurity must be identical in
# the two databases; a difference is shown as a diff.  The one expected
# difference is spelled out: a table with RLS and no policy gets rlsc's
# policy rlsc_no_rules (FOR SELECT USING (false), which admits nothing).
# Also: TABLE arguments, and what .rls cannot express (an error naming the
# table and the policy, exit 1, nothing on stdout).
# rlsc's own output comes back as constructs (context, tenant, allow, deny,
# role R bypass) where they compile to exactly the same policies, else as
# `policy` statements; a read-only database and --plain give only `policy`
# statements.  TAP; plan at the end.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"
pg_setup_or_skip

W=$PGWORK
D=$SRCDIR/tests/pg/import
db() { printf 'host=%s port=%s user=postgres dbname=%s' "$PGSOCK" "$PGPORT" "$1"; }
run_sql() { pg_psql -d "$1" -q -v ON_ERROR_STOP=1 -f "$2" >"$W/psql.out" 2>&1; }

# policies and flags as PostgreSQL stores them (pg_policies sorts roles)
state() {
    pg_psql -d "$1" -X -At -F ' | ' -v ON_ERROR_STOP=1 -c "
        SELECT 'policy', schemaname, tablename, policyname, permissive, roles::text, cmd,
               coalesce(qual, '-'), coalesce(with_check, '-')
          FROM pg_catalog.pg_policies
         WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
         ORDER BY schemaname COLLATE \"C\", tablename COLLATE \"C\", policyname COLLATE \"C\";
        SELECT 'table', n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND n.nspname !~ '^pg_'
           AND n.nspname <> 'information_schema'
         ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\";"
}

# ---- the source: the schema and the corpus
pg_createdb src && run_sql src "$D/roles.sql" && run_sql src "$D/schema.sql" &&
    run_sql src "$D/policies.sql"
tap_result $? "the corpus applies to the source database" "$W/psql.out" || tap_bail "no corpus"
n=$(grep -c '^CREATE POLICY' "$D/policies.sql")
[ "$n" -ge 60 ]
tap_result $? "the corpus has $n policies (at least 60)"

# ---- import
"$RLSC" import --db "$(db src)" >"$W/imported.rls" 2>"$W/import.err"
tap_result $? "rlsc import --db reads the source" "$W/import.err" "$W/imported.rls"
n_imported=$(grep -c '^    policy ' "$W/imported.rls")
[ "$n_imported" -eq "$n" ]
tap_result $? "every policy is imported ($n_imported of $n)" "$W/imported.rls"

"$RLSC" import --plain --db "$(db src)" >"$W/plain_corpus.rls" 2>"$W/import.err"
diff -u "$W/imported.rls" "$W/plain_corpus.rls" >"$W/plain.diff" &&
    ! grep -q '^context \|^    tenant \|^    allow \|^    deny \| bypass;$' "$W/imported.rls"
tap_result $? "no construct in the hand-written corpus: the same file as --plain" "$W/plain.diff" \
    "$W/import.err"

# ---- compile it against an empty copy of the schema, and apply it
pg_createdb dst && run_sql dst "$D/schema.sql"
tap_result $? "the schema applies to the empty copy" "$W/psql.out"
"$RLSC" sql --db "$(db dst)" "$W/imported.rls" >"$W/up.sql" 2>"$W/sql.err"
tap_result $? "rlsc sql --db compiles the imported file" "$W/sql.err"
run_sql dst "$W/up.sql"
tap_result $? "the compiled script applies to the copy" "$W/psql.out"

# ---- identical policies and flags
state src >"$W/src.state" 2>"$W/state.err" && state dst >"$W/dst.all" 2>>"$W/state.err"
tap_result $? "pg_policies and pg_class read in both databases" "$W/state.err"
n_state=$(grep -c '^policy ' "$W/src.state")
[ "$n_state" -eq "$n" ]
tap_result $? "the source has the $n policies of the corpus ($n_state)" "$W/src.state"
grep -v ' | rlsc_no_rules | ' "$W/dst.all" >"$W/dst.state"
diff -u "$W/src.state" "$W/dst.state" >"$W/state.diff"
tap_result $? "pg_policies and the RLS/FORCE flags are identical after the round trip" \
    "$W/state.diff"
# rlsc_no_rules: exactly on the tables with RLS and no policy in the source
awk -F ' [|] ' '$1 == "table" && $4 == "t" { t[$2 "." $3] = 1 }
    $1 == "policy" { p[$2 "." $3] = 1 }
    END { for (k in t) if (!(k in p)) print k }' "$W/src.state" | sort >"$W/empty.want"
awk -F ' [|] ' '$4 == "rlsc_no_rules" && $5 == "PERMISSIVE" && $6 == "{public}" &&
    $7 == "SELECT" && $8 == "false" && $9 == "-" { print $2 "." $3 }' "$W/dst.all" |
    sort >"$W/empty.got"
diff -u "$W/empty.want" "$W/empty.got" >"$W/empty.diff" && [ -s "$W/empty.want" ]
tap_result $? "a table with RLS and no policy gets only rlsc_no_rules (FOR SELECT USING (false))" \
    "$W/empty.diff"

# ---- the import of the copy is the same file (the .rls round trips too)
"$RLSC" import --db "$(db dst)" >"$W/again.rls" 2>"$W/again.err"
grep -v 'rlsc_no_rules' "$W/again.rls" >"$W/again.cmp"
grep -v 'RLS on and no policy\|rlsc_no_rules (FOR SELECT' "$W/imported.rls" >"$W/imported.cmp"
diff -u "$W/imported.cmp" "$W/again.cmp" >"$W/again.diff"
tap_result $? "importing the copy gives the same .rls (but rlsc_no_rules)" "$W/again.err" \
    "$W/again.diff"

# ---- TABLE arguments: as PostgreSQL reads a table name
"$RLSC" import --db "$(db src)" 'other."Mixed Case"' public.audit >"$W/two.rls" 2>"$W/two.err"
tap_result $? "rlsc import with TABLE arguments" "$W/two.err"
grep '^table ' "$W/two.rls" >"$W/two.tables"
printf 'table other."Mixed Case" {\ntable public.audit {\n' | diff -u - "$W/two.tables" >"$W/two.diff"
tap_result $? "only the tables named are imported" "$W/two.diff"
grep -q '^role "Mixed Role";$' "$W/two.rls" && grep -q '^role auditor;$' "$W/two.rls" &&
    ! grep -q '^role app_user;' "$W/two.rls"
tap_result $? "only their roles are declared" "$W/two.rls"
"$RLSC" import --db "$(db src)" plain >"$W/plain.rls" 2>"$W/plain.err"
rc=$?
[ "$rc" -eq 0 ] && ! grep -q '^table' "$W/plain.rls" &&
    grep -q "rlsc: warning: table 'plain' has no row-level security and no policy: nothing to import" "$W/plain.err"
tap_result $? "a table without RLS or policy: exit 0 (got $rc), no block, and a warning" \
    "$W/plain.err" "$W/plain.rls"
"$RLSC" import --db "$(db src)" public.nosuch >"$W/none.out" 2>"$W/none.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "table 'public.nosuch' does not exist" "$W/none.err" && [ ! -s "$W/none.out" ]
tap_result $? "an unknown table is exit 2 with a message (got $rc)" "$W/none.err"

# ---- what .rls cannot express: a diagnostic naming table and policy, exit 1
pg_createdb bad && run_sql bad "$D/schema.sql" && pg_psql -d bad -q -v ON_ERROR_STOP=1 -c "
    ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
    CREATE POLICY fine ON docs USING (true);
    CREATE POLICY extract_year ON docs USING (EXTRACT(year FROM due) > 2000);
    CREATE POLICY collated ON docs FOR INSERT WITH CHECK (status COLLATE \"C\" > 'a');" \
    >"$W/psql.out" 2>&1
tap_result $? "the unsupported corpus applies" "$W/psql.out"
"$RLSC" import --db "$(db bad)" >"$W/bad.out" 2>"$W/bad.err"
rc=$?
[ "$rc" -eq 1 ] && [ ! -s "$W/bad.out" ]
tap_result $? "unsupported expressions: exit 1 (got $rc), nothing on stdout" "$W/bad.err" "$W/bad.out"
grep -q 'table public.docs, policy "extract_year": USING (.*) has a function call in SQL.s keyword syntax (EXTRACT.*), which .rls cannot express' "$W/bad.err"
tap_result $? "the diagnostic names the table, the policy and what (EXTRACT)" "$W/bad.err"
grep -q 'table public.docs, policy "collated": WITH CHECK (.*) has COLLATE, which .rls cannot express' "$W/bad.err"
tap_result $? "and every other one: COLLATE in WITH CHECK" "$W/bad.err"
pg_psql -d bad -q -v ON_ERROR_STOP=1 -c "
    DROP POLICY extract_year ON docs; DROP POLICY collated ON docs;
    ALTER TABLE docs DISABLE ROW LEVEL SECURITY;" >"$W/psql.out" 2>&1
"$RLSC" import --db "$(db bad)" >"$W/off.out" 2>"$W/off.err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'table public.docs: policies with row-level security off' "$W/off.err"
tap_result $? "policies on a table with RLS off: exit 1 (got $rc) and why" "$W/off.err"

# ---- rlsc's own output round trips: the scenarios of tests/pg/run.sh
# compiled and applied, imported, compiled again and applied to a copy
# (the same setup and script, its policies dropped and RLS off), give the
# same pg_policies and flags.  $2... are the setup files of cases/.
C=$SRCDIR/tests/pg/cases
# drop_rls DB: every policy dropped, RLS and FORCE off
drop_rls() {
    pg_psql -d "$1" -q -v ON_ERROR_STOP=1 -c "DO \$\$ DECLARE r record; BEGIN
        FOR r IN SELECT schemaname, tablename, policyname FROM pg_catalog.pg_policies LOOP
            EXECUTE format('DROP POLICY %I ON %I.%I', r.policyname, r.schemaname, r.tablename);
        END LOOP;
        FOR r IN SELECT c.oid::regclass AS t FROM pg_catalog.pg_class c
                  WHERE c.relrowsecurity OR c.relforcerowsecurity LOOP
            EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY', r.t);
        END LOOP; END \$\$"
}
own_case() {
    name=$1; shift
    for db in "own_$name" "copy_$name"; do
        pg_createdb "$db" || return 1
        for f in "$@"; do run_sql "$db" "$C/$f" || return 1; done
    done
    "$RLSC" sql --db "$(db "own_$name")" "$C/$name.rls" >"$W/own.sql" 2>"$W/psql.out" &&
        run_sql "own_$name" "$W/own.sql" && run_sql "copy_$name" "$W/own.sql" &&
        drop_rls "copy_$name" >"$W/psql.out" 2>&1 || return 1
    "$RLSC" import --db "$(db "own_$name")" >"$W/own.rls" 2>"$W/psql.out" &&
        cp "$W/own.rls" "$W/own_$name.rls" &&
        "$RLSC" sql --db "$(db "copy_$name")" "$W/own.rls" >"$W/copy.sql" 2>"$W/psql.out" &&
        run_sql "copy_$name" "$W/copy.sql" || return 1
    state "own_$name" >"$W/own.state" 2>"$W/psql.out" &&
        state "copy_$name" >"$W/copy.all" 2>"$W/psql.out" || return 1
    # rlsc_no_rules where the source has no policy on the table: by design
    awk -F ' [|] ' 'NR == FNR { if ($1 == "policy") p[$2 "." $3] = 1; next }
        !($1 == "policy" && $4 == "rlsc_no_rules" && !(($2 "." $3) in p))' \
        "$W/own.state" "$W/copy.all" >"$W/copy.state"
    diff -u "$W/own.state" "$W/copy.state" >"$W/psql.out" && grep -q '^policy ' "$W/own.state"
}
for c in "tenant tenant.sql" "percmd percmd.sql" "deny deny.sql" "combine combine.sql" \
         "quoting quoting.sql" "verbatim verbatim.sql" "default_deny default_deny.sql" \
         "grants django_auth.sql grants.sql" "billing django_auth.sql billing.sql"; do
    # shellcheck disable=SC2086
    own_case $c
    tap_result $? "rlsc's own policies round trip: cases/${c%% *}.rls" "$W/psql.out" "$W/own.rls"
done

# ---- what came back as constructs: the lines of the source .rls
# want CASE LINE...: each LINE is a whole line of the imported file
want() {
    f=$W/own_$1.rls; shift
    for l in "$@"; do
        grep -qxF -- "$l" "$f" || { echo "missing: $l"; return 1; }
    done
}
want billing "context tenant bigint = 'app.tenant_id';" "context user bigint = 'app.user_id';" \
    "role support bypass;" "    tenant customer_id;" "    tenant id;" \
    "    allow insert to billing_app check (actor_id = \$user);" \
    "    allow select to auditor;" "    allow select, update;" "app billing;" \
    "model invoice {" "    grant view, add, delete;" >"$W/want.out" 2>&1 &&
    ! grep -q '^    policy bypass\|^    policy tenant\|current_setting(.app.tenant_id' "$W/own_billing.rls"
tap_result $? "billing: contexts, role support bypass, tenant, allow and grant come back" \
    "$W/want.out" "$W/own_billing.rls"
# a hashed condition PostgreSQL rewrote ('draft'::text) hashes otherwise:
# that rule stays a policy statement of its name, $user read as a context
grep -q '^    policy allow_update_to_billing_app_a3ff3f26 for update to billing_app using (.*created_by_id = \$user' \
    "$W/own_billing.rls" &&
    grep -q '^    policy deny_delete_5d9acc2f as restrictive for delete using ((SELECT pg_has_role(' \
        "$W/own_billing.rls"
tap_result $? "billing: a rule whose name does not come back stays a policy statement" \
    "$W/own_billing.rls"
want deny "role dy_admin bypass;" "    deny update using (locked);" "    allow all;" >"$W/want.out" 2>&1
tap_result $? "deny: role dy_admin bypass and deny update using (locked)" "$W/want.out" \
    "$W/own_deny.rls"
want combine "    allow select using (is_public);" "    allow select using (owner_name = current_user);" \
    "    deny select using (archived);" "    tenant tenant_id;" >"$W/want.out" 2>&1
tap_result $? "combine: allow and deny with conditions" "$W/want.out" "$W/own_combine.rls"
want percmd "    allow select to pc_auditor;" "    allow insert;" >"$W/want.out" 2>&1
tap_result $? "percmd: allow per command and role" "$W/want.out" "$W/own_percmd.rls"
# role names that lose characters in a policy name make it end in a hash
# without any condition
want quoting "    allow all to \"O'Brien Team\";" "    allow select to \"Ünïcode 日本\";" \
    "role \"Bö \"\"X\"\" \\ss\" bypass;" "    tenant \"tenant id\";" >"$W/want.out" 2>&1
tap_result $? "quoting: quoted roles and columns, a hashed name without a condition" \
    "$W/want.out" "$W/own_quoting.rls"
want grants "app shop;" "context user bigint = 'app.user_id';" "model product {" \
    "    grant view, add;" "    grant 'shop.approve_product' for update;" >"$W/want.out" 2>&1
tap_result $? "grants: grant view, add and a custom permission in model product" "$W/want.out" \
    "$W/own_grants.rls"

# where every rule came back, `rlsc sql` of the import is that of the
# source but for the roles no policy names (CREATE ROLE of `role R;`),
# which PostgreSQL does not tie to any table
strip_roles() {
    awk '/^-- roles$/ { next }
         /^DO \$rlsc\$$/ { held = $0 "\n"; hold = 1; next }
         hold { held = held $0 "\n"; if ($0 == "$rlsc$;") { hold = 0;
                if (held !~ /CREATE ROLE/) printf "%s", held }; next }
         { print }' "$1"
}
: >"$W/same.out"
for name in tenant default_deny combine; do
    f=$W/own_$name.rls
    grep -q '^    policy ' "$f" && { echo "$name: not every rule came back" >>"$W/same.out"; continue; }
    pg_createdb "sql_$name" && run_sql "sql_$name" "$C/$name.sql" || { echo "$name: setup" >>"$W/same.out"; continue; }
    "$RLSC" sql --db "$(db "sql_$name")" "$C/$name.rls" >"$W/a.sql" 2>/dev/null
    "$RLSC" sql --db "$(db "sql_$name")" "$f" >"$W/b.sql" 2>/dev/null
    strip_roles "$W/a.sql" >"$W/a.cmp" && strip_roles "$W/b.sql" >"$W/b.cmp"
    # -B: the blank line that ended the roles section
    [ -s "$W/a.cmp" ] && diff -u -B "$W/a.cmp" "$W/b.cmp" >>"$W/same.out" || echo "$name differs" >>"$W/same.out"
done
[ ! -s "$W/same.out" ]
tap_result $? "tenant, default_deny, combine: rlsc sql of the import = of the source (but CREATE ROLE)" \
    "$W/same.out"

# ---- a tenant through foreign keys comes back as a path, each step the
# column itself; the same SQL as the source
pg_createdb fk && run_sql fk "$D/fkpath.sql" && pg_createdb fk_copy && run_sql fk_copy "$D/fkpath.sql" &&
    "$RLSC" sql --db "$(db fk)" "$D/fkpath.rls" >"$W/fk.sql" 2>"$W/psql.out" && run_sql fk "$W/fk.sql" &&
    "$RLSC" import --db "$(db fk)" >"$W/fk.rls" 2>"$W/psql.out" &&
    grep -qx '    tenant project_id__organization_id;' "$W/fk.rls" &&
    grep -qx '    tenant organization_id;' "$W/fk.rls" && ! grep -q '^    policy ' "$W/fk.rls"
tap_result $? "tenant project__organization comes back as tenant project_id__organization_id" \
    "$W/psql.out" "$W/fk.rls"
"$RLSC" sql --db "$(db fk_copy)" "$W/fk.rls" >"$W/fk_copy.sql" 2>"$W/psql.out" &&
    diff -u "$W/fk.sql" "$W/fk_copy.sql" >"$W/psql.out" && run_sql fk_copy "$W/fk_copy.sql" &&
    state fk >"$W/fk.state" && state fk_copy >"$W/fk_copy.state" &&
    diff -u "$W/fk.state" "$W/fk_copy.state" >"$W/psql.out"
tap_result $? "and rlsc sql of the import is byte for byte that of the source" "$W/psql.out"

# ---- a policy named like rlsc's, edited by hand: not taken for the
# construct, it stays a policy statement; the rest is as before
pg_createdb edit && run_sql edit "$C/tenant.sql" && pg_createdb edit_copy &&
    run_sql edit_copy "$C/tenant.sql" &&
    "$RLSC" sql --db "$(db edit)" "$C/tenant.rls" >"$W/edit.sql" 2>/dev/null &&
    run_sql edit "$W/edit.sql" && pg_psql -d edit -q -v ON_ERROR_STOP=1 -c "
        ALTER POLICY tenant ON items USING (tenant_id = (SELECT CAST(NULLIF(
            pg_catalog.current_setting('app.tenant_id', true), '') AS bigint)) AND tenant_id > 0)" \
    >"$W/psql.out" 2>&1
tap_result $? "the edited tenant policy applies" "$W/psql.out"
"$RLSC" import --db "$(db edit)" >"$W/edit.rls" 2>"$W/edit.err"
awk '/^table public.items \{/,/^\}/' "$W/edit.rls" >"$W/edit.items"
awk '/^table public.items_noforce \{/,/^\}/' "$W/edit.rls" >"$W/edit.noforce"
grep -qxF '    policy tenant as restrictive using ((tenant_id = $tenant) AND (tenant_id > 0));' \
    "$W/edit.items" && grep -qx '    allow all;' "$W/edit.items" &&
    ! grep -q '^    tenant ' "$W/edit.items" &&
    grep -qx '    tenant tenant_id;' "$W/edit.noforce"
tap_result $? "an edited tenant policy stays a policy statement (\$tenant), its table's allow all does not" \
    "$W/edit.rls" "$W/edit.err"
"$RLSC" sql --db "$(db edit_copy)" "$W/edit.rls" >"$W/edit_copy.sql" 2>"$W/psql.out" &&
    run_sql edit_copy "$W/edit_copy.sql" && state edit >"$W/edit.state" &&
    state edit_copy >"$W/edit_copy.state" && diff -u "$W/edit.state" "$W/edit_copy.state" >"$W/psql.out"
tap_result $? "and the round trip is exact" "$W/psql.out"

# ---- a construct that gets the database's name but not its policy: the
# table falls back whole.  `allow` rewrites x IN (subquery) (to = ANY
# (ARRAY(...)), with a catalog), which a policy statement keeps; the
# policy is given the name that `allow` would get.
printf '%s\n' 'table public.docs {' \
    '    allow select using (team_id IN (SELECT teams.id FROM teams));' '    no force;' '}' \
    >"$W/in.rls"
pg_createdb drift && run_sql drift "$D/schema.sql" && pg_createdb drift_copy &&
    run_sql drift_copy "$D/schema.sql" &&
    "$RLSC" sql --db "$(db drift)" "$W/in.rls" >"$W/in.sql" 2>"$W/psql.out" &&
    in_name=$(sed -n 's/^CREATE POLICY "\(allow_select_[0-9a-f]*\)".*/\1/p' "$W/in.sql") &&
    [ -n "$in_name" ] && pg_psql -d drift -q -v ON_ERROR_STOP=1 -c "
        ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
        CREATE POLICY $in_name ON docs FOR SELECT USING (team_id IN (SELECT id FROM teams));
        CREATE POLICY allow_all ON docs USING (true);
        ALTER TABLE teams ENABLE ROW LEVEL SECURITY;
        CREATE POLICY allow_select ON teams FOR SELECT USING (true);" >"$W/psql.out" 2>&1
tap_result $? "a policy named as allow would name it, its IN (subquery) kept" "$W/psql.out"
"$RLSC" import --db "$(db drift)" >"$W/drift.rls" 2>"$W/drift.err"
awk '/^table public.docs \{/,/^\}/' "$W/drift.rls" >"$W/drift.docs"
grep -qx -- '-- back to exactly the same policies: public.docs' "$W/drift.rls" &&
    grep -q "^    policy $in_name for select using (team_id IN (SELECT" "$W/drift.docs" &&
    grep -qx '    policy allow_all using (true);' "$W/drift.docs" &&
    awk '/^table public.teams \{/,/^\}/' "$W/drift.rls" | grep -qx '    allow select;'
tap_result $? "its table falls back whole to policy statements and says so; the other keeps allow" \
    "$W/drift.rls" "$W/drift.err"
"$RLSC" sql --db "$(db drift_copy)" "$W/drift.rls" >"$W/drift_copy.sql" 2>"$W/psql.out" &&
    run_sql drift_copy "$W/drift_copy.sql" && state drift >"$W/drift.state" &&
    state drift_copy >"$W/drift_copy.state" &&
    diff -u "$W/drift.state" "$W/drift_copy.state" >"$W/psql.out"
tap_result $? "and the round trip is exact" "$W/psql.out"

# ---- a read-only connection: policy statements only, and a warning
ro="$(db own_billing) options='-c default_transaction_read_only=on'"
"$RLSC" import --db "$ro" >"$W/ro.rls" 2>"$W/ro.err"
rc=$?
[ "$rc" -eq 0 ] && grep -q '^    policy tenant as restrictive' "$W/ro.rls" &&
    ! grep -q '^context \|^    tenant \| bypass;$' "$W/ro.rls" &&
    grep -q 'rlsc: warning: writing `policy` statements only: the constructs .* could not be checked against the database' "$W/ro.err"
tap_result $? "read-only database: exit 0 (got $rc), policy statements, and a warning why" \
    "$W/ro.err" "$W/ro.rls"

# ---- --plain: every policy a policy statement, as before constructs
"$RLSC" import --plain --db "$(db own_billing)" >"$W/plain_billing.rls" 2>"$W/plain.err"
n_pol=$(pg_psql -d own_billing -X -At -c "SELECT count(*) FROM pg_catalog.pg_policies")
[ "$(grep -c '^    policy ' "$W/plain_billing.rls")" -eq "$n_pol" ] &&
    ! grep -q '^context \|^    tenant \|^    allow \| bypass;$' "$W/plain_billing.rls" &&
    diff -u "$W/ro.rls" "$W/plain_billing.rls" >"$W/plain.diff"
tap_result $? "--plain: the $n_pol policies as policy statements (as the read-only fallback)" \
    "$W/plain.err" "$W/plain.diff" "$W/plain_billing.rls"
tap_plan
