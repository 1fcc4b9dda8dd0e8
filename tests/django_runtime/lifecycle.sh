#!/bin/sh
# tests/django_runtime/lifecycle.sh — what Django's migrations do to tables with
# policies, on real Django and PostgreSQL (TAP): RenameModel and
# AlterModelTable move the policies with the table (no policy re-created);
# a model replaced by another (Django's "Create model / Delete model") and a
# hand-written DeleteModel get a policy migration that runs before the
# deletion, so migrating back and forth works; an app whose .rls file is
# deleted gets the migration that removes its policies; a squashed migration
# keeps the policy state.  Each step migrates forward, back (the database
# exactly as before) and forward, and the next makemigrations --check is
# clean.  Details: tests/django_runtime/README.md, py/rt_lifecycle.py.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/django_runtime/lib.sh"
rt_setup
DJANGO_SETTINGS_MODULE=lcsite.settings
export DJANGO_SETTINGS_MODULE
rt_run_py rt_lifecycle.py
tap_plan
