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
# table and the policy, exit 1, nothing on stdout).  TAP; plan at the end.
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
tap_plan
