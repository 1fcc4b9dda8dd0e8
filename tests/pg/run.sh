#!/bin/sh
# tests/pg/run.sh — rlsc's SQL against a real PostgreSQL server (TAP).
#
# Starts a private server (pgenv.sh), then per scenario: a fresh database,
# tables owned by the non-superuser app_owner (cases/NAME.sql), the up
# script of cases/NAME.rls, and assertions on what roles see and may write
# under `SET ROLE` with contexts set through set_config().  Superusers
# bypass row-level security, so every check runs as an ordinary role.
#
# Environment (from `make check`): RLSC, SRCDIR, PG_BINDIR (may be empty);
# PG_SCENARIOS limits the run to some scenarios, PG_KEEP=1 keeps the
# server directory (see pgenv.sh).
# Known compiler bugs are marked `# TODO` (expected failures): when one is
# fixed the test passes unexpectedly (XPASS) and the marker must go.
set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
RLSC=${RLSC:-rlsc}
CASES=$SRCDIR/tests/pg/cases

. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"

PIDS=           # background scenario jobs, ended on early exit
PG_CLEANUP_HOOK='[ -n "$PIDS" ] && kill $PIDS 2>/dev/null'

pg_setup_or_skip
tap_note "$("$PG_BINDIR/postgres" -V) in $PGTMP, port $PGPORT"

# ---------------------------------------------------------------- TAP
#
# Scenarios run as background jobs, each in its own database and scratch
# directory, writing unnumbered `ok - ...` / `not ok - ...` lines
# (TAP_UNNUMBERED=1); the results are numbered and printed in a fixed order
# at the end (tap_relay), so the output does not depend on timing.
# TAP_TODO set to a reason marks the next assertions as known bugs.

# pass DESC, fail DESC [DIAGNOSTIC...]: after the queued checks (flush)
pass() { flush; tap_ok "$1"; }

fail()
{
    flush
    tap_not_ok "$1"
    shift
    tap_diag "$@"
}

# ---------------------------------------------------------------- SQL

# ctx_sql "tenant=1 user=" -> one set_config() per word, session-wide.
# tenant and user mean app.tenant_id and app.user_id; a name with a dot is
# the setting itself; '-' sets nothing.
ctx_sql()
{
    for _kv in $1; do
        [ "$_kv" = - ] && continue
        _name=${_kv%%=*}
        _val=${_kv#*=}
        case $_name in
        *.*) _set=$_name ;;
        *) _set=app.${_name}_id ;;
        esac
        printf '%s\n' "SELECT pg_catalog.set_config('$_set', '$_val', false) \\g /dev/null"
    done
}

# ctx_names "tenant=1 user=" -> "tenant user"
ctx_names()
{
    _names=
    for _kv in $1; do
        [ "$_kv" = - ] || _names="$_names ${_kv%%=*}"
    done
    echo "$_names"
}

# run_sql DB ROLE CTX SQL — runs SQL now, as ROLE ('-': the superuser)
# after setting CTX, in a new session that stops at the first error; sets
# RC, OUT (tuples only, unaligned), ERR.
run_sql()
{
    flush
    {
        [ "$2" != - ] && printf '%s\n' "SET ROLE $2;"
        ctx_sql "$3"
        printf '%s\n' "$4"
    } >"$PGWORK/in.sql"
    pg_psql -d "$1" -q -A -t -v ON_ERROR_STOP=1 -f "$PGWORK/in.sql" \
        >"$PGWORK/out" 2>"$PGWORK/err"
    RC=$?
    OUT=$(cat "$PGWORK/out")
    ERR=$(cat "$PGWORK/err")
}

# su_sql DB SQL — as the superuser, now; prints the tuples, fails on error.
su_sql()
{
    flush
    pg_psql -d "$1" -q -A -t -v ON_ERROR_STOP=1 -c "$2"
}

ids()
{
    echo "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), 'none') FROM $1;"
}

# ---------------------------------------------------------------- checks
#
# The check_* functions queue their SQL; flush runs the queue in one psql
# session and then judges each check in order.  A new backend per check
# would cost most of the suite's time, so consecutive checks share one,
# but a check never sees state it did not set itself:
#  - each check starts with RESET ROLE and sets its own role and contexts;
#  - when a check leaves out a context an earlier check of the session set,
#    or an earlier check changed other session state (BEGIN, SET, RESET,
#    set_config in its SQL), the check gets a new connection (\c), so
#    "no context" really is a never-set setting;
#  - output and the error of each check go to files of their own (\o,
#    LAST_ERROR_MESSAGE), and a failed SET ROLE skips the check's SQL.
# Everything that acts now (run_sql, su_sql, apply, newdb, pass/fail)
# flushes first, so results keep the order of the script.

QN=0            # queued checks
QDB=            # database of the queue
QSET=           # contexts set in the queue's current session
QDIRTY=         # the session has other state: the next check reconnects
FLUSHING=

# queue KIND DESC DB ROLE CTX SQL EXPECTED
queue()
{
    [ "$QN" -gt 0 ] && [ "$3" != "$QDB" ] && flush
    QQ=$PGWORK/q
    if [ "$QN" = 0 ]; then
        mkdir -p "$QQ"
        : >"$QQ/batch.sql"
        QDB=$3
        QSET=
        QDIRTY=
    fi
    QN=$((QN + 1))
    eval "Q_kind_$QN=\$1 Q_desc_$QN=\$2 Q_exp_$QN=\$7 Q_todo_$QN=\$TAP_TODO"
    _names=$(ctx_names "$5")
    _reconnect=$QDIRTY
    for _c in $QSET; do
        case " $_names " in
        *" $_c "*) ;;
        *) _reconnect=1 ;;
        esac
    done
    QSET=$_names
    QDIRTY=
    case $6 in
    *BEGIN* | *SET\ LOCAL* | *set_config* | *RESET* | SET\ * | *"
SET "*) QDIRTY=1 ;;
    esac
    {
        [ -n "$_reconnect" ] && printf '%s\n' '\c'
        printf '%s\n' "\\o $QQ/$QN.out" "\\set LAST_ERROR_MESSAGE ''" "RESET ROLE;"
        [ "$4" != - ] && printf '%s\n' "SET ROLE $4;"
        printf '%s\n' '\if :ERROR' '\else'
        ctx_sql "$5"
        printf '%s\n;\n' "$6"
        [ "$1" = affects ] && printf '%s\n' '\qecho :ROW_COUNT'
        printf '%s\n' '\endif' "\\o $QQ/$QN.err" '\qecho :LAST_ERROR_MESSAGE' '\o'
    } >>"$QQ/batch.sql"
}

# flush — runs the queued checks and prints their results
flush()
{
    [ "$QN" -gt 0 ] || return 0
    [ -n "$FLUSHING" ] && return 0
    FLUSHING=1
    pg_psql -d "$QDB" -q -A -t -f "$QQ/batch.sql" >"$QQ/stdout" 2>"$QQ/stderr"
    _rc=$?
    _saved_todo=$TAP_TODO
    _i=1
    while [ "$_i" -le "$QN" ]; do
        eval "_kind=\$Q_kind_$_i _desc=\$Q_desc_$_i _exp=\$Q_exp_$_i TAP_TODO=\$Q_todo_$_i"
        if [ -f "$QQ/$_i.err" ]; then
            _out=$(cat "$QQ/$_i.out")
            _err=$(cat "$QQ/$_i.err")
        else
            _out=
            _err="check not run (psql exit $_rc): $(tail -n 3 "$QQ/stderr")"
        fi
        case $_kind in
        rows | affects)
            if [ -z "$_err" ] && [ "$_out" = "$_exp" ]; then
                pass "$_desc"
            elif [ "$_kind" = rows ]; then
                fail "$_desc" "expected: $_exp" "got:      $_out" "$_err"
            else
                fail "$_desc" "expected $_exp rows affected, got: $_out" "$_err"
            fi
            ;;
        error)
            case $_err in
            *"$_exp"*) pass "$_desc" ;;
            *) fail "$_desc" "expected an error containing: $_exp" "got: $_err" "output: $_out" ;;
            esac
            ;;
        esac
        _i=$((_i + 1))
    done
    TAP_TODO=$_saved_todo
    rm -rf "$QQ"
    QN=0
    FLUSHING=
}

# check_rows DESC DB ROLE CTX SQL EXPECTED — no error, output = EXPECTED
check_rows()
{
    queue rows "$1" "$2" "$3" "$4" "$5" "$6"
}

# check_ids DESC DB ROLE CTX TABLE EXPECTED — the ids ROLE sees, e.g. 1,2,3
# or none (and no error)
check_ids()
{
    queue rows "$1" "$2" "$3" "$4" "$(ids "$5")" "$6"
}

# check_affects DESC DB ROLE CTX SQL N — the write succeeds on N rows
check_affects()
{
    queue affects "$1" "$2" "$3" "$4" "$5" "$6"
}

# check_rejected DESC DB ROLE CTX SQL — the write fails on an RLS check
check_rejected()
{
    queue error "$1" "$2" "$3" "$4" "$5" "new row violates row-level security policy"
}

# check_error DESC DB ROLE CTX SQL TEXT — fails with an error containing TEXT
check_error()
{
    queue error "$1" "$2" "$3" "$4" "$5" "$6"
}

# ---------------------------------------------------------------- setup

# newdb DB SETUP.sql... — a fresh database and its tables, owned by app_owner
newdb()
{
    flush
    _db=$1
    shift
    if ! pg_createdb "$_db" >"$PGWORK/err" 2>&1; then
        fail "$_db: create the database" "$(cat "$PGWORK/err")"
        return 1
    fi
    _names=
    for _f in "$@"; do _names="$_names ${_f##*/}"; done
    # PostgreSQL 15 no longer lets PUBLIC create in schema public
    {
        printf '%s\n' "GRANT CREATE ON DATABASE \"$_db\" TO app_owner;" \
            "GRANT ALL ON SCHEMA public TO app_owner;" "SET ROLE app_owner;"
        cat "$@"
    } >"$PGWORK/setup.sql"
    if pg_psql -d "$_db" -q -v ON_ERROR_STOP=1 -f "$PGWORK/setup.sql" >"$PGWORK/err" 2>&1; then
        pass "$_db: set up tables owned by app_owner:$_names"
    else
        fail "$_db: set up tables owned by app_owner:$_names" "$(cat "$PGWORK/err")"
        return 1
    fi
}

# compile OUT.sql [--down] FILE.rls... — rlsc sql; stderr in $PGWORK/rlsc.err
compile()
{
    _out=$1
    shift
    "$RLSC" sql "$@" >"$_out" 2>"$PGWORK/rlsc.err"
}

# apply DESC DB [--down] FILE.rls... — compile and run the script (one
# transaction); asserts that both succeed
apply()
{
    flush
    _desc=$1
    _db=$2
    shift 2
    if ! compile "$PGWORK/apply.sql" "$@"; then
        fail "$_desc" "rlsc sql $* failed:" "$(cat "$PGWORK/rlsc.err")"
        return 1
    fi
    if pg_psql -d "$_db" -q -v ON_ERROR_STOP=1 -f "$PGWORK/apply.sql" \
        >"$PGWORK/out" 2>"$PGWORK/err"; then
        pass "$_desc"
    else
        fail "$_desc" "$(cat "$PGWORK/err")"
        return 1
    fi
}

# snapshot DB PREFIX — the catalog state up/down may touch, one file per
# aspect: PREFIX.policies, PREFIX.tables, PREFIX.roles, PREFIX.objects
snapshot()
{
    flush
    pg_psql -d "$1" -q -A -t -v ON_ERROR_STOP=1 >/dev/null <<EOF
\\o $2.policies
SELECT schemaname, tablename, policyname, permissive, roles, cmd, qual, with_check
FROM pg_policies ORDER BY 1, 2, 3;
\\o $2.tables
SELECT relname, relrowsecurity, relforcerowsecurity
FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace
ORDER BY 1;
\\o $2.roles
SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcanlogin, rolbypassrls,
       shobj_description(oid, 'pg_authid')
FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1;
\\o $2.objects
SELECT n.nspname, p.proname, p.prosecdef, p.provolatile
FROM pg_namespace n LEFT JOIN pg_proc p ON p.pronamespace = n.oid
WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
ORDER BY 1, 2;
EOF
}

# same_snapshot DESC A B ASPECT — the two snapshots agree on ASPECT
same_snapshot()
{
    if diff -u "$2.$4" "$3.$4" >"$PGWORK/diff" 2>&1; then
        pass "$1"
    else
        fail "$1" "$(cat "$PGWORK/diff")"
    fi
}

# A non-superuser owner for every table (superusers bypass RLS), and a role
# no .rls file mentions.
su_sql postgres "CREATE ROLE app_owner NOLOGIN; CREATE ROLE outsider NOLOGIN" >/dev/null ||
    tap_bail "cannot create roles"

# ================================================================ tenant
sc_tenant()
{
    DB=tenant
    newdb $DB "$CASES/tenant.sql" "$CASES/tenant_uuid.sql"

    compile "$PGWORK/tenant.sql" "$CASES/tenant.rls"
    if [ ! -s "$PGWORK/rlsc.err" ]; then
        pass "tenant: a block that allows every command compiles without warnings"
    else
        fail "tenant: a block that allows every command compiles without warnings" \
            "$(cat "$PGWORK/rlsc.err")"
    fi
    apply "tenant: up script applies" $DB "$CASES/tenant.rls"

    U=tn_user
    check_ids "tenant: tenant 1 sees exactly its rows" $DB $U "tenant=1" items "1,2,3"
    check_ids "tenant: tenant 2 sees exactly its rows" $DB $U "tenant=2" items "4,5"
    check_ids "tenant: tenant 3 sees exactly its rows" $DB $U "tenant=3" items "6"
    check_ids "tenant: tenant 99 sees no rows" $DB $U "tenant=99" items "none"
    check_ids "tenant: no context set: 0 rows, no error" $DB $U - items "none"
    check_rows "tenant: (harness) a check without context runs with the setting never set (NULL, not '')" \
        $DB $U - "SELECT pg_catalog.current_setting('app.tenant_id', true) IS NULL" "t"
    check_ids "tenant: context set to '': 0 rows, no error" $DB $U "tenant=" items "none"
    check_rows "tenant: set_config(..., true) applies in its transaction only; '' left behind reads as no tenant" \
        $DB $U - "BEGIN;
    SELECT pg_catalog.set_config('app.tenant_id', '2', true) \\g /dev/null
    $(ids items)
    COMMIT;
    SELECT pg_catalog.current_setting('app.tenant_id', true) = '';
    $(ids items)" "4,5
t
none"
    check_rows "tenant: after SET LOCAL in an ended transaction: '' on the connection, 0 rows, no error" \
        $DB $U - "BEGIN;
    SET LOCAL app.tenant_id = '1';
    COMMIT;
    SELECT pg_catalog.current_setting('app.tenant_id', true) = '';
    $(ids items)
    SELECT count(*) FROM items WHERE tenant_id IS NULL;" "t
none
0"
    check_ids "tenant: a row with NULL tenant is visible to no tenant" $DB $U "tenant=1" \
        "items WHERE tenant_id IS NULL" "none"
    check_ids "tenant: superuser (sanity): bypasses RLS and sees all rows" $DB - - items "1,2,3,4,5,6,7"

    check_affects "tenant: insert of an own-tenant row succeeds" $DB $U "tenant=1" \
        "INSERT INTO items VALUES (10, 1, 'new')" 1
    check_rejected "tenant: insert of a row for another tenant is rejected" $DB $U "tenant=1" \
        "INSERT INTO items VALUES (11, 2, 'sneaky')"
    check_rejected "tenant: insert of a row with NULL tenant is rejected" $DB $U "tenant=1" \
        "INSERT INTO items VALUES (11, NULL, 'sneaky')"
    check_rejected "tenant: insert without context is rejected" $DB $U - \
        "INSERT INTO items VALUES (11, 1, 'sneaky')"
    check_rejected "tenant: insert with context '' is rejected" $DB $U "tenant=" \
        "INSERT INTO items VALUES (11, 1, 'sneaky')"
    check_rejected "tenant: update moving a row to another tenant is rejected" $DB $U "tenant=1" \
        "UPDATE items SET tenant_id = 2 WHERE id = 1"
    check_affects "tenant: update of another tenant's rows affects 0 rows" $DB $U "tenant=1" \
        "UPDATE items SET name = 'hacked' WHERE tenant_id = 2" 0
    check_affects "tenant: update of own rows affects them" $DB $U "tenant=1" \
        "UPDATE items SET name = name || '!'" 4
    check_affects "tenant: delete of another tenant's rows affects 0 rows" $DB $U "tenant=1" \
        "DELETE FROM items WHERE id IN (4, 5, 6, 7)" 0
    check_affects "tenant: delete without context affects 0 rows" $DB $U - "DELETE FROM items" 0
    check_affects "tenant: delete of an own row succeeds" $DB $U "tenant=1" "DELETE FROM items WHERE id = 10" 1
    check_rows "tenant: other tenants' rows are untouched (superuser view)" $DB - - \
        "SELECT string_agg(id || ':' || coalesce(tenant_id::text, '-') || ':' || name, ' ' ORDER BY id) FROM items" \
        "1:1:a! 2:1:b! 3:1:c! 4:2:d 5:2:e 6:3:f 7:-:orphan"

    # FORCE: the owner is subject to the policies; `no force;` exempts it
    check_rows "tenant: items is ENABLE + FORCE, items_noforce ENABLE only" $DB - - \
        "SELECT string_agg(relname || ':' || relrowsecurity || ':' || relforcerowsecurity, ' ' ORDER BY relname)
         FROM pg_class WHERE relname IN ('items', 'items_noforce')" \
        "items:true:true items_noforce:true:false"
    check_ids "tenant: FORCE: the table owner sees 0 rows without context" $DB app_owner - items "none"
    check_ids "tenant: FORCE: the table owner sees only tenant 2 with tenant 2 set" $DB app_owner "tenant=2" items "4,5"
    check_rejected "tenant: FORCE: the table owner cannot insert for another tenant" $DB app_owner "tenant=2" \
        "INSERT INTO items VALUES (12, 1, 'x')"
    check_ids "tenant: no force: the table owner sees every row without context" $DB app_owner - \
        items_noforce "1,2,3,4,5,6,7"
    check_ids "tenant: no force: other roles are still isolated (tenant 1)" $DB $U "tenant=1" items_noforce "1,2,3"
    check_ids "tenant: no force: other roles see 0 rows without context" $DB $U - items_noforce "none"

    # InitPlan: the context is read once per statement, not per row
    run_sql $DB $U "tenant=1" "EXPLAIN (COSTS OFF, VERBOSE) SELECT * FROM items;"
    PLAN=$OUT
    if [ "$RC" = 0 ] && printf '%s\n' "$PLAN" | grep -q 'InitPlan' &&
        printf '%s\n' "$PLAN" | grep -q 'current_setting' &&
        ! printf '%s\n' "$PLAN" | grep 'Filter:' | grep -q 'current_setting'; then
        pass "tenant: EXPLAIN: the tenant context is read in an InitPlan, not in the per-row filter"
    else
        fail "tenant: EXPLAIN: the tenant context is read in an InitPlan, not in the per-row filter" "$PLAN" "$ERR"
    fi
    run_sql $DB $U "tenant=1" "SET enable_seqscan = off;
    EXPLAIN (COSTS OFF) SELECT * FROM items;"
    if [ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -q 'InitPlan'; then
        pass "tenant: EXPLAIN (COSTS OFF) of a tenant-isolated select shows an InitPlan"
    else
        fail "tenant: EXPLAIN (COSTS OFF) of a tenant-isolated select shows an InitPlan" "$OUT" "$ERR"
    fi

    # a uuid tenant: '' must not reach the uuid cast
    apply "tenant (uuid): up script applies" $DB "$CASES/tenant_uuid.rls"
    ORG_A=aaaaaaaa-0000-0000-0000-000000000001
    ORG_B=bbbbbbbb-0000-0000-0000-000000000002
    check_ids "tenant: uuid tenant A sees exactly its rows" $DB $U "app.org_id=$ORG_A" org_docs "1,2"
    check_ids "tenant: uuid tenant B sees exactly its rows" $DB $U "app.org_id=$ORG_B" org_docs "3"
    check_ids "tenant: uuid context unset: 0 rows, no error" $DB $U - org_docs "none"
    check_ids "tenant: uuid context '': 0 rows, no error (no uuid cast error)" $DB $U "app.org_id=" org_docs "none"
    check_rejected "tenant: uuid tenant A cannot insert for tenant B" $DB $U "app.org_id=$ORG_A" \
        "INSERT INTO org_docs VALUES (9, '$ORG_B')"

}

# ================================================================ combine
sc_combine()
{
    DB=combine
    newdb $DB "$CASES/combine.sql"
    apply "combine: up script applies" $DB "$CASES/combine.rls"
    check_ids "combine: two permissive rules OR: public rows and own rows (cb_reader, tenant 1)" \
        $DB cb_reader "tenant=1" docs "1,2,6"
    check_ids "combine: two permissive rules OR: public rows and own rows (cb_reader2, tenant 1)" \
        $DB cb_reader2 "tenant=1" docs "1,3"
    check_ids "combine: a role matching neither rule's owner sees only public rows" $DB outsider "tenant=1" docs "1"
    check_ids "combine: tenant (restrictive) ANDs with the permissive rules (cb_reader, tenant 2)" \
        $DB cb_reader "tenant=2" docs "7,8"
    check_ids "combine: tenant (restrictive) ANDs with the permissive rules: no context, no rows" \
        $DB cb_reader - docs "none"
    check_ids "combine: deny select (restrictive) hides archived rows, NULL archived stays visible" \
        $DB cb_reader "tenant=1" "docs WHERE archived IS DISTINCT FROM false" "6"
    check_affects "combine: select-only rules: update affects 0 rows" $DB cb_reader "tenant=1" \
        "UPDATE docs SET owner_name = 'x'" 0
    check_rejected "combine: select-only rules: insert is rejected" $DB cb_reader "tenant=1" \
        "INSERT INTO docs VALUES (9, 1, true, 'cb_reader', false)"

}

# ================================================================ percmd
sc_percmd()
{
    DB=percmd
    newdb $DB "$CASES/percmd.sql"
    apply "percmd: up script applies" $DB "$CASES/percmd.rls"
    C=pc_clerk
    A=pc_auditor
    # allow select only
    check_ids "percmd: allow select only: select works" $DB $C "tenant=1" ro_tab "1,2"
    check_rejected "percmd: allow select only: insert is rejected" $DB $C "tenant=1" \
        "INSERT INTO ro_tab VALUES (10, 1, 'x')"
    check_affects "percmd: allow select only: update affects 0 rows" $DB $C "tenant=1" "UPDATE ro_tab SET v = 'x'" 0
    check_affects "percmd: allow select only: delete affects 0 rows" $DB $C "tenant=1" "DELETE FROM ro_tab" 0
    check_rows "percmd: allow select only: the rows are unchanged" $DB - - \
        "SELECT string_agg(id || v, ' ' ORDER BY id) FROM ro_tab" "1a 2b 3c"
    # allow insert; allow select to auditor
    check_affects "percmd: allow insert: a clerk can insert for its tenant" $DB $C "tenant=1" \
        "INSERT INTO log VALUES (10, 1, 'clerk was here')" 1
    check_ids "percmd: allow select to auditor: the clerk cannot read back" $DB $C "tenant=1" log "none"
    check_rejected "percmd: allow select to auditor: the clerk cannot INSERT ... RETURNING" $DB $C "tenant=1" \
        "INSERT INTO log VALUES (11, 1, 'x') RETURNING id"
    check_ids "percmd: allow select to auditor: the auditor reads its tenant" $DB $A "tenant=1" log "1,10"
    check_ids "percmd: allow select to auditor: the auditor is still tenant-isolated" $DB $A "tenant=2" log "2"
    check_ids "percmd: allow select to auditor: the auditor sees nothing without context" $DB $A - log "none"
    check_rejected "percmd: allow insert: insert for another tenant is rejected" $DB $C "tenant=1" \
        "INSERT INTO log VALUES (12, 2, 'x')"
    check_affects "percmd: allow insert: the auditor (no to-list) can insert too" $DB $A "tenant=2" \
        "INSERT INTO log VALUES (13, 2, 'auditor')" 1
    check_affects "percmd: no delete rule: the auditor's delete affects 0 rows" $DB $A "tenant=1" "DELETE FROM log" 0
    check_affects "percmd: no update rule: the auditor's update affects 0 rows" $DB $A "tenant=1" \
        "UPDATE log SET msg = 'x'" 0
    # allow update using (...) check (...)
    check_affects "percmd: update using/check: a draft may become review" $DB $C "tenant=1" \
        "UPDATE notes SET status = 'review' WHERE id = 1" 1
    check_rejected "percmd: update using/check: a draft may not become published (check)" $DB $C "tenant=1" \
        "UPDATE notes SET status = 'published' WHERE id = 4"
    check_affects "percmd: update using/check: a draft may be edited and stay draft" $DB $C "tenant=1" \
        "UPDATE notes SET body = 'y' WHERE id = 4" 1
    check_affects "percmd: update using/check: a published note is not updatable (using)" $DB $C "tenant=1" \
        "UPDATE notes SET body = 'y' WHERE id = 2" 0
    check_affects "percmd: update using/check: another tenant's draft is not updatable" $DB $C "tenant=1" \
        "UPDATE notes SET body = 'y' WHERE id = 3" 0
    check_rows "percmd: update using/check: resulting rows" $DB - - \
        "SELECT string_agg(id || ':' || status || ':' || body, ' ' ORDER BY id) FROM notes" \
        "1:review:x 2:published:x 3:draft:x 4:draft:y"
    # allow update using (...) without check: the new row must pass using
    check_rejected "percmd: update using without check: an open task may not be closed" $DB $C "tenant=1" \
        "UPDATE tasks SET status = 'closed' WHERE id = 1"
    check_affects "percmd: update using without check: an open task may be renamed" $DB $C "tenant=1" \
        "UPDATE tasks SET title = 'renamed' WHERE id = 1" 1
    check_affects "percmd: update using without check: a done task is not updatable" $DB $C "tenant=1" \
        "UPDATE tasks SET title = 'x' WHERE id = 2" 0
    # allow insert check (...)
    check_affects "percmd: insert check: a row passing check is inserted" $DB $C "tenant=1" \
        "INSERT INTO tasks VALUES (10, 1, 'open', 3, 'new')" 1
    check_rejected "percmd: insert check: a row failing check is rejected" $DB $C "tenant=1" \
        "INSERT INTO tasks VALUES (11, 1, 'open', 9, 'new')"
    check_rejected "percmd: insert check: a row for another tenant is rejected" $DB $C "tenant=1" \
        "INSERT INTO tasks VALUES (12, 2, 'open', 3, 'new')"
    # allow delete using (...)
    check_affects "percmd: delete using: an open task is not deletable" $DB $C "tenant=1" \
        "DELETE FROM tasks WHERE id = 1" 0
    check_affects "percmd: delete using: a done task is deletable" $DB $C "tenant=1" \
        "DELETE FROM tasks WHERE id = 2" 1
    check_affects "percmd: delete using: another tenant's done task is not deletable" $DB $C "tenant=1" \
        "DELETE FROM tasks WHERE id = 4" 0
    check_ids "percmd: tasks after the writes (superuser view)" $DB - - tasks "1,3,4,10"

}

# ================================================================ deny + bypass
sc_deny()
{
    DB=deny
    newdb $DB "$CASES/deny.sql"
    apply "deny: up script applies" $DB "$CASES/deny.rls"
    C=dy_clerk
    ADM=dy_admin
    check_ids "deny delete does not hide rows from select" $DB $C "tenant=1" invoices "1,2,3,6"
    check_affects "deny delete: a paid invoice cannot be deleted" $DB $C "tenant=1" \
        "DELETE FROM invoices WHERE id = 1" 0
    check_affects "deny delete: a draft invoice can be deleted" $DB $C "tenant=1" \
        "DELETE FROM invoices WHERE id = 2" 1
    check_affects "deny delete: NULL status does not deny" $DB $C "tenant=1" \
        "DELETE FROM invoices WHERE id = 3" 1
    check_affects "deny delete: a paid invoice can still be updated" $DB $C "tenant=1" \
        "UPDATE invoices SET note = 'n' WHERE id = 1" 1
    check_affects "deny delete: another tenant's draft cannot be deleted" $DB $C "tenant=1" \
        "DELETE FROM invoices WHERE id = 5" 0
    check_ids "deny delete: paid rows survive (superuser view)" $DB - - invoices "1,4,5,6"
    check_ids "deny: bypass: sees every tenant's rows without context" $DB $ADM - invoices "1,4,5,6"
    check_ids "deny: bypass: sees every tenant's rows with a tenant set" $DB $ADM "tenant=1" invoices "1,4,5,6"
    check_affects "deny: bypass: deletes a paid invoice despite the deny rule" $DB $ADM - \
        "DELETE FROM invoices WHERE id = 4" 1
    check_affects "deny: bypass: deletes another tenant's row while tenant 1 is set" $DB $ADM "tenant=1" \
        "DELETE FROM invoices WHERE id = 5" 1
    check_affects "deny: bypass: inserts for any tenant without context" $DB $ADM - \
        "INSERT INTO invoices VALUES (7, 9, 'paid', '')" 1
    check_affects "deny: bypass: moves a row to another tenant" $DB $ADM "tenant=1" \
        "UPDATE invoices SET tenant_id = 8 WHERE id = 7" 1
    check_rows "deny: bypass: resulting rows (superuser view)" $DB - - \
        "SELECT string_agg(id || ':' || tenant_id, ' ' ORDER BY id) FROM invoices" "1:1 6:1 7:8"
    check_affects "deny update: a locked payment cannot be updated" $DB $C "tenant=1" \
        "UPDATE payments SET amount = 1 WHERE id = 1" 0
    check_affects "deny update: an unlocked payment can be updated" $DB $C "tenant=1" \
        "UPDATE payments SET amount = 5 WHERE id = 2" 1
    check_rejected "deny update: its condition also guards the new row (cannot lock by update)" \
        $DB $C "tenant=1" "UPDATE payments SET locked = true WHERE id = 2"
    check_affects "deny update: NULL locked does not deny" $DB $C "tenant=1" \
        "UPDATE payments SET amount = 5 WHERE id = 3" 1
    check_rejected "deny insert: a negative amount is rejected" $DB $C "tenant=1" \
        "INSERT INTO payments VALUES (10, 1, false, -1)"
    check_affects "deny insert: a NULL amount is not denied" $DB $C "tenant=1" \
        "INSERT INTO payments VALUES (11, 1, false, NULL)" 1
    check_affects "deny insert: a positive amount is inserted" $DB $C "tenant=1" \
        "INSERT INTO payments VALUES (12, 1, false, 1)" 1
    check_affects "deny: bypass: inserts what deny insert forbids, for another tenant" $DB $ADM - \
        "INSERT INTO payments VALUES (13, 2, false, -1)" 1
    check_affects "deny: bypass: updates a locked payment" $DB $ADM - \
        "UPDATE payments SET amount = 0 WHERE id = 1" 1
    check_ids "deny: an undeclared role is isolated like any other" $DB outsider "tenant=2" payments "4,13"

}

# ================================================================ default deny
sc_default_deny()
{
    DB=default_deny
    newdb $DB "$CASES/default_deny.sql"
    if compile "$PGWORK/dd.sql" "$CASES/default_deny.rls" &&
        grep -q "default deny" "$PGWORK/rlsc.err" && grep -q "vault" "$PGWORK/rlsc.err"; then
        pass "default deny: rlsc exits 0 and warns about default deny on vault"
    else
        fail "default deny: rlsc exits 0 and warns about default deny on vault" "$(cat "$PGWORK/rlsc.err")"
    fi
    apply "default deny: up script applies" $DB "$CASES/default_deny.rls"
    C=dd_clerk
    check_ids "default deny: own tenant's rows are not visible" $DB $C "tenant=1" vault "none"
    check_rejected "default deny: insert is rejected" $DB $C "tenant=1" "INSERT INTO vault VALUES (9, 1, 'x')"
    check_affects "default deny: update affects 0 rows" $DB $C "tenant=1" "UPDATE vault SET secret = 'x'" 0
    check_affects "default deny: delete affects 0 rows" $DB $C "tenant=1" "DELETE FROM vault" 0
    check_ids "default deny (FORCE): the owner sees no rows either" $DB app_owner "tenant=1" vault "none"
    check_ids "default deny: the bypass role sees every row" $DB dd_admin - vault "1,2,3"
    check_affects "default deny: the bypass role can insert" $DB dd_admin - \
        "INSERT INTO vault VALUES (4, 3, 's4')" 1

}

# ================================================================ quoting
sc_quoting()
{
    DB=quoting
    newdb $DB "$CASES/quoting.sql"
    apply "quoting: up script applies" $DB "$CASES/quoting.rls"
    OB="\"O'Brien Team\""
    UN='"Ünïcode 日本"'
    BX='"Bö ""X"" \ss"'
    for TB in '"Order"|'"$OB"'|1,2,3' '"we""ird"|outsider|1,2,3,4' \
              '"My Schema"."Order Items"|outsider|1,2,3' '"clé"|'"$UN"'|1,2,3' \
              '"日本"|outsider|1,2,3' 'allow|outsider|1,2,3' 'Order2|outsider|1,2,3'; do
        TN=${TB%%|*}
        R=${TB#*|}
        ALL=${R#*|}
        R=${R%|*}
        check_ids "quoting: $R on $TN, tenant 1 sees its rows" $DB "$R" "tenant=1" "$TN" "1,2"
        check_ids "quoting: $R on $TN, tenant 2 sees its rows" $DB "$R" "tenant=2" "$TN" "3"
        check_ids "quoting: $R on $TN, no context sees no rows" $DB "$R" - "$TN" "none"
        check_ids "quoting: bypass role $BX on $TN sees every row" $DB "$BX" - "$TN" "$ALL"
    done
    check_ids "quoting: a role outside the to-list of \"Order\" sees nothing" $DB outsider "tenant=1" \
        '"Order"' "none"
    check_ids "quoting: a role outside the to-list of \"clé\" sees nothing" $DB outsider "tenant=1" \
        '"clé"' "none"
    check_rejected "quoting: $OB cannot insert into \"Order\" for another tenant" $DB "$OB" "tenant=1" \
        'INSERT INTO "Order" VALUES (9, 2)'
    check_affects "quoting: $OB can insert into \"Order\" for its tenant" $DB "$OB" "tenant=1" \
        'INSERT INTO "Order" VALUES (9, 1)' 1
    check_rejected "quoting: insert into \"My Schema\".\"Order Items\" for another tenant is rejected" \
        $DB outsider "tenant=1" 'INSERT INTO "My Schema"."Order Items" VALUES (9, 2)'
    check_rows "quoting: role names were created exactly as written" $DB - - \
        "SELECT count(*) FROM pg_roles WHERE rolname IN ('O''Brien Team', 'Ünïcode 日本', E'Bö \"X\" \\\\ss')" "3"
    apply "quoting: down script applies" $DB --down "$CASES/quoting.rls"
    check_rows "quoting: down removes every policy and RLS flag" $DB - - \
        "SELECT count(*) FROM pg_policies WHERE schemaname IN ('public', 'My Schema')
         UNION ALL SELECT count(*) FROM pg_class WHERE relrowsecurity OR relforcerowsecurity" "0
0"

}

# distinct roles whose names mangle to the same policy name
sc_collide()
{
    DB=collide
    newdb $DB "$CASES/collide.sql"
    apply "collide: roles \"Qa\", qa, \"q a\", q_a, \"日本\", \"中国\" each get their own policy" \
        $DB "$CASES/collide.rls"
    for R in '"Qa"' qa '"q a"' q_a '"日本"' '"中国"'; do
        check_ids "collide: role $R sees the rows" $DB "$R" - collide "1"
    done
    check_ids "collide: a role in no to-list sees nothing" $DB outsider - collide "none"
    check_rows "collide: six policies, one per role" $DB - - \
        "SELECT string_agg(array_to_string(roles, ','), '|' ORDER BY array_to_string(roles, ',') COLLATE \"C\")
         FROM pg_policies WHERE tablename = 'collide'" "Qa|q a|q_a|qa|中国|日本"
}

# ================================================================ verbatim
sc_verbatim()
{
    DB=verbatim
    newdb $DB "$CASES/verbatim.sql"
    apply "verbatim: up script applies" $DB "$CASES/verbatim.rls"
    check_rows "verbatim: hide_secret is created as written (name, restrictive, select, public, condition)" \
        $DB - - "SELECT policyname, permissive, cmd, roles, qual, with_check IS NULL FROM pg_policies
                 WHERE tablename = 'reports' AND policyname = 'hide_secret'" \
        "hide_secret|RESTRICTIVE|SELECT|{public}|(NOT secret)|t"
    check_ids "verbatim restrictive ANDs with tenant and allow: only non-secret rows of tenant 1" \
        $DB vb_clerk "tenant=1" reports "1"
    check_ids "verbatim conditions are not rewritten: NULL secret is hidden (NOT NULL is not true)" \
        $DB vb_clerk "tenant=1" "reports WHERE secret IS NULL" "none"
    check_affects "verbatim restrictive for select does not restrict insert" $DB vb_clerk "tenant=1" \
        "INSERT INTO reports VALUES (5, 1, true)" 1
    check_ids "verbatim: the bypass role is subject to a verbatim restrictive policy (as written)" \
        $DB vb_boss - reports "1,3"
    check_rows "verbatim: a table named only by policies gets ENABLE and FORCE" $DB - - \
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'legacy'::regclass" "t|t"
    check_ids "verbatim: legacy_read lets every role read legacy" $DB outsider - legacy "1,2"
    check_ids "verbatim: legacy_read applies to the owner too" $DB app_owner - legacy "1,2"
    check_rejected "verbatim: no insert policy on legacy, insert rejected" $DB outsider - \
        "INSERT INTO legacy VALUES (3, 'c')"
    check_rows "verbatim: \$tenant in a verbatim policy is expanded to the context read" $DB - - \
        "SELECT qual LIKE '%current_setting(''app.tenant_id''%', with_check LIKE '%current_setting(''app.tenant_id''%'
         FROM pg_policies WHERE policyname = 'own_rows'" "t|t"
    check_ids "verbatim own_rows: vb_clerk sees its tenant's rows" $DB vb_clerk "tenant=1" ledger "1"
    check_ids "verbatim own_rows: vb_clerk sees nothing without context" $DB vb_clerk - ledger "none"
    check_ids "verbatim own_rows: a role outside its to-list sees nothing" $DB outsider "tenant=1" ledger "none"
    check_affects "verbatim own_rows: a row passing with check is inserted" $DB vb_clerk "tenant=1" \
        "INSERT INTO ledger VALUES (3, 1, 7)" 1
    check_rejected "verbatim own_rows: a row failing with check is rejected" $DB vb_clerk "tenant=1" \
        "INSERT INTO ledger VALUES (4, 1, -7)"
    check_rejected "verbatim own_rows: a row for another tenant is rejected" $DB vb_clerk "tenant=1" \
        "INSERT INTO ledger VALUES (5, 2, 7)"

}

# ================================================================ grants
sc_grants()
{
    DB=grants
    newdb $DB "$CASES/django_auth.sql" "$CASES/grants.sql"
    apply "grants: up script applies" $DB "$CASES/grants.rls"
    W=gr_web
    check_error "grants: the web role cannot read auth_user itself (has_perm must be SECURITY DEFINER)" \
        $DB $W - "SELECT count(*) FROM auth_user" "permission denied"
    check_rows "grants: rlsc.has_perm is STABLE, SECURITY DEFINER, with a fixed search_path" $DB - - \
        "SELECT provolatile, prosecdef, array_to_string(proconfig, ',') LIKE 'search_path=%'
         FROM pg_proc WHERE oid = 'rlsc.has_perm(text, text, text)'::regprocedure" "s|t|t"
    check_ids "grants: a user with the permission directly sees the tenant's rows" \
        $DB $W "tenant=1 user=1" shop_product "1,2"
    check_ids "grants: a user with the permission through a group sees the rows" \
        $DB $W "tenant=1 user=2" shop_product "1,2"
    check_ids "grants: a user without the permission sees none" $DB $W "tenant=1 user=3" shop_product "none"
    check_ids "grants: an inactive user with the permission sees none" $DB $W "tenant=1 user=4" shop_product "none"
    check_ids "grants: an inactive user with the permission through a group sees none" \
        $DB $W "tenant=1 user=9" shop_product "none"
    check_ids "grants: a superuser sees all rows of their tenant (tenant 1)" $DB $W "tenant=1 user=5" shop_product "1,2"
    check_ids "grants: a superuser sees all rows of their tenant (tenant 2)" $DB $W "tenant=2 user=5" shop_product "3"
    check_ids "grants: an inactive superuser sees none" $DB $W "tenant=1 user=8" shop_product "none"
    check_ids "grants: the same codename of another app does not count" $DB $W "tenant=1 user=6" shop_product "none"
    check_ids "grants: another permission of the model does not count" $DB $W "tenant=1 user=7" shop_product "none"
    check_ids "grants: no user context sees none" $DB $W "tenant=1" shop_product "none"
    check_ids "grants: user context '' sees none, no error" $DB $W "tenant=1 user=" shop_product "none"
    check_ids "grants: an unknown user sees none" $DB $W "tenant=1 user=999" shop_product "none"
    check_ids "grants: the permission without tenant context sees none" $DB $W "user=1" shop_product "none"
    check_ids "grants: the permission is not tied to a role (outsider, user 1)" \
        $DB outsider "tenant=1 user=1" shop_product "1,2"
    check_affects "grants: add permission lets judy insert for her tenant" $DB $W "tenant=1 user=10" \
        "INSERT INTO shop_product VALUES (10, 1, 'new')" 1
    check_rejected "grants: without add permission alice's insert is rejected" $DB $W "tenant=1 user=1" \
        "INSERT INTO shop_product VALUES (11, 1, 'new')"
    check_rejected "grants: add permission does not allow inserting for another tenant" \
        $DB $W "tenant=1 user=10" "INSERT INTO shop_product VALUES (12, 2, 'new')"
    check_affects "grants: custom 'shop.approve_product' for update lets judy update" $DB $W "tenant=1 user=10" \
        "UPDATE shop_product SET name = 'approved' WHERE id = 1" 1
    check_affects "grants: without approve_product alice updates 0 rows" $DB $W "tenant=1 user=1" \
        "UPDATE shop_product SET name = 'x' WHERE id = 2" 0
    check_affects "grants: change_product is not approve_product (gina updates 0 rows)" $DB $W "tenant=1 user=7" \
        "UPDATE shop_product SET name = 'x'" 0
    check_affects "grants: no delete permission granted, even a superuser deletes 0 rows" $DB $W "tenant=1 user=5" \
        "DELETE FROM shop_product" 0
    check_ids "grants: grant view using (...) ANDs the condition with the permission" \
        $DB $W "tenant=1 user=10" shop_order "1"
    check_ids "grants: grant view using (...) applies to superusers too" $DB $W "tenant=1 user=5" shop_order "1"
    check_ids "grants: view_product does not grant view_order" $DB $W "tenant=1 user=1" shop_order "none"

    run_sql $DB $W "tenant=1 user=1" "EXPLAIN (COSTS OFF, VERBOSE) SELECT * FROM shop_product;"
    if [ "$RC" = 0 ] && printf '%s\n' "$OUT" | grep -q 'InitPlan' &&
        printf '%s\n' "$OUT" | grep -q 'has_perm' &&
        ! printf '%s\n' "$OUT" | grep 'Filter:' | grep -q 'has_perm\|current_setting'; then
        pass "grants: EXPLAIN: the permission check runs in an InitPlan, not per row"
    else
        fail "grants: EXPLAIN: the permission check runs in an InitPlan, not per row" "$OUT" "$ERR"
    fi

    # The runtime's decisions (rlsc.perms, for the user in rlsc.perms_user):
    # they count exactly when they are for the current $user and name the
    # permission; otherwise rlsc.has_perm decides as ModelBackend.
    P="rlsc.perms"
    PU="rlsc.perms_user"
    check_ids "grants: the runtime's grant counts where the tables say no (user 3)" \
        $DB $W "tenant=1 user=3 $PU=3 $P={+shop.view_product}" shop_product "1,2"
    check_ids "grants: the runtime's refusal counts where the tables say yes (user 1)" \
        $DB $W "tenant=1 user=1 $PU=1 $P={-shop.view_product,+shop.add_product}" shop_product "none"
    check_ids "grants: decisions for another user do not count (user 3, decided for 1)" \
        $DB $W "tenant=1 user=3 $PU=1 $P={+shop.view_product}" shop_product "none"
    check_ids "grants: a refusal for another user does not count (user 1, decided for 3)" \
        $DB $W "tenant=1 user=1 $PU=3 $P={-shop.view_product}" shop_product "1,2"
    check_ids "grants: a permission the runtime did not decide goes to the tables (user 1)" \
        $DB $W "tenant=1 user=1 $PU=1 $P={+shop.add_product}" shop_product "1,2"
    check_ids "grants: a permission the runtime did not decide goes to the tables (user 3)" \
        $DB $W "tenant=1 user=3 $PU=3 $P={+shop.add_product}" shop_product "none"
    check_ids "grants: decisions '' (unset) go to the tables, no error" \
        $DB $W "tenant=1 user=1 $PU=1 $P=" shop_product "1,2"
    check_ids "grants: the same codename of another app is another permission" \
        $DB $W "tenant=1 user=3 $PU=3 $P={+other.view_product}" shop_product "none"
    check_ids "grants: the anonymous user's decisions count (a backend may grant them)" \
        $DB $W "tenant=1 user= $PU= $P={+shop.view_product}" shop_product "1,2"
    check_ids "grants: the runtime's grant still needs the tenant" \
        $DB $W "tenant=2 user=3 $PU=3 $P={+shop.view_product}" shop_product "3"
    check_ids "grants: the runtime's grant is ANDed with the rule's condition" \
        $DB $W "tenant=1 user=3 $PU=3 $P={+shop.view_order}" shop_order "1"
    check_affects "grants: the runtime's add lets alice insert" $DB $W "tenant=1 user=1 $PU=1 $P={+shop.add_product}" \
        "INSERT INTO shop_product VALUES (13, 1, 'runtime')" 1
    check_rejected "grants: the runtime's refusal stops judy's insert" $DB $W \
        "tenant=1 user=10 $PU=10 $P={-shop.add_product}" "INSERT INTO shop_product VALUES (14, 1, 'no')"
    # the point of the fast path: no call of the plpgsql helper at all
    su_sql $DB "ALTER DATABASE $DB SET track_functions = 'pl'" >/dev/null
    # check_calls DESC CTX N: products 1 and 2 visible, rlsc.has_perm called N times
    check_calls() {
        run_sql $DB $W "$2" "BEGIN; SELECT count(*) FROM shop_product WHERE id IN (1, 2);
            SELECT coalesce(pg_stat_get_xact_function_calls('rlsc.has_perm(text, text, text)'::regprocedure), 0);
            COMMIT;"
        if [ "$RC" = 0 ] && [ "$OUT" = "2
$3" ]; then
            pass "$1"
        else
            fail "$1" "$OUT" "$ERR"
        fi
    }
    check_calls "grants: with the runtime's decision rlsc.has_perm is not called" \
        "tenant=1 user=1 $PU=1 $P={+shop.view_product}" 0
    check_calls "grants: without it rlsc.has_perm is called once per query (not per row)" \
        "tenant=1 user=1" 1

}

# ================================================================ down
# Runs alone: it compares cluster-wide role lists.
sc_down()
{
    DB=down
    su_sql postgres "CREATE ROLE dn_pre NOLOGIN" >/dev/null
    newdb $DB "$CASES/down.sql"
    snapshot $DB "$PGWORK/s0"
    apply "down: up script applies" $DB "$CASES/down.rls"
    snapshot $DB "$PGWORK/s1"
    if ! diff "$PGWORK/s0.policies" "$PGWORK/s1.policies" >/dev/null &&
        ! diff "$PGWORK/s0.tables" "$PGWORK/s1.tables" >/dev/null &&
        ! diff "$PGWORK/s0.roles" "$PGWORK/s1.roles" >/dev/null &&
        ! diff "$PGWORK/s0.objects" "$PGWORK/s1.objects" >/dev/null; then
        pass "down: up changed policies, RLS flags, roles and the rlsc schema (the snapshots see it)"
    else
        fail "down: up changed policies, RLS flags, roles and the rlsc schema (the snapshots see it)"
    fi
    check_rows "down: up created the missing roles NOLOGIN and marked them; dn_pre is untouched" $DB - - \
        "SELECT string_agg(rolname || ':' || rolcanlogin || ':' || coalesce(shobj_description(oid, 'pg_authid'), '-'),
                           ' ' ORDER BY rolname)
         FROM pg_roles WHERE rolname LIKE 'dn\\_%'" \
        "dn_admin:false:created by rlsc dn_new:false:created by rlsc dn_pre:false:-"
    apply "down: down script applies" $DB --down "$CASES/down.rls"
    snapshot $DB "$PGWORK/s2"
    same_snapshot "down: pg_policies identical to before up (pre-existing policies kept)" \
        "$PGWORK/s0" "$PGWORK/s2" policies
    check_rows "down: the pre-existing policies keep_me and keep_me_too survive" $DB - - \
        "SELECT string_agg(tablename || '.' || policyname, ' ' ORDER BY 1) FROM pg_policies" \
        "dn_pre_forced.keep_me_too dn_pre_rls.keep_me"
    same_snapshot "down: roles identical to before up (dn_pre survives, dn_new and dn_admin are gone)" \
        "$PGWORK/s0" "$PGWORK/s2" roles
    same_snapshot "down: schemas and functions identical to before up (rlsc.has_perm gone)" \
        "$PGWORK/s0" "$PGWORK/s2" objects
    check_rows "down: tables without RLS before up have RLS off again" $DB - - \
        "SELECT string_agg(relname || ':' || relrowsecurity || ':' || relforcerowsecurity, ' ' ORDER BY relname)
         FROM pg_class WHERE relname IN ('dn_thing', 'dn_plain', 'dn_plain2', 'dn_untouched')" \
        "dn_plain:false:false dn_plain2:false:false dn_thing:false:false dn_untouched:false:false"
    # up records each table's flags in its policies' comments; down restores them
    check_rows "down: a table with RLS enabled + forced and a policy before up keeps both" $DB - - \
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'dn_pre_forced'" "t|t"
    check_rows "down: a table with RLS enabled (not forced) and a policy before up is not forced after down" \
        $DB - - "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'dn_pre_rls'" "t|f"
    check_rows "down: a table with RLS enabled and no policy before up keeps RLS enabled" \
        $DB - - "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'dn_pre_enabled'" "t|f"
    same_snapshot "down: RLS flags of all tables identical to before up" "$PGWORK/s0" "$PGWORK/s2" tables
    TAP_TODO=
}

# ================================================================ twice
# The billing policies (cases/billing.rls) applied twice.  Runs alone: it
# compares role lists.
sc_twice()
{
    DB=twice
    newdb $DB "$CASES/django_auth.sql" "$CASES/billing.sql"
    snapshot $DB "$PGWORK/s0"
    apply "twice: up script of the billing policies applies" $DB "$CASES/billing.rls"
    snapshot $DB "$PGWORK/s1"
    compile "$PGWORK/up.sql" "$CASES/billing.rls"
    pg_psql -d $DB -q -v ON_ERROR_STOP=1 -f "$PGWORK/up.sql" >"$PGWORK/out" 2>"$PGWORK/err"
    RC=$?
    if [ "$RC" != 0 ] && grep -q 'already exists' "$PGWORK/err"; then
        pass "twice: a second up fails (policy already exists)"
    else
        fail "twice: a second up fails (policy already exists)" "psql exit $RC" "$(cat "$PGWORK/err")"
    fi
    snapshot $DB "$PGWORK/s2"
    for A in policies tables roles objects; do
        same_snapshot "twice: the failed second up is rolled back: $A as after one up" \
            "$PGWORK/s1" "$PGWORK/s2" $A
    done
    # psql without ON_ERROR_STOP runs on after the error: COMMIT then rolls back
    pg_psql -d $DB -q -f "$PGWORK/up.sql" >"$PGWORK/out" 2>"$PGWORK/err"
    snapshot $DB "$PGWORK/s3"
    if grep -q 'current transaction is aborted' "$PGWORK/err" &&
        cat "$PGWORK/s1.policies" "$PGWORK/s1.tables" "$PGWORK/s1.roles" "$PGWORK/s1.objects" >"$PGWORK/a" &&
        cat "$PGWORK/s3.policies" "$PGWORK/s3.tables" "$PGWORK/s3.roles" "$PGWORK/s3.objects" >"$PGWORK/b" &&
        cmp -s "$PGWORK/a" "$PGWORK/b"; then
        pass "twice: a second up without ON_ERROR_STOP changes nothing either (one transaction)"
    else
        fail "twice: a second up without ON_ERROR_STOP changes nothing either (one transaction)" \
            "$(diff "$PGWORK/a" "$PGWORK/b")" "$(tail -5 "$PGWORK/err")"
    fi
    apply "twice: down script applies" $DB --down "$CASES/billing.rls"
    snapshot $DB "$PGWORK/s4"
    for A in policies tables roles objects; do
        same_snapshot "twice: after down, $A as before up" "$PGWORK/s0" "$PGWORK/s4" $A
    done
    apply "twice: a second down applies too" $DB --down "$CASES/billing.rls"
    snapshot $DB "$PGWORK/s5"
    for A in policies tables roles objects; do
        same_snapshot "twice: after a second down, $A still as before up" "$PGWORK/s0" "$PGWORK/s5" $A
    done
}

# ================================================================ billing
# The billing example's policies (an early version, frozen as
# cases/billing.rls) on the tables Django would create.
sc_billing()
{
    DB=billing
    newdb $DB "$CASES/django_auth.sql" "$CASES/billing.sql"
    EX=$CASES/billing.rls
    if compile "$PGWORK/b.sql" "$EX" &&
        grep -q "billing_audit_log'.*default deny" "$PGWORK/rlsc.err" &&
        grep -q "billing_customer'.*default deny" "$PGWORK/rlsc.err"; then
        pass "billing: rlsc warns about default deny on billing_audit_log and billing_customer"
    else
        fail "billing: rlsc warns about default deny on billing_audit_log and billing_customer" \
            "$(cat "$PGWORK/rlsc.err")"
    fi
    apply "billing: up script applies" $DB "$EX"
    BA=billing_app
    check_ids "billing: billing_app with a viewing user sees the tenant's invoices" \
        $DB $BA "tenant=1 user=1" billing_invoice "1,2,3,4"
    check_ids "billing: billing_app without a user sees no invoices" $DB $BA "tenant=1" billing_invoice "none"
    check_ids "billing: tenant 2's user sees tenant 2's invoices" $DB $BA "tenant=2 user=3" billing_invoice "5"
    check_ids "billing: the tenant comes from the context, not from the user (user 3 on tenant 1)" \
        $DB $BA "tenant=1 user=3" billing_invoice "1,2,3,4"
    check_ids "billing: auditor reads the tenant's invoices without a user" $DB auditor "tenant=1" billing_invoice "1,2,3,4"
    check_ids "billing: auditor without tenant sees nothing" $DB auditor - billing_invoice "none"
    check_ids "billing: support (bypass) sees every invoice without context" $DB support - billing_invoice "1,2,3,4,5"
    check_ids "billing: line items of draft invoices only (billing_app)" \
        $DB $BA "tenant=1 user=1" billing_lineitem "1"
    check_ids "billing: auditor sees all the tenant's line items" $DB auditor "tenant=1" billing_lineitem "1,2"
    check_affects "billing: the creator edits its own draft" $DB $BA "tenant=1 user=1" \
        "UPDATE billing_invoice SET number = 'A-1b' WHERE id = 1" 1
    check_affects "billing: someone else's draft is not editable without change permission" \
        $DB $BA "tenant=1 user=1" "UPDATE billing_invoice SET number = 'x' WHERE id = 4" 0
    check_affects "billing: an own sent invoice is not editable" $DB $BA "tenant=1 user=1" \
        "UPDATE billing_invoice SET number = 'x' WHERE id = 2" 0
    check_rejected "billing: a draft cannot be set to paid (check)" $DB $BA "tenant=1 user=1" \
        "UPDATE billing_invoice SET status = 'paid' WHERE id = 1"
    check_affects "billing: a draft can be sent (check)" $DB $BA "tenant=1 user=1" \
        "UPDATE billing_invoice SET status = 'sent' WHERE id = 1" 1
    check_affects "billing: only the creator's drafts are editable, whatever the Django permissions" \
        $DB $BA "tenant=1 user=2" "UPDATE billing_invoice SET number = 'A-3b' WHERE id = 3" 0
    check_affects "billing: the manager edits its own draft" $DB $BA "tenant=1 user=2" \
        "UPDATE billing_invoice SET number = 'A-4b' WHERE id = 4" 1
    check_affects "billing: deny delete keeps a paid invoice" $DB $BA "tenant=1 user=2" \
        "DELETE FROM billing_invoice WHERE id = 3" 0
    check_affects "billing: delete permission deletes a draft" $DB $BA "tenant=1 user=2" \
        "DELETE FROM billing_invoice WHERE id = 4" 1
    check_affects "billing: no delete permission, no delete" $DB $BA "tenant=2 user=3" \
        "DELETE FROM billing_invoice WHERE id = 5" 0
    check_affects "billing: the audit log takes the acting user's entries" $DB $BA "tenant=1 user=1" \
        "INSERT INTO billing_audit_log VALUES (3, 1, 1, 'sent A-1')" 1
    check_rejected "billing: the audit log rejects entries in another user's name" $DB $BA "tenant=1 user=1" \
        "INSERT INTO billing_audit_log VALUES (4, 1, 2, 'forged')"
    check_ids "billing: billing_app cannot read the audit log" $DB $BA "tenant=1 user=1" billing_audit_log "none"
    check_ids "billing: auditor reads the tenant's audit log" $DB auditor "tenant=1" billing_audit_log "1,3"
    check_ids "billing: customers are tenant-isolated" $DB $BA "tenant=2" billing_customer "2"
    check_rejected "billing: creating customers is default-denied" $DB $BA "tenant=3" \
        "INSERT INTO billing_customer VALUES (3, 'Initech')"
}

# ================================================================ apps
# Two apps: removing one app's policies never breaks the other's.
sc_apps()
{
    DB=apps
    newdb $DB "$CASES/django_auth.sql" "$CASES/apps.sql"
    apply "apps: up of app a applies" $DB "$CASES/apps_a.rls"
    apply "apps: up of app b applies (stdlib and role already there)" $DB "$CASES/apps_b.rls"
    check_ids "apps: app a's grant works" $DB ap_web "tenant=1 user=1" appa_item "1"
    check_ids "apps: app b's grant works" $DB ap_web "tenant=1 user=1" appb_lead "1"
    apply "apps: down of app a applies" $DB --down "$CASES/apps_a.rls"
    check_ids "apps: after app a's down, its table is open again (RLS off)" $DB ap_web - appa_item "1,2"
    check_ids "apps: after app a's down, app b's grant still works" $DB ap_web "tenant=1 user=1" appb_lead "1"
    check_ids "apps: after app a's down, app b still denies without permission" $DB ap_web "tenant=1 user=2" \
        appb_lead "none"
    check_rows "apps: after app a's down, the shared role and rlsc.has_perm are still there" $DB - - \
        "SELECT count(*) FROM pg_roles WHERE rolname = 'ap_web'
         UNION ALL SELECT count(*) FROM pg_proc WHERE proname = 'has_perm'" "1
1"
    apply "apps: down of app b applies" $DB --down "$CASES/apps_b.rls"
    check_rows "apps: after both downs, the role, the rlsc schema and all policies are gone" $DB - - \
        "SELECT count(*) FROM pg_roles WHERE rolname = 'ap_web'
         UNION ALL SELECT count(*) FROM pg_namespace WHERE nspname = 'rlsc'
         UNION ALL SELECT count(*) FROM pg_policies" "0
0
0"
}

# ================================================================ migrator
# Up and down applied by the tables' owner, a non-superuser with CREATEROLE.
sc_migrator()
{
    DB=migrator
    su_sql postgres "CREATE ROLE mg_migrator NOLOGIN CREATEROLE" >/dev/null
    newdb $DB "$CASES/django_auth.sql" "$CASES/grants.sql"
    su_sql $DB "GRANT CREATE ON DATABASE migrator TO mg_migrator;
                REASSIGN OWNED BY app_owner TO mg_migrator" >/dev/null
    check_rows "migrator: every table is owned by mg_migrator" $DB - - \
        "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = 'public'" "mg_migrator"
    compile "$PGWORK/up.sql" "$CASES/migrator.rls"
    compile "$PGWORK/down.sql" --down "$CASES/migrator.rls"
    run_sql $DB mg_migrator - "$(cat "$PGWORK/up.sql")"
    if [ "$RC" = 0 ]; then
        pass "migrator: the up script applies as a non-superuser owner"
    else
        fail "migrator: the up script applies as a non-superuser owner" "$ERR"
    fi
    check_ids "migrator: a user with the permission sees the tenant's rows" \
        $DB mg_web "tenant=1 user=1" shop_product "1,2"
    check_ids "migrator: a user without it sees none" $DB mg_web "tenant=1 user=3" shop_product "none"
    check_ids "migrator: the owner is subject to FORCE" $DB mg_migrator "tenant=1" shop_product "none"
    check_ids "migrator: the bypass role sees every row" $DB mg_support - shop_product "1,2,3"
    run_sql $DB mg_migrator - "$(cat "$PGWORK/down.sql")"
    if [ "$RC" = 0 ]; then
        pass "migrator: the down script applies as a non-superuser owner"
    else
        fail "migrator: the down script applies as a non-superuser owner" "$ERR"
    fi
    check_rows "migrator: after down no policy, no RLS flag, no rlsc schema, no created role is left" $DB - - \
        "SELECT (SELECT count(*) FROM pg_policies), (SELECT count(*) FROM pg_class WHERE relrowsecurity),
                (SELECT count(*) FROM pg_namespace WHERE nspname = 'rlsc'),
                (SELECT count(*) FROM pg_roles WHERE rolname IN ('mg_web', 'mg_support'))" "0|0|0|0"
}

# ================================================================ stdlib
# A schema named rlsc that existed before up must survive down.
sc_stdlib()
{
    DB=stdlib
    newdb $DB "$CASES/django_auth.sql" "$CASES/apps.sql" "$CASES/stdlib.sql"
    apply "stdlib: up applies when schema rlsc already exists" $DB "$CASES/stdlib.rls"
    check_ids "stdlib: the grant works" $DB sl_web "tenant=1 user=1" appa_item "1"
    apply "stdlib: down applies" $DB --down "$CASES/stdlib.rls"
    check_rows "stdlib: rlsc.has_perm is removed" $DB - - \
        "SELECT count(*) FROM pg_proc WHERE proname = 'has_perm'" "0"
    check_rows "stdlib: the schema rlsc that existed before up survives down" $DB - - \
        "SELECT count(*) FROM pg_namespace WHERE nspname = 'rlsc'" "1"
    TAP_TODO=
}

# ================================================================ customuser
# AUTH_USER_MODEL = 'accounts.User' with uuid keys: `rlsc sql --db` finds
# the user model through the foreign keys of its many-to-many tables and
# has_perm reads those tables (issue 8.1: it read auth_user, which does
# not exist here, so every query on a granted table failed).
sc_customuser()
{
    DB=customuser
    U=00000000-0000-0000-0000-00000000000
    newdb $DB "$CASES/custom_user.sql"
    su_sql $DB "CREATE ROLE cu_web NOLOGIN; GRANT SELECT ON projects_project TO cu_web" >/dev/null
    apply "customuser: up script applies (catalog from the database)" $DB \
        --db "host=$PGSOCK port=$PGPORT user=postgres dbname=$DB" "$CASES/custom_user.rls"
    W=cu_web
    check_ids "customuser: a user with the permission directly sees the tenant's rows" \
        $DB $W "tenant=1 user=${U}a" projects_project "1,2"
    check_ids "customuser: a user with the permission through a group sees them" \
        $DB $W "tenant=1 user=${U}b" projects_project "1,2"
    check_ids "customuser: a user without the permission sees none" \
        $DB $W "tenant=1 user=${U}c" projects_project "none"
    check_ids "customuser: an inactive user with the permission sees none" \
        $DB $W "tenant=1 user=${U}d" projects_project "none"
    check_ids "customuser: a superuser sees the tenant's rows" \
        $DB $W "tenant=2 user=${U}e" projects_project "3"
    check_ids "customuser: the codename of another app does not count" \
        $DB $W "tenant=1 user=${U}f" projects_project "none"
    check_ids "customuser: a user context that is no uuid is no user (no error)" \
        $DB $W "tenant=1 user=42" projects_project "none"
    check_ids "customuser: an unknown uuid is no user" \
        $DB $W "tenant=1 user=${U}9" projects_project "none"
    check_rows "customuser: has_perm names accounts_user, not auth_user" $DB - - \
        "SELECT prosrc LIKE '%\"accounts_user\" u%' AND prosrc NOT LIKE '%auth_user%'
         FROM pg_proc WHERE oid = 'rlsc.has_perm(text, text, text)'::regprocedure" "t"
}

# ================================================================ attack
# The stdlib helpers against a role that may create objects in public (the
# default of every database created before PostgreSQL 15): its operator
# must not run inside the SECURITY DEFINER helper, the helper answers only
# for the current $user, and a schema rlsc someone else owns stops the up.
sc_attack()
{
    DB=attack
    newdb $DB "$CASES/django_auth.sql" "$CASES/grants.sql"
    apply "attack: up script applies" $DB "$CASES/grants.rls"
    su_sql $DB "CREATE ROLE at_evil; GRANT gr_web TO at_evil;
                GRANT CREATE, USAGE ON SCHEMA public TO at_evil" >/dev/null
    # the operator the helper's varchar = text comparison would pick if
    # public were on its search_path; it runs as whoever calls it
    run_sql $DB at_evil - "CREATE TABLE public.at_log (who text, rls_off boolean);
        GRANT ALL ON public.at_log TO PUBLIC;
        CREATE FUNCTION public.at_eq(character varying, text) RETURNS boolean
        LANGUAGE plpgsql AS \$\$
        BEGIN
            BEGIN
                ALTER TABLE public.shop_product DISABLE ROW LEVEL SECURITY;
                INSERT INTO public.at_log VALUES (current_user, true);
            EXCEPTION WHEN OTHERS THEN
                INSERT INTO public.at_log VALUES (current_user, false);
            END;
            RETURN true;
        END \$\$;
        CREATE OPERATOR public.= (LEFTARG = character varying, RIGHTARG = text,
                                  FUNCTION = public.at_eq);"
    if [ "$RC" = 0 ]; then
        pass "attack: a role with CREATE on public defines = (varchar, text)"
    else
        fail "attack: a role with CREATE on public defines = (varchar, text)" "$ERR"
    fi
    check_rows "attack: the attacker calls has_perm as a user with the permission" $DB at_evil \
        "user=1" "SELECT rlsc.has_perm('app.user_id', 'shop', 'view_product')" "t"
    check_ids "attack: and reads through the grant policy" $DB at_evil "tenant=1 user=1" shop_product "1,2"
    check_rows "attack: the hostile operator never ran inside the helper" $DB - - \
        "SELECT count(*) FROM public.at_log" "0"
    check_rows "attack: row level security is still on" $DB - - \
        "SELECT relrowsecurity FROM pg_class WHERE oid = 'shop_product'::regclass" "t"
    check_rows "attack: every stdlib function has search_path pg_catalog, pg_temp" $DB - - \
        "SELECT string_agg(proname || ':' || array_to_string(proconfig, ','), ' ' ORDER BY proname)
         FROM pg_proc WHERE pronamespace = 'rlsc'::regnamespace" \
        "has_perm:search_path=pg_catalog, pg_temp"
    # the helper answers for the current $user only
    check_error "attack: no has_perm(user id, ...) to ask about any user" $DB at_evil - \
        "SELECT rlsc.has_perm(1::bigint, 'shop', 'view_product')" "does not exist"
    check_rows "attack: has_perm of a user without the permission is false" $DB at_evil "user=3" \
        "SELECT rlsc.has_perm('app.user_id', 'shop', 'view_product')" "f"
    check_rows "attack: a server setting is no context: false, no error, no value shown" $DB at_evil - \
        "SELECT rlsc.has_perm('data_directory', 'shop', 'view_product')" "f"
    check_rows "attack: a context that is not an integer is no user" $DB at_evil "user=1x" \
        "SELECT rlsc.has_perm('app.user_id', 'shop', 'view_product')" "f"
    # a schema rlsc owned by another role: its owner could swap the helpers
    DB=attack2
    newdb $DB "$CASES/django_auth.sql" "$CASES/grants.sql"
    su_sql $DB "CREATE ROLE at_evil2; GRANT CREATE ON DATABASE attack2 TO at_evil2;
                SET ROLE at_evil2; CREATE SCHEMA rlsc" >/dev/null
    compile "$PGWORK/up.sql" "$CASES/grants.rls"
    pg_psql -d $DB -q -v ON_ERROR_STOP=1 -f "$PGWORK/up.sql" >"$PGWORK/out" 2>"$PGWORK/err"
    RC=$?
    if [ "$RC" != 0 ] && grep -q 'belongs to role at_evil2' "$PGWORK/err"; then
        pass "attack: up refuses a schema rlsc another role owns, and says whose"
    else
        fail "attack: up refuses a schema rlsc another role owns, and says whose" \
            "psql exit $RC" "$(cat "$PGWORK/err")"
    fi
    check_rows "attack: and changed nothing (one transaction)" $DB - - \
        "SELECT count(*) FROM pg_policies" "0"
}

# ================================================================ run
# down and twice compare cluster-wide role lists, and attack creates the
# roles of grants.rls as grants does (two CREATE ROLE of one name at once
# fail): they run first, alone; the others run in parallel (each in its
# own database, with its own roles).
# PG_SCENARIOS="tenant grants" runs only those (while working on them).
SERIAL="down twice attack"
PARALLEL="tenant combine percmd deny default_deny quoting collide verbatim grants customuser billing apps migrator stdlib"
if [ -n "${PG_SCENARIOS:-}" ]; then
    _s=$SERIAL _p=$PARALLEL
    SERIAL='' PARALLEL=''
    for S in $PG_SCENARIOS; do
        case " $_s " in *" $S "*) SERIAL="$SERIAL $S" ;; esac
        case " $_p " in *" $S "*) PARALLEL="$PARALLEL $S" ;; esac
    done
fi

run_scenario()
{
    (
        trap - EXIT HUP INT TERM
        PGWORK=$PGWORK/$1
        mkdir -p "$PGWORK"
        TAP_TODO=
        TAP_UNNUMBERED=1
        "sc_$1"
        flush
    ) >"$PGWORK/$1.tap" 2>&1
}

for S in $SERIAL; do
    run_scenario "$S"
done
PIDS=
for S in $PARALLEL; do
    run_scenario "$S" &
    PIDS="$PIDS $!"
done
for P in $PIDS; do
    wait "$P"
done
PIDS=

for S in $SERIAL $PARALLEL; do
    cat "$PGWORK/$S.tap"
done >"$PGWORK/all.tap"
tap_relay <"$PGWORK/all.tap"
tap_plan
