#!/bin/sh
# tests/pg/prelude.sh — the built-in function list (stdlib/prelude.rls)
# against pg_proc (issue 10).  A name the prelude lists must come with
# every pg_catalog overload PostgreSQL has: with one missing, a call that is
# "not unique" to PostgreSQL (trunc('1'), to_hex(smallint)) looks unique to
# rlsc.  stdlib/prelude_gen.sh regenerates the file from the server; the
# test fails when the result differs, and prints the diff (run the script
# to fix it).  The regenerated prelude must also load without errors.
# TAP; the plan comes at the end.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"
pg_setup_or_skip

PSQL="$PSQL -X -h $PGSOCK -p $PGPORT -U postgres -d postgres"
export PSQL
if sh "$SRCDIR/stdlib/prelude_gen.sh" "$SRCDIR/stdlib/prelude.rls" >"$PGWORK/prelude.rls" \
        2>"$PGWORK/gen.err"; then
    tap_ok "prelude_gen.sh reads pg_proc"
else
    tap_not_ok "prelude_gen.sh reads pg_proc"
    tap_diag_file "$PGWORK/gen.err"
fi
diff -u "$SRCDIR/stdlib/prelude.rls" "$PGWORK/prelude.rls" >"$PGWORK/diff" 2>&1
tap_result $? "stdlib/prelude.rls has every pg_catalog overload of the names it lists" ||
    tap_diag_file "$PGWORK/diff"
# every name is still there (none vanished from pg_proc)
sed -n 's/^\(aggregate \)\{0,1\}function \([a-z_0-9]*\)(.*/\2/p' "$SRCDIR/stdlib/prelude.rls" |
    sort -u >"$PGWORK/names.old"
sed -n 's/^\(aggregate \)\{0,1\}function \([a-z_0-9]*\)(.*/\2/p' "$PGWORK/prelude.rls" |
    sort -u >"$PGWORK/names.new"
diff "$PGWORK/names.old" "$PGWORK/names.new" >"$PGWORK/names.diff" 2>&1
tap_result $? "every name of the prelude is a pg_catalog function" ||
    tap_diag_file "$PGWORK/names.diff"
# the prelude is parsed by every run: an empty policy file checks it
printf 'app p;\n' >"$PGWORK/empty.rls"
"$RLSC" check "$PGWORK/empty.rls" >"$PGWORK/check.out" 2>&1
tap_result $? "rlsc loads the prelude without errors" || tap_diag_file "$PGWORK/check.out"
tap_plan
