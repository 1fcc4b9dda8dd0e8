#!/bin/sh
# tests/difftest/run.sh — random conditions through rlsc and PostgreSQL (TAP).
#
# The promise: every condition `rlsc check` accepts, PostgreSQL accepts in
# CREATE POLICY.  gen.py generates typed conditions for fixed seeds over
# schema.sql and judges each with `rlsc check` (types from `rlsc catalog
# --db` of the test database, or from --db itself for every other seed) and
# with CREATE POLICY on a real server (rlsc's own SQL for the accepted
# ones).  One test line per seed: not ok on any false accept (rlsc accepts,
# PostgreSQL rejects), with the condition, the seed and PostgreSQL's error.
# False rejects (rlsc stricter than PostgreSQL) are counted by cause and
# reported as comments.
#
# Environment (from `make check`): RLSC, SRCDIR, PG_BINDIR (may be empty).
#   DIFFTEST_N=N          conditions per seed (default 1500)
#   DIFFTEST_SEEDS=S,...  the seeds (default 1,2,3)
#   DIFFTEST_TOP=N        false-reject causes listed (default 15)
#   PG_KEEP=1             keep the work directory: verdicts.tsv has every
#                         condition with rlsc's and PostgreSQL's verdicts
# The long run of issue 10:  DIFFTEST_N=50000 DIFFTEST_SEEDS=11,12,13,14,15
set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
RLSC=${RLSC:-rlsc}
HERE=$SRCDIR/tests/difftest
N=${DIFFTEST_N:-1500}
SEEDS=${DIFFTEST_SEEDS:-1,2,3}
PY=/usr/bin/python3

. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"

[ -x "$PY" ] && "$PY" -c 'import psycopg2' 2>/dev/null ||
    tap_skip_all "$PY with psycopg2 (Debian's python3-psycopg2) not found"
pg_setup_or_skip
W=$PGWORK

DB=difftest
CONN="host=$PGSOCK port=$PGPORT user=postgres dbname=$DB"
if ! pg_createdb "$DB" >"$W/createdb.log" 2>&1 \
   || ! pg_psql -d "$DB" -q -v ON_ERROR_STOP=1 -f "$HERE/schema.sql" >"$W/schema.log" 2>&1; then
    tap_bail "cannot create the database from schema.sql" "$W/createdb.log" "$W/schema.log"
fi
"$RLSC" catalog --db "$CONN" >"$W/cat.rls" 2>"$W/catalog.err" ||
    tap_bail "rlsc catalog --db failed" "$W/catalog.err"

tap_note "$("$PG_BINDIR/postgres" -V); seeds $SEEDS, $N conditions each"
"$PY" "$HERE/gen.py" run --rlsc "$RLSC" --catalog "$W/cat.rls" --conn "$CONN" \
    --db "$CONN" --seeds "$SEEDS" --n "$N" --top "${DIFFTEST_TOP:-15}" --work "$W" >"$W/tap.out" 2>"$W/gen.err"
rc=$?
tap_relay <"$W/tap.out"
[ "$rc" = 0 ] || tap_not_ok "gen.py run finished (exit $rc)" "$W/gen.err"
tap_plan
[ "$TAP_FAILED" = 0 ]
