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
# (`ok - ...`, `not ok - ...`, `# ...`); rt_done numbers all lines and
# prints the plan.
#
# Environment (from `make check`): RLSC, SRCDIR, PG_BINDIR, DJANGO_PYTHON.

RT_N=0
RT_OUT=

rt_line()
{
    case $1 in
    'ok '*|'ok')
        RT_N=$((RT_N + 1))
        printf 'ok %d%s\n' "$RT_N" "${1#ok}" ;;
    'not ok'*)
        RT_N=$((RT_N + 1))
        printf 'not ok %d%s\n' "$RT_N" "${1#not ok}" ;;
    *)
        printf '%s\n' "$1" ;;
    esac
}

rt_ok() { rt_line "ok - $1"; }
rt_not_ok()
{
    rt_line "not ok - $1"
    shift
    for _f in "$@"; do
        [ -s "$_f" ] && sed -e 's/^/#   /' "$_f"
    done
    return 0
}

rt_setup()
{
    set -u
    SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
    RLSC=${RLSC:-rlsc}
    PY=${DJANGO_PYTHON:-/usr/bin/python3}
    [ -n "$PY" ] || PY=/usr/bin/python3
    . "$SRCDIR/tests/pg/pgenv.sh"
    if ! "$PY" -c 'import django, psycopg2' >/dev/null 2>&1; then
        echo "1..0 # SKIP no Django with psycopg2 for $PY (set DJANGO_PYTHON)"
        exit 0
    fi
    if ! pg_find_bindir; then
        echo "1..0 # SKIP PostgreSQL server binaries not found"
        exit 0
    fi
    case $RLSC in
    */*) RLSC=$(cd "$(dirname "$RLSC")" && pwd)/$(basename "$RLSC") ;;
    *) RLSC=$(command -v "$RLSC") ;;
    esac
    if [ ! -x "$RLSC" ]; then
        echo "Bail out! RLSC=$RLSC is not an executable"
        exit 1
    fi
    if ! pg_start; then
        echo "Bail out! cannot start a PostgreSQL server from $PG_BINDIR"
        exit 1
    fi
    echo "# $("$PG_BINDIR/postgres" -V), Django $("$PY" -c 'import django; print(django.get_version())'), $PGTMP"
    # the Django role: ordinary, owns everything it migrates
    if ! pg_psql -d postgres -q -v ON_ERROR_STOP=1 >"$PGWORK/setup.log" 2>&1 <<'SQL'
CREATE ROLE billing_owner LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS;
CREATE DATABASE billing OWNER billing_owner;
SQL
    then
        sed -e 's/^/# /' "$PGWORK/setup.log"
        echo "Bail out! cannot create the role and the database"
        exit 1
    fi
    PROJECT=$PGWORK/project
    mkdir -p "$PROJECT" &&
        cp -R "$SRCDIR/examples/billing/." "$PROJECT/" &&
        cp -R "$SRCDIR/tests/django_runtime/py/." "$PROJECT/" &&
        chmod -R u+w "$PROJECT" || { echo "Bail out! cannot copy the project"; exit 1; }
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
    while IFS= read -r _l || [ -n "$_l" ]; do
        rt_line "$_l"
    done <"$RT_OUT"
    if [ "$_rc" = 0 ] && grep -q '^# done$' "$RT_OUT"; then
        rt_ok "$_script ran to its end"
    else
        echo "# exit status $_rc" >>"$RT_OUT.err"
        rt_not_ok "$_script ran to its end" "$RT_OUT.err"
    fi
}

rt_done()
{
    echo "1..$RT_N"
}
