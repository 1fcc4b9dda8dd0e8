#!/bin/sh
# tests/pg/evolve.sh — migrations and down scripts keep each table's RLS
# flags exact across edits and across apps sharing a table, skip tables an
# earlier migration deleted, and cannot be turned into code by a name.  TAP.
#
# Migrations are applied without Django: UP_SQL / DOWN_SQL are read from
# the file with a stub django.db.migrations module (Python 3), and run in
# one transaction each, as Django runs a migration on PostgreSQL.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/pg/pgenv.sh"
pg_setup_or_skip
PY=${DJANGO_PYTHON:-python3}
command -v "$PY" >/dev/null 2>&1 || PY=python3

n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
q() { pg_psql -X -q -d "$DB" -v ON_ERROR_STOP=1 "$@"; }
flags() { q -tA -c "SELECT relrowsecurity || '/' || relforcerowsecurity FROM pg_class WHERE relname = 't'"; }
sql_of() { # migration file, up|down
    "$PY" - "$1" "$2" <<'PYEOF'
import sys, types
dj = types.ModuleType('django'); db = types.ModuleType('django.db')
class migrations:
    class Migration: pass
    @staticmethod
    def RunSQL(**k): return k
db.migrations = migrations
sys.modules['django'] = dj; sys.modules['django.db'] = db
g = {}
exec(open(sys.argv[1]).read(), g)
sys.stdout.write(''.join(g['UP_SQL'] if sys.argv[2] == 'up' else g['DOWN_SQL']))
PYEOF
}
W=$PGWORK
echo "1..11"

# 1-2: two apps on one table; one app's down keeps the other's protection
DB=coexist
pg_psql -d postgres -q -c "CREATE DATABASE $DB"
q -c "CREATE TABLE t (x int)"
printf 'app a;\ntable t { allow select using (x > 0); }\n' > "$W/a.rls"
printf 'app b;\ntable t { allow insert check (x > 0); }\n' > "$W/b.rls"
for step in "a.rls" "b.rls" "--down b.rls"; do
    # shellcheck disable=SC2086
    (cd "$W" && "$RLSC" sql $step 2>/dev/null) | q >/dev/null 2>&1
done
[ "$(flags)" = "true/true" ]
ok $? "after b's down, t keeps RLS on and forced for a's policies ($(flags))"
(cd "$W" && "$RLSC" sql --down a.rls 2>/dev/null) | q >/dev/null 2>&1
[ "$(flags)" = "false/false" ] && [ "$(q -tA -c 'SELECT count(*) FROM pg_policies')" = 0 ]
ok $? "after a's down too, t is as before either ($(flags))"

# 3-6: a migration chain; the policy is re-created under its own name
DB=chain
pg_psql -d postgres -q -c "CREATE DATABASE $DB"
q -c "CREATE TABLE t (x int)" -c "ALTER TABLE t ENABLE ROW LEVEL SECURITY"
mkdir -p "$W/m" && : > "$W/m/0001_initial.py"
printf 'app a;\ntable t { policy p for select using (x > 0); }\n' > "$W/v1.rls"
printf 'app a;\ntable t { policy p for insert with check (x > 0); }\n' > "$W/v2.rls"
printf 'app a;\ntable other { allow select; }\n' > "$W/v3.rls"
q -c "CREATE TABLE other (y int)"
before=$(flags)
applied=0
for v in v1 v2 v3; do
    "$RLSC" django --migrations "$W/m" "$W/$v.rls" >/dev/null 2>&1 || applied=1
    f=$(ls "$W"/m/0*.py | sort | tail -1)
    sql_of "$f" up | q -1 >/dev/null 2>&1 || applied=1
done
[ "$applied" = 0 ] && [ "$(ls "$W"/m/0*.py | wc -l)" = 4 ]
ok $? "three migrations written and applied (re-create p, then drop table t's rules)"
[ "$(flags)" = "$before" ]
ok $? "t has its flags from before the first migration again ($(flags))"
down_ok=0
for f in $(ls "$W"/m/000[234]*.py | sort -r); do
    sql_of "$f" down | q -1 >/dev/null 2>&1 || down_ok=1
done
[ "$down_ok" = 0 ] && [ "$(flags)" = "$before" ] && [ "$(q -tA -c 'SELECT count(*) FROM pg_policies')" = 0 ]
ok $? "all downs apply and leave t's flags and pg_policies as before ($(flags))"

# 6-7: the model's table was deleted by an earlier (Django) migration
DB=deleted
pg_psql -d postgres -q -c "CREATE DATABASE $DB"
q -c "CREATE TABLE t (x int)" -c "CREATE TABLE other (y int)"
rm -rf "$W/m2" && mkdir -p "$W/m2" && : > "$W/m2/0001_initial.py"
printf 'app a;\ntable t { allow select; }\ntable other { allow select; }\n' > "$W/d1.rls"
printf 'app a;\ntable other { allow select; }\n' > "$W/d2.rls"
"$RLSC" django --migrations "$W/m2" "$W/d1.rls" >/dev/null 2>&1
sql_of "$W/m2/0002_rlsc_policies.py" up | q -1 >/dev/null 2>&1
ok $? "policies on t and other applied"
q -c "DROP TABLE t"
"$RLSC" django --migrations "$W/m2" "$W/d2.rls" >/dev/null 2>&1
sql_of "$W/m2/0003_rlsc_policies.py" up | q -1 >/dev/null 2>&1
ok $? "the migration that drops t's rules applies although t is gone"

# 8-9: a block with no rules keeps the record in an admit-nothing policy
DB=empty
pg_psql -d postgres -q -c "CREATE DATABASE $DB"
q -c "CREATE TABLE t (x int)" -c "ALTER TABLE t ENABLE ROW LEVEL SECURITY" -c "INSERT INTO t VALUES (1)"
printf 'app a;\ntable t { }\n' > "$W/e.rls"
(cd "$W" && "$RLSC" sql e.rls 2>/dev/null) | q >/dev/null 2>&1
[ "$(flags)" = "true/true" ] && [ "$(q -tA -c "SET row_security = on" -c "CREATE ROLE e_reader" -c "GRANT SELECT ON t TO e_reader" -c "SET ROLE e_reader" -c "SELECT count(*) FROM t")" = 0 ]
ok $? "table t { } denies every row (its placeholder policy admits none)"
(cd "$W" && "$RLSC" sql --down e.rls 2>/dev/null) | q >/dev/null 2>&1
[ "$(flags)" = "true/false" ] && [ "$(q -tA -c 'SELECT count(*) FROM pg_policies')" = 0 ]
ok $? "its down restores RLS on, not forced, as before ($(flags))"

# 10-11: a name with a line break cannot become code in the migration
rm -rf "$W/m3" && mkdir -p "$W/m3" && : > "$W/m3/0001_initial.py"
printf 'app a;\ntable t { policy "x\rraise SystemExit(42)  # " for select using (true); }\n' > "$W/evil.rls"
"$RLSC" django --migrations "$W/m3" "$W/evil.rls" >/dev/null 2>&1
ok $? "a migration is written for a policy whose name holds a carriage return"
sql_of "$W/m3/0002_rlsc_policies.py" up > /dev/null 2>&1
ok $? "importing it runs no code from the name"
exit 0
