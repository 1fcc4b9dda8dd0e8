# lib.sh — shared setup of the tests/django_runtime/*.sh tests (sourced, POSIX sh).
#
# rt_setup: skips (1..0 # SKIP) without Django+psycopg2 for $DJANGO_PYTHON or
# without PostgreSQL server binaries; starts a throwaway server
# (tests/pg/pgenv.sh); creates the login role `billing_owner` (NOT a
# superuser, no BYPASSRLS, CREATEROLE so its migrations can create the
# policy roles) and the database `billing` it owns, reached by trust over
# the private unix socket; copies the example project
# (examples/billing) plus the test additions (tests/django_runtime/py: the
# `rtsite` settings and views, the second policy app `ledger`, the Python
# test drivers) to $PROJECT, so nothing is written into the source tree.
#
# rt_run_py SCRIPT: runs a Python driver that prints unnumbered TAP lines
# (`ok - ...`, `not ok - ...`, `# ...`) and numbers them (tap_relay); the
# test ends with `tap_plan`.  TAP output: tests/lib/tap.sh.
#
# Environment (from `make check`): RLSC, SRCDIR, PG_BINDIR, DJANGO_PYTHON.

RT_OUT=
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/tap.sh"

rt_setup()
{
    set -u
    SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
    RLSC=${RLSC:-rlsc}
    PY=${DJANGO_PYTHON:-/usr/bin/python3}
    [ -n "$PY" ] || PY=/usr/bin/python3
    . "$SRCDIR/tests/pg/pgenv.sh"
    "$PY" -c 'import django, psycopg2' >/dev/null 2>&1 ||
        tap_skip_all "no Django with psycopg2 for $PY (set DJANGO_PYTHON)"
    pg_find_bindir || tap_skip_all "PostgreSQL server binaries not found"
    case $RLSC in
    */*) RLSC=$(cd "$(dirname "$RLSC")" && pwd)/$(basename "$RLSC") ;;
    *) RLSC=$(command -v "$RLSC") ;;
    esac
    [ -x "$RLSC" ] || tap_bail "RLSC=$RLSC is not an executable"
    pg_start || tap_bail "cannot start a PostgreSQL server from $PG_BINDIR"
    tap_note "$("$PG_BINDIR/postgres" -V), Django $("$PY" -c 'import django; print(django.get_version())'), $PGTMP"
    # the Django role: ordinary, owns everything it migrates
    if ! pg_psql -d postgres -q -v ON_ERROR_STOP=1 >"$PGWORK/setup.log" 2>&1 <<'SQL'
CREATE ROLE billing_owner LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS;
CREATE DATABASE billing OWNER billing_owner;
SQL
    then
        tap_bail "cannot create the role and the database" "$PGWORK/setup.log"
    fi
    PROJECT=$PGWORK/project
    mkdir -p "$PROJECT" &&
        cp -R "$SRCDIR/examples/billing/." "$PROJECT/" &&
        cp -R "$SRCDIR/tests/django_runtime/py/." "$PROJECT/" &&
        chmod -R u+w "$PROJECT" || tap_bail "cannot copy the project"
    find "$PROJECT" -name __pycache__ -prune -exec rm -rf {} + 2>/dev/null
    PGHOST=$PGSOCK
    PGUSER=billing_owner
    PGDATABASE=billing
    PGPASSWORD=
    PYTHONPATH=$PROJECT:$SRCDIR/stdlib/django
    DJANGO_SETTINGS_MODULE=rtsite.settings
    PYTHONDONTWRITEBYTECODE=1
    PYTHONUNBUFFERED=1
    export PGHOST PGUSER PGDATABASE PGPASSWORD PYTHONPATH DJANGO_SETTINGS_MODULE \
        PYTHONDONTWRITEBYTECODE PYTHONUNBUFFERED RLSC PY PROJECT SRCDIR
    unset PGSERVICE PGOPTIONS PGSSLMODE 2>/dev/null
    cd "$PROJECT" || exit 1
}

# Runs a Python driver from $PROJECT; its TAP lines are numbered here.
rt_run_py()
{
    _script=$1
    shift
    RT_OUT=$PGWORK/$(basename "$_script" .py).tap
    "$PY" "$PROJECT/$_script" "$@" >"$RT_OUT" 2>"$RT_OUT.err"
    _rc=$?
    tap_relay <"$RT_OUT"
    if [ "$_rc" = 0 ] && grep -q '^# done$' "$RT_OUT"; then
        tap_ok "$_script ran to its end"
    else
        echo "# exit status $_rc" >>"$RT_OUT.err"
        tap_not_ok "$_script ran to its end" "$RT_OUT.err"
    fi
}
