#!/bin/sh
# tests/django_runtime/runsql.sh — generated migrations reach PostgreSQL byte for
# byte as compiled (TAP).  Django's RunSQL with one string re-lexes it with
# sqlparse, which misreads backslashes and `--` inside quotes; `rlsc django`
# writes lists of statements, which Django runs unsplit.  Through Django's
# own path (RunSQL.database_forwards/backwards in a schema editor, each
# string the cursor receives recorded by connection.execute_wrapper):
#   - every golden ok case: the strings sent are UP_SQL/DOWN_SQL exactly,
#     and joined they are the body of `rlsc sql` (`--down`);
#   - tests/pg/cases and py/rtdata/runsql_*.rls (hostile names and
#     literals), executed: Django in one database and `rlsc sql | psql` in
#     another give the same pg_policies, RLS flags and policy comments,
#     after up and after down;
#   - the old single-string form does not: the hostile cases fail or are
#     stored changed.
# Details: tests/django_runtime/README.md, py/rt_runsql.py.
# shellcheck source=tests/django_runtime/lib.sh
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/django_runtime/lib.sh"
rt_setup
rt_run_py rt_runsql.py
tap_plan
