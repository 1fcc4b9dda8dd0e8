#!/bin/sh
# tests/pg/evolve.sh — migrations and down scripts keep each table's RLS
# flags exact across edits and across apps sharing a table, skip tables an
# earlier migration deleted, and cannot be turned into code by a name.  TAP.
#
# Migrations are applied without Django: UP_SQL / DOWN_SQL are read from
# the file with a stub django.db.migrations module (Python 3), and run in
# one transaction each, as Django runs a migration on PostgreSQL.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"
pg_setup_or_skip
PY=${DJANGO_PYTHON:-python3}
command -v "$PY" >/dev/null 2>&1 || PY=python3

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
tap_plan 21

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
tap_result $? "after b's down, t keeps RLS on and forced for a's policies ($(flags))"
(cd "$W" && "$RLSC" sql --down a.rls 2>/dev/null) | q >/dev/null 2>&1
[ "$(flags)" = "false/false" ] && [ "$(q -tA -c 'SELECT count(*) FROM pg_policies')" = 0 ]
tap_result $? "after a's down too, t is as before either ($(flags))"

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
tap_result $? "three migrations written and applied (re-create p, then drop table t's rules)"
[ "$(flags)" = "$before" ]
tap_result $? "t has its flags from before the first migration again ($(flags))"
down_ok=0
for f in $(ls "$W"/m/000[234]*.py | sort -r); do
    sql_of "$f" down | q -1 >/dev/null 2>&1 || down_ok=1
done
[ "$down_ok" = 0 ] && [ "$(flags)" = "$before" ] && [ "$(q -tA -c 'SELECT count(*) FROM pg_policies')" = 0 ]
tap_result $? "all downs apply and leave t's flags and pg_policies as before ($(flags))"

# 6-7: the model's table was deleted by an earlier (Django) migration
DB=deleted
pg_psql -d postgres -q -c "CREATE DATABASE $DB"
q -c "CREATE TABLE t (x int)" -c "CREATE TABLE other (y int)"
rm -rf "$W/m2" && mkdir -p "$W/m2" && : > "$W/m2/0001_initial.py"
printf 'app a;\ntable t { allow select; }\ntable other { allow select; }\n' > "$W/d1.rls"
printf 'app a;\ntable other { allow select; }\n' > "$W/d2.rls"
"$RLSC" django --migrations "$W/m2" "$W/d1.rls" >/dev/null 2>&1
sql_of "$W/m2/0002_rlsc_policies.py" up | q -1 >/dev/null 2>&1
tap_result $? "policies on t and other applied"
q -c "DROP TABLE t"
"$RLSC" django --migrations "$W/m2" "$W/d2.rls" >/dev/null 2>&1
sql_of "$W/m2/0003_rlsc_policies.py" up | q -1 >/dev/null 2>&1
tap_result $? "the migration that drops t's rules applies although t is gone"

# 8-9: a block with no rules keeps the record in an admit-nothing policy
DB=empty
pg_psql -d postgres -q -c "CREATE DATABASE $DB"
q -c "CREATE TABLE t (x int)" -c "ALTER TABLE t ENABLE ROW LEVEL SECURITY" -c "INSERT INTO t VALUES (1)"
printf 'app a;\ntable t { }\n' > "$W/e.rls"
(cd "$W" && "$RLSC" sql e.rls 2>/dev/null) | q >/dev/null 2>&1
[ "$(flags)" = "true/true" ] && [ "$(q -tA -c "SET row_security = on" -c "CREATE ROLE e_reader" -c "GRANT SELECT ON t TO e_reader" -c "SET ROLE e_reader" -c "SELECT count(*) FROM t")" = 0 ]
tap_result $? "table t { } denies every row (its placeholder policy admits none)"
(cd "$W" && "$RLSC" sql --down e.rls 2>/dev/null) | q >/dev/null 2>&1
[ "$(flags)" = "true/false" ] && [ "$(q -tA -c 'SELECT count(*) FROM pg_policies')" = 0 ]
tap_result $? "its down restores RLS on, not forced, as before ($(flags))"

# 10-11: a name with a line break cannot become code in the migration
rm -rf "$W/m3" && mkdir -p "$W/m3" && : > "$W/m3/0001_initial.py"
printf 'app a;\ntable t { policy "x\rraise SystemExit(42)  # " for select using (true); }\n' > "$W/evil.rls"
"$RLSC" django --migrations "$W/m3" "$W/evil.rls" >/dev/null 2>&1
tap_result $? "a migration is written for a policy whose name holds a carriage return"
sql_of "$W/m3/0002_rlsc_policies.py" up > /dev/null 2>&1
tap_result $? "importing it runs no code from the name"
# 12-13: a file name with a line break cannot become code in the header
rm -rf "$W/m4" && mkdir -p "$W/m4" && : > "$W/m4/0001_initial.py"
evil_name="$W/x
raise SystemExit(43)
#.rls"
printf 'app a;\ntable t { allow select; }\n' > "$evil_name"
"$RLSC" django --migrations "$W/m4" "$evil_name" >/dev/null 2>&1
tap_result $? "a migration is written from a file whose name holds line breaks"
sql_of "$W/m4/0002_rlsc_policies.py" up > /dev/null 2>&1
tap_result $? "importing it runs no code from the file name"

# 14-15: two apps on one table, and the FIRST to come leaves first: its
# record of the flags must not turn RLS off under the other app's rules
DB=coexist2
pg_psql -d postgres -q -c "CREATE DATABASE $DB"
q -c "CREATE TABLE t (x int)"
for step in "a.rls" "b.rls" "--down a.rls"; do
    # shellcheck disable=SC2086
    (cd "$W" && "$RLSC" sql $step 2>/dev/null) | q >/dev/null 2>&1
done
[ "$(flags)" = "true/true" ] && [ "$(q -tA -c 'SELECT count(*) FROM pg_policies')" = 1 ]
tap_result $? "after a's down, t keeps RLS on and forced for b's policy ($(flags))"
(cd "$W" && "$RLSC" sql --down b.rls 2>/dev/null) | q >/dev/null 2>&1
[ "$(flags)" = "false/false" ] && [ "$(q -tA -c 'SELECT count(*) FROM pg_policies')" = 0 ]
tap_result $? "after b's down too, t is as before either ($(flags))"

# 16-21: a migration of rlsc 0.1.0 (cases/legacy: its has_perm(user id, ...)
# answered for any id and could be hijacked) moves on to the current helper
# and back
DB=legacy
pg_psql -d postgres -q -c "CREATE DATABASE $DB"
q -f "$SRCDIR/tests/pg/cases/django_auth.sql" >/dev/null
q -c "CREATE TABLE a_item (id int)" -c "INSERT INTO a_item VALUES (1), (2)" \
  -c "INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
      VALUES (1, '!', true, 'root', '', '', '', false, true, now()), (2, '!', false, 'nobody', '', '', '', false, true, now())"
rm -rf "$W/lm" && mkdir -p "$W/lm" && : > "$W/lm/0001_initial.py"
cp "$SRCDIR/tests/pg/cases/legacy/0002_rlsc_policies.py" "$W/lm/"
sql_of "$W/lm/0002_rlsc_policies.py" up | q -1 >/dev/null 2>&1
q -c "GRANT SELECT ON a_item TO a_web" >/dev/null
funcs() { q -tA -c "SELECT string_agg(p.oid::regprocedure::text || ':' || array_to_string(p.proconfig, ','), ' ' ORDER BY 1)
                    FROM pg_proc p WHERE p.pronamespace = 'rlsc'::regnamespace"; }
seen() { q -tA -c "SELECT set_config('app.user_id', '$1', false)" -c "SET ROLE a_web" -c "SELECT count(*) FROM a_item" | tail -1; }
grant_qual() { q -tA -c "SELECT string_agg(qual, ' ') FROM pg_policies WHERE policyname LIKE 'grant%'"; }
legacy_funcs=$(funcs)
legacy_qual=$(grant_qual)
[ "$(seen 1)" = 2 ] && [ "$(seen 2)" = 0 ]
tap_result $? "the 0.1.0 migration applies; its grant admits the superuser only ($legacy_funcs)"
"$RLSC" django --migrations "$W/lm" "$SRCDIR/tests/pg/cases/legacy/policies.rls" >/dev/null 2>"$W/lm.err" &&
    sql_of "$W/lm/0003_rlsc_policies.py" up | q -1 >/dev/null 2>"$W/lm3.err"
tap_result $? "the next migration moves it to the current helper: written and applied"
[ "$(funcs)" = "rlsc.has_perm(text,text,text):search_path=pg_catalog, pg_temp" ] && [ "$(seen 1)" = 2 ] && [ "$(seen 2)" = 0 ]
tap_result $? "only the hardened has_perm(setting, ...) is left, and the grant decides as before ($(funcs))"
sql_of "$W/lm/0003_rlsc_policies.py" down | q -1 >/dev/null 2>&1 &&
    [ "$(funcs)" = "rlsc.has_perm(bigint,text,text):search_path=pg_catalog, pg_temp" ] && [ "$(seen 1)" = 2 ] && [ "$(seen 2)" = 0 ]
tap_result $? "migrating back restores the 0.1.0 entry point, hardened, and the grant works ($(funcs))"
[ "$(grant_qual)" = "$legacy_qual" ]
tap_result $? "the grant policy is 0.1.0's again"
sql_of "$W/lm/0002_rlsc_policies.py" down | q -1 >/dev/null 2>&1 &&
    [ "$(q -tA -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'rlsc'")" = 0 ] &&
    [ "$(q -tA -c 'SELECT count(*) FROM pg_policies')" = 0 ]
tap_result $? "and 0.1.0's own down still removes everything (no schema rlsc, no policy)"
exit 0
