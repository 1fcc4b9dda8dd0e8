#!/bin/sh
# tests/django_runtime/testcase.sh — an rlsc project tested with Django's own test
# runner (TAP): `manage.py test teams` creates the test database as the
# ordinary role billing_owner (given CREATEDB here, as a project would) and
# runs teams/tests.py: TestCase (each test one transaction, every request of
# the test Client a savepoint in it: the contexts of a request or an
# rlsc.context block must not outlive it), TransactionTestCase (requests in
# their own transactions, as in production), and tenant resolvers that read
# a protected membership table (`user` is resolved and set first).
# Details: tests/django_runtime/README.md, py/rt_testcase.py, py/teams/tests.py.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/django_runtime/lib.sh"
rt_setup
# Django's test runner creates and drops test_billing: the role needs
# CREATEDB (still no superuser, no BYPASSRLS).
if ! pg_psql -d postgres -q -v ON_ERROR_STOP=1 -c 'ALTER ROLE billing_owner CREATEDB' \
        >"$PGWORK/createdb.log" 2>&1; then
    tap_bail "cannot give billing_owner CREATEDB" "$PGWORK/createdb.log"
fi
rt_run_py rt_testcase.py
tap_plan
