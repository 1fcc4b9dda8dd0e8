#!/bin/sh
# tests/django_runtime/pooled.sh — the Django runtime behind PgBouncer (TAP).
#
# Starts a PgBouncer of its own (transaction pooling, a pool of
# RT_POOL_SIZE=4 server connections for more clients than that, listening on
# nothing but a unix socket in the test's private directory, its config,
# auth file, log and pid file there too; run as `postgres` when running as
# root, like the server; stopped on every exit path) in front of the test's
# PostgreSQL, and runs the billing example through it: concurrent requests
# of several tenants' users and anonymous ones through the middleware, views
# that raise, raw cursors, rlsc.context in threads, and a hostile
# session-level set_config(..., false).  After every request and block a
# separate transaction through the pool checks that no transaction-local
# setting survived.  Without pgbouncer: 1..0 # SKIP.
# Details: tests/django_runtime/README.md, py/rt_pooled.py.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/django_runtime/lib.sh"

PGBOUNCER=${PGBOUNCER:-}
if [ -z "$PGBOUNCER" ]; then
    for _p in "$(command -v pgbouncer 2>/dev/null)" /usr/sbin/pgbouncer \
            /usr/local/sbin/pgbouncer /usr/bin/pgbouncer; do
        if [ -n "$_p" ] && [ -x "$_p" ]; then PGBOUNCER=$_p; break; fi
    done
fi
if [ -z "$PGBOUNCER" ] || [ ! -x "$PGBOUNCER" ]; then
    tap_skip_all "pgbouncer not found"
fi

BOUNCER_DIR=
BOUNCER_PID=

# Stops the PgBouncer this script started (by the pid it wrote), before
# pg_cleanup stops the server; run from pgenv.sh's exit trap.
rt_bouncer_stop()
{
    if [ -z "$BOUNCER_PID" ] && [ -n "$BOUNCER_DIR" ] && [ -s "$BOUNCER_DIR/pgbouncer.pid" ]; then
        BOUNCER_PID=$(cat "$BOUNCER_DIR/pgbouncer.pid")
    fi
    if [ -n "$BOUNCER_PID" ]; then
        kill -INT "$BOUNCER_PID" 2>/dev/null
        _i=0
        while kill -0 "$BOUNCER_PID" 2>/dev/null && [ "$_i" -lt 50 ]; do
            sleep 0.1
            _i=$((_i + 1))
        done
        kill -KILL "$BOUNCER_PID" 2>/dev/null
        BOUNCER_PID=
    fi
}
# shellcheck disable=SC2034 # eval'ed by pg_cleanup (tests/pg/pgenv.sh)
PG_CLEANUP_HOOK=rt_bouncer_stop

rt_setup
tap_note "$("$PGBOUNCER" --version | head -n 1)"

RT_POOL_SIZE=${RT_POOL_SIZE:-4}
BOUNCER_DIR=$PGTMP/bouncer
BOUNCER_PORT=$((PGPORT + 1))
mkdir "$BOUNCER_DIR" || tap_bail "cannot create $BOUNCER_DIR"
# trust: PgBouncer asks no password, but the user must be in auth_file
printf '"billing_owner" ""\n' >"$BOUNCER_DIR/userlist.txt"
cat >"$BOUNCER_DIR/pgbouncer.ini" <<EOF
; the pooled.sh PgBouncer: unix socket only (no listen_addr), private directory
[databases]
billing = host=$PGSOCK port=$PGPORT dbname=billing

[pgbouncer]
unix_socket_dir = $BOUNCER_DIR
listen_port = $BOUNCER_PORT
auth_type = trust
auth_file = $BOUNCER_DIR/userlist.txt
pool_mode = transaction
default_pool_size = $RT_POOL_SIZE
min_pool_size = 0
reserve_pool_size = 0
max_db_connections = $RT_POOL_SIZE
max_client_conn = 100
server_reset_query_always = 0
query_wait_timeout = 30
ignore_startup_parameters = extra_float_digits
logfile = $BOUNCER_DIR/pgbouncer.log
pidfile = $BOUNCER_DIR/pgbouncer.pid
EOF
if [ "$(id -u)" = 0 ]; then
    chown -R postgres: "$BOUNCER_DIR" || tap_bail "cannot chown $BOUNCER_DIR"
fi
chmod 700 "$BOUNCER_DIR"
if ! pg_server_cmd "$PGBOUNCER" -d "$BOUNCER_DIR/pgbouncer.ini" >"$PGWORK/pgbouncer.out" 2>&1; then
    pg_show_log "$PGWORK/pgbouncer.out"
    pg_show_log "$BOUNCER_DIR/pgbouncer.log"
    tap_bail "cannot start pgbouncer"
fi
# -d returns once the daemon runs; wait for its pid file and socket
_i=0
while { [ ! -s "$BOUNCER_DIR/pgbouncer.pid" ] || [ ! -S "$BOUNCER_DIR/.s.PGSQL.$BOUNCER_PORT" ]; } &&
        [ "$_i" -lt 100 ]; do
    sleep 0.1
    _i=$((_i + 1))
done
if [ ! -s "$BOUNCER_DIR/pgbouncer.pid" ] || [ ! -S "$BOUNCER_DIR/.s.PGSQL.$BOUNCER_PORT" ]; then
    pg_show_log "$BOUNCER_DIR/pgbouncer.log"
    tap_bail "pgbouncer did not start"
fi
BOUNCER_PID=$(cat "$BOUNCER_DIR/pgbouncer.pid")
RT_BOUNCER_HOST=$BOUNCER_DIR
RT_BOUNCER_PORT=$BOUNCER_PORT
export RT_BOUNCER_HOST RT_BOUNCER_PORT RT_POOL_SIZE

rt_run_py rt_pooled.py
if grep -q '^# exit status' "$RT_OUT.err" 2>/dev/null; then
    tap_note "the end of pgbouncer.log:"
    pg_show_log "$BOUNCER_DIR/pgbouncer.log"
fi
tap_plan
