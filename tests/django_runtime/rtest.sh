#!/bin/sh
# tests/django_runtime/rtest.sh — `manage.py rlsc_test` on real Django and
# PostgreSQL (TAP): the tests shipped in examples/billing/billing/policies.rls
# run against a test database that the command creates and migrates as
# Django's test runner does, and destroys after; its TAP comes through, and
# every test passes (exit 0).  A failing test added to the file: exit 1 and
# its `not ok` with the expectation's FILE:LINE:COL.  The tests change no
# migration (makemigrations --check).  The conninfo keeps the password out
# of rlsc's command line (PGPASSWORD).
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/django_runtime/lib.sh"
rt_setup
# the example project alone; Django's test runner creates test_billing
DJANGO_SETTINGS_MODULE=billing_site.settings
export DJANGO_SETTINGS_MODULE
W=$PGWORK
pg_psql -d postgres -q -v ON_ERROR_STOP=1 -c "ALTER ROLE billing_owner CREATEDB" >"$W/psql.out" 2>&1
tap_result $? "billing_owner may create the test database" "$W/psql.out"
ntests=$(grep -c "^test '" billing/policies.rls)
[ "$ntests" -ge 8 ]
tap_result $? "examples/billing ships $ntests tests (at least 8)"

"$PY" manage.py makemigrations --check --dry-run >"$W/mm.out" 2>&1
tap_result $? "makemigrations --check: the tests change no migration" "$W/mm.out"

"$PY" manage.py rlsc_test --noinput >"$W/run.out" 2>"$W/run.err"
rc=$?
[ "$rc" = 0 ]
tap_result $? "manage.py rlsc_test: exit 0 (got $rc)" "$W/run.err" "$W/run.out"
[ "$(head -n 1 "$W/run.out")" = "1..$ntests" ] &&
    [ "$(grep -c '^ok [0-9]* - ' "$W/run.out")" = "$ntests" ] &&
    ! grep -q '^not ok' "$W/run.out"
tap_result $? "its TAP: the plan, and ok for each of the $ntests tests" "$W/run.out"
grep -q "^ok 1 - a tenant sees and writes only its own rows$" "$W/run.out"
tap_result $? "the tests are named as in the file" "$W/run.out"
n=$(pg_psql -d postgres -At -c "SELECT count(*) FROM pg_database WHERE datname = 'test_billing'")
[ "$n" = 0 ]
tap_result $? "the test database is gone afterwards ($n left)"

# a test that fails
cp billing/policies.rls "$W/policies.rls.orig"
cat >>billing/policies.rls <<'RLS'

test 'a wrong expectation' with tenant = 1 {
    setup: insert into billing_customer (id, name) values (1, 'Acme'), (2, 'Globex');
    expect 2 rows: select * from billing_customer;
}
RLS
line=$(grep -n "expect 2 rows: select \* from billing_customer;" billing/policies.rls | tail -n 1 | cut -d: -f1)
"$PY" manage.py rlsc_test --noinput billing >"$W/fail.out" 2>"$W/fail.err"
rc=$?
[ "$rc" = 1 ] && grep -q "^not ok $((ntests + 1)) - a wrong expectation$" "$W/fail.out" &&
    grep -q "^# .*billing/policies.rls:$line:5: expected 2 rows, got 1$" "$W/fail.out"
tap_result $? "a failing test: exit 1 (got $rc), not ok with FILE:$line:5 and what happened" \
    "$W/fail.out" "$W/fail.err"
cp "$W/policies.rls.orig" billing/policies.rls
n=$(pg_psql -d postgres -At -c "SELECT count(*) FROM pg_database WHERE datname = 'test_billing'")
[ "$n" = 0 ]
tap_result $? "... and the test database is gone after a failure too"

# the conninfo: the password in the environment only
"$PY" - >"$W/conninfo.out" 2>&1 <<'PY'
import django
django.setup()
from rlsc.management.commands.rlsc_test import _libpq


class Connection:  # what Django 3.2's get_connection_params() gives psycopg2
    def get_connection_params(self):
        return {'host': '/tmp/s', 'port': '5432', 'user': "o'w\\n", 'database': 'test_x',
                'password': 's3cret', 'sslmode': 'disable', 'x': 'y'}


info, env = _libpq(Connection())
want = "dbname='test_x' host='/tmp/s' port='5432' sslmode='disable' user='o\\'w\\\\n'"
assert info == want, (info, want)
assert 's3cret' not in info and env['PGPASSWORD'] == 's3cret', env.get('PGPASSWORD')
print('ok')
PY
[ "$(cat "$W/conninfo.out")" = ok ]
tap_result $? "conninfo: quoted for libpq, the password only in PGPASSWORD" "$W/conninfo.out"
tap_plan
