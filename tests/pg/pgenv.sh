# pgenv.sh — a throwaway PostgreSQL server for test suites (sourced, POSIX sh).
#
#   . "$SRCDIR/tests/pg/pgenv.sh"  # SRCDIR set; sources tests/lib/tap.sh too
#   pg_find_bindir || tap_skip_all "PostgreSQL server binaries not found"
#   pg_start || exit 1          # initdb + start; installs the cleanup trap
#   pg_psql -d postgres -c 'select 1'
#
# pg_start sets:
#   PGTMP    private directory: data/, the unix socket, server.log, work/
#   PGWORK   $PGTMP/work, scratch space for the caller (removed with PGTMP)
#   PGSOCK   socket directory (= PGTMP), PGPORT its port number
# The server listens on nothing but that unix socket (listen_addresses=''),
# trusts the local superuser `postgres`, runs with fsync=off, and is stopped
# (pg_ctl stop -m immediate) and removed on every exit path: normal exit,
# errors, and INT/TERM/HUP.  Set PG_KEEP=1 to keep the directory for a
# post-mortem (the server is still stopped).  PG_CLEANUP_HOOK, if set, is
# eval'ed first (e.g. to end the caller's background jobs).
#
# PostgreSQL refuses to run as root: as root the directory is owned by the
# `postgres` user and initdb/pg_ctl run through runuser (or su); otherwise
# they run directly.  Clients (psql) always run as the calling user.

. "$SRCDIR/tests/lib/tap.sh"

PG_STARTED=
PGTMP=

# PG_BINDIR if it has initdb, else the newest /usr/lib/postgresql/*/bin.
pg_find_bindir()
{
    if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/pg_ctl" ]; then
        :
    else
        PG_BINDIR=
        for d in /usr/lib/postgresql/*/bin; do
            if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
                PG_BINDIR=$d    # glob order: the last is the newest major
            fi
        done
    fi
    [ -n "$PG_BINDIR" ] || return 1
    # psql: the one beside the server (same version, and it skips the
    # Debian pg_wrapper's ~50 ms per call), else from PATH or /usr/bin
    PSQL=
    for p in "$PG_BINDIR/psql" "$(command -v psql 2>/dev/null)" /usr/bin/psql; do
        if [ -n "$p" ] && [ -x "$p" ]; then PSQL=$p; break; fi
    done
    [ -n "$PSQL" ] || return 1
    export PG_BINDIR PSQL
    return 0
}

# Runs a server binary as the user that owns the cluster.
pg_server_cmd()
{
    if [ "$(id -u)" = 0 ]; then
        if command -v runuser >/dev/null 2>&1; then
            (cd "$PGTMP" && runuser -u postgres -- "$@")
        else
            # su needs one command string: quote every word
            _cmd=
            for _w in "$@"; do
                _cmd="$_cmd '$(printf '%s' "$_w" | sed "s/'/'\\\\''/g")'"
            done
            (cd "$PGTMP" && su postgres -s /bin/sh -c "$_cmd")
        fi
    else
        (cd "$PGTMP" && "$@")
    fi
}

pg_cleanup()
{
    # the caller's own cleanup first, e.g. ending its background jobs
    if [ -n "${PG_CLEANUP_HOOK:-}" ]; then
        eval "$PG_CLEANUP_HOOK"
    fi
    if [ -n "$PG_STARTED" ]; then
        pg_server_cmd "$PG_BINDIR/pg_ctl" -D "$PGTMP/data" -m immediate -w stop \
            >/dev/null 2>&1
        PG_STARTED=
    fi
    if [ -n "$PGTMP" ] && [ -d "$PGTMP" ]; then
        if [ "${PG_KEEP:-}" = 1 ]; then
            echo "# PG_KEEP=1: kept $PGTMP" >&2
        else
            rm -rf "$PGTMP"
        fi
    fi
    PGTMP=
}

# Prints the tail of a log as TAP comments.
pg_show_log()
{
    [ -f "$1" ] && tap_note "$(tail -n 30 "$1")"
}

pg_start()
{
    trap pg_cleanup EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
    PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/rlsc-pg.XXXXXX") || return 1
    if [ "$(id -u)" = 0 ]; then
        chown postgres: "$PGTMP" || return 1
    fi
    chmod 700 "$PGTMP"
    PGSOCK=$PGTMP
    PGPORT=$((20000 + $$ % 30000))
    PGWORK=$PGTMP/work
    mkdir "$PGWORK" || return 1
    export PGTMP PGSOCK PGPORT PGWORK
    if ! pg_server_cmd "$PG_BINDIR/initdb" -D "$PGTMP/data" -U postgres --auth=trust \
            -E UTF8 --locale=C -N >"$PGWORK/initdb.log" 2>&1; then
        tap_note "initdb failed:"
        pg_show_log "$PGWORK/initdb.log"
        return 1
    fi
    cat >>"$PGTMP/data/postgresql.conf" <<EOF
# rlsc test server: unix socket only, no durability
listen_addresses = ''
unix_socket_directories = '$PGSOCK'
port = $PGPORT
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 20
EOF
    if ! pg_server_cmd "$PG_BINDIR/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" \
            -w -t 60 start >"$PGWORK/pg_ctl.log" 2>&1; then
        tap_note "pg_ctl start failed:"
        pg_show_log "$PGWORK/pg_ctl.log"
        pg_show_log "$PGTMP/server.log"
        return 1
    fi
    PG_STARTED=1
    return 0
}

# psql against the throwaway server as superuser `postgres`; no psqlrc.
pg_psql()
{
    "$PSQL" -X -h "$PGSOCK" -p "$PGPORT" -U postgres "$@"
}

# A fresh database; `owner` may create schemas in it and tables in its
# public schema (PostgreSQL 15 no longer grants that to PUBLIC).
pg_createdb()
{
    pg_psql -d postgres -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$1\"" || return 1
    if [ -n "${2:-}" ]; then
        pg_psql -d "$1" -q -v ON_ERROR_STOP=1 -c "GRANT CREATE ON DATABASE \"$1\" TO \"$2\"" \
            -c "GRANT ALL ON SCHEMA public TO \"$2\"" || return 1
    fi
}

# The usual start of a suite: TAP skip without server binaries, bail out
# without the rlsc binary ($RLSC) or when the server does not start.
pg_setup_or_skip()
{
    pg_find_bindir || tap_skip_all "PostgreSQL server binaries not found"
    command -v "$RLSC" >/dev/null 2>&1 || tap_bail "RLSC=$RLSC is not an executable"
    pg_start || tap_bail "cannot start a PostgreSQL server from $PG_BINDIR"
}
