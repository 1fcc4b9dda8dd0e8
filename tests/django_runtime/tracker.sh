#!/bin/sh
# tests/django_runtime/tracker.sh — examples/tracker on real Django and PostgreSQL
# (TAP): a custom user model with UUID keys, organizations as tenants, the
# chain Comment -> Task -> Project -> Organization isolated by `tenant`
# paths, `grant` with Django permissions (group, direct, superuser,
# inactive, a custom permission), a tenant resolver reading a protected
# table, the admin.  The committed migrations are migrated from zero, then
# six users and anonymous requests go through the real middleware over
# HTTP; what they see and write is compared with superuser SQL and with
# user.has_perm().  Details: tests/django_runtime/README.md and py/rt_tracker.py.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/django_runtime/lib.sh"
rt_setup
# rt_setup prepared the billing project; the tracker gets a role, a
# database and a copy of its own, on the same throwaway server.
if ! pg_psql -d postgres -q -v ON_ERROR_STOP=1 >"$PGWORK/tracker-setup.log" 2>&1 <<'SQL'
CREATE ROLE tracker_owner LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS;
CREATE DATABASE tracker OWNER tracker_owner;
SQL
then
    tap_bail "cannot create the role and the database" "$PGWORK/tracker-setup.log"
fi
PROJECT=$PGWORK/tracker
mkdir -p "$PROJECT" &&
    cp -R "$SRCDIR/examples/tracker/." "$PROJECT/" &&
    cp "$SRCDIR/tests/django_runtime/py/rt_common.py" "$SRCDIR/tests/django_runtime/py/rt_tracker.py" \
        "$PROJECT/" &&
    chmod -R u+w "$PROJECT" || tap_bail "cannot copy the project"
find "$PROJECT" -name __pycache__ -prune -exec rm -rf {} + 2>/dev/null
PGUSER=tracker_owner
PGDATABASE=tracker
PYTHONPATH=$PROJECT:$SRCDIR/stdlib/django
DJANGO_SETTINGS_MODULE=tracker_site.settings
export PGUSER PGDATABASE PYTHONPATH DJANGO_SETTINGS_MODULE PROJECT
cd "$PROJECT" || exit 1
rt_run_py rt_tracker.py
tap_plan
