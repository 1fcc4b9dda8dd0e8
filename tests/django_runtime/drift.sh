#!/bin/sh
# tests/django_runtime/drift.sh — the drift system check (TAP): after
# `migrate`, `manage.py check --database default` runs `rlsc check --db`
# over every installed app's .rls files; policies dropped, added or changed
# by hand, FORCE or RLS switched off, each give rlsc.E002 at the rule or
# table and a clean check once undone; a superuser, an unreachable database,
# a missing compiler, RLSC_CHECK_DRIFT = False, and a fake rlsc for the
# parsing and the password.  Details: tests/django_runtime/README.md and
# py/rt_drift.py.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/django_runtime/lib.sh"
rt_setup
rt_run_py rt_drift.py
tap_plan
