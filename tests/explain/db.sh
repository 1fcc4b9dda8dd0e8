#!/bin/sh
# tests/explain/db.sh — `rlsc explain --db`: the live database's policies as
# the old side.  TAP; plan at the end.
#
#   the billing case applied: nothing changed (both sides' conditions read
#   as PostgreSQL stores them, the bypass exemption decided in its
#   pg_get_expr spelling too); a rule added in the files: widened at its
#   cell only; a database with the tables and no policies: every table new;
#   an unreachable database: exit 2, nothing on stdout.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"
pg_setup_or_skip

W=$PGWORK
C=$SRCDIR/tests/pg/cases
db() { printf 'host=%s port=%s user=postgres dbname=%s' "$PGSOCK" "$PGPORT" "$1"; }

for d in applied bare; do
    pg_createdb $d >"$W/out" 2>&1 &&
        cat "$C/django_auth.sql" "$C/billing.sql" | pg_psql -d $d -q -v ON_ERROR_STOP=1 >>"$W/out" 2>&1
    tap_result $? "$d: the billing tables" "$W/out" || tap_bail "no database"
done
# compiled against the database's catalog, as a deployment does (the
# catalog changes how some conditions are written)
"$RLSC" sql --db "$(db applied)" "$C/billing.rls" >"$W/up.sql" 2>"$W/err" &&
    pg_psql -d applied -q -v ON_ERROR_STOP=1 -f "$W/up.sql" >"$W/out" 2>&1
tap_result $? "applied: the compiled billing policies" "$W/err" "$W/out"

"$RLSC" explain --db "$(db applied)" "$C/billing.rls" >"$W/same.txt" 2>"$W/same.err"
rc=$?
[ "$rc" = 0 ] && [ "$(cat "$W/same.txt")" = "nothing changed: every table, command and role has the same access" ]
tap_result $? "the files as applied: nothing changed, exit 0 ($rc)" "$W/same.txt" "$W/same.err"

# one rule more: billing_app may read the audit log of its tenant
sed 's/^    allow insert to billing_app check (actor_id = \$user);$/&\n    allow select to billing_app;/' \
    "$C/billing.rls" >"$W/more.rls"
"$RLSC" explain --db "$(db applied)" "$W/more.rls" >"$W/more.txt" 2>"$W/more.err"
tap_result $? "one rule more: exit 0" "$W/more.err"
awk '$0 == "billing_audit_log" { t = 1 } t && /^  select / { print; exit }' "$W/more.txt" >"$W/r"
grep -Eq '^  select += +widened: none -> some \[1\] += += *$' "$W/r" &&
    [ "$(grep -c ': unchanged$' "$W/more.txt")" = 3 ]
tap_result $? "one rule more: widened at select x billing_app of billing_audit_log only" \
    "$W/r" "$W/more.txt"
! grep -q 'pg_has_role' "$W/more.txt"
tap_result $? "the bypass exemption is decided on both sides (pg_get_expr's spelling too)" \
    "$W/more.txt"

"$RLSC" explain --format markdown --db "$(db bare)" "$C/billing.rls" >"$W/bare.md" 2>"$W/bare.err"
tap_result $? "no policies in the database: exit 0" "$W/bare.err"
[ "$(grep -c ': new table (before: no RLS, all rows)$' "$W/bare.md")" = 4 ]
tap_result $? "no policies in the database: every table is new" "$W/bare.md"

"$RLSC" explain --db "host=$PGSOCK port=$PGPORT user=postgres dbname=nosuchdb" \
    "$C/billing.rls" >"$W/no.out" 2>"$W/no.err"
rc=$?
[ "$rc" = 2 ] && [ ! -s "$W/no.out" ] && grep -q 'nosuchdb' "$W/no.err"
tap_result $? "an unreachable database: exit 2 ($rc), said, nothing on stdout" "$W/no.err" "$W/no.out"

tap_plan
