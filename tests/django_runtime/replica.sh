#!/bin/sh
# tests/django_runtime/replica.sh — the Django runtime with a streaming read
# replica (TAP).
#
# Starts the primary (lib.sh), makes a hot standby of it (pg_basebackup -R
# over the primary's unix socket, as `postgres`; initdb's pg_hba trusts
# local replication), on port PGPORT+1 in the same private socket
# directory, with log_statement = 'all' and the virtual transaction id in
# every log line; waits for it to answer in recovery; stops it on every
# exit path before the primary (PG_CLEANUP_HOOK).  Then runs the billing
# example with a router that sends reads to the standby: isolation per
# tenant, fail closed outside scopes, permission grants, the pooled
# standby connection, no context-less read on the standby inside a scope
# (from its log), no standby connection for a request that reads none, and
# RLSC_TARGET = 'citus' (SET LOCAL) behaving alike.
# Details: tests/django_runtime/README.md, py/rt_replica.py.
. "${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/django_runtime/lib.sh"

REPLICA_DIR=
REPLICA_STARTED=

# Stops the standby this script started; run from pgenv.sh's exit trap
# before the primary is stopped and the directory removed.
rt_replica_stop()
{
    if [ -n "$REPLICA_STARTED" ]; then
        pg_server_cmd "$PG_BINDIR/pg_ctl" -D "$REPLICA_DIR" -m immediate -w stop \
            >/dev/null 2>&1
        REPLICA_STARTED=
    fi
}
# shellcheck disable=SC2034 # eval'ed by pg_cleanup (tests/pg/pgenv.sh)
PG_CLEANUP_HOOK=rt_replica_stop

rt_setup
[ -x "$PG_BINDIR/pg_basebackup" ] || tap_skip_all "no pg_basebackup in $PG_BINDIR"

REPLICA_DIR=$PGTMP/replica
REPLICA_PORT=$((PGPORT + 1))
REPLICA_LOG=$PGTMP/replica.log
if ! pg_server_cmd "$PG_BINDIR/pg_basebackup" -h "$PGSOCK" -p "$PGPORT" -U postgres \
        -D "$REPLICA_DIR" -R -X stream -c fast >"$PGWORK/basebackup.log" 2>&1; then
    tap_bail "pg_basebackup failed" "$PGWORK/basebackup.log"
fi
# the copied postgresql.conf is the primary's: later lines win
if ! printf '%s\n' "# replica.sh: the hot standby" "port = $REPLICA_PORT" "hot_standby = on" \
        "log_statement = 'all'" "log_line_prefix = '%m [%p] %v %u@%d '" |
        pg_server_cmd sh -c "cat >>'$REPLICA_DIR/postgresql.conf'"; then
    tap_bail "cannot configure the standby"
fi
if ! pg_server_cmd "$PG_BINDIR/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_LOG" -w -t 60 start \
        >"$PGWORK/replica_ctl.log" 2>&1; then
    pg_show_log "$PGWORK/replica_ctl.log"
    pg_show_log "$REPLICA_LOG"
    tap_bail "cannot start the standby"
fi
REPLICA_STARTED=1
_i=0
until [ "$("$PSQL" -X -At -h "$PGSOCK" -p "$REPLICA_PORT" -U postgres -d billing \
        -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ]; do
    _i=$((_i + 1))
    if [ "$_i" -gt 300 ]; then
        pg_show_log "$REPLICA_LOG"
        tap_bail "the standby does not answer in recovery"
    fi
    sleep 0.1
done
tap_note "hot standby on port $REPLICA_PORT, replicating from port $PGPORT"
RT_REPLICA_PORT=$REPLICA_PORT
RT_REPLICA_LOG=$REPLICA_LOG
export RT_REPLICA_PORT RT_REPLICA_LOG

rt_run_py rt_replica.py
if grep -q '^# exit status' "$RT_OUT.err" 2>/dev/null; then
    tap_note "the end of the standby's log:"
    pg_show_log "$REPLICA_LOG"
fi
tap_plan
