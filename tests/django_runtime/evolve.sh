#!/bin/sh
# tests/django_runtime/evolve.sh — policies.rls changing over time, on real Django
# and PostgreSQL (TAP): reformatting gives "No changes detected"; an edit
# gives one migration with only the change (ALTER where possible, removed
# rules dropped, RLS off on a table without rules, a new role), detected by
# makemigrations --check; behaviour follows migrate; migrating back restores
# the database exactly; a model and a policy change give two ordered
# migrations; migrate billing 0001/zero removes billing's policies, roles and
# helper use while the other app (ledger) keeps working; both apps at zero
# leave nothing of rlsc.  Details: tests/django_runtime/README.md, py/rt_evolve.py.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/django_runtime/lib.sh"
rt_setup
rt_run_py rt_evolve.py
tap_plan
