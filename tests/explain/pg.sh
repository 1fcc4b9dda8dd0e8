#!/bin/sh
# tests/explain/pg.sh — `rlsc explain` says what PostgreSQL does.  TAP;
# plan at the end.
#
# For each case (tests/pg/cases: its .sql has tables with rows, its .rls
# the policies), the compiled policies are applied to a fresh database and
# tests/explain/semantics.py compares, for every table, role column and
# context, the rows PostgreSQL admits to the role (select: the ids; delete:
# how many; insert: which of the table's rows it accepts again) with the
# rows the condition `rlsc explain` prints admits, run as the same role with
# RLS off on that table (or on a copy, for insert).  "other roles" runs as
# explain_other, a role no file names.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"
PY=${DJANGO_PYTHON:-/usr/bin/python3}
"$PY" -c 'import psycopg2' 2>/dev/null || tap_skip_all "no psycopg2 for $PY"
pg_setup_or_skip

W=$PGWORK
C=$SRCDIR/tests/pg/cases
db() { printf 'host=%s port=%s user=postgres dbname=%s' "$PGSOCK" "$PGPORT" "$1"; }

pg_psql -d postgres -q -v ON_ERROR_STOP=1 -c "CREATE ROLE explain_other NOLOGIN" >"$W/out" 2>&1
tap_result $? "the role for 'other roles' is created" "$W/out" || tap_bail "no role"

# check NAME CONTEXTS...: the case's tables and rows, its policies, the comparison
check()
{
    name=$1
    shift
    pg_createdb "$name" >"$W/out" 2>&1 &&
        cat "$C/django_auth.sql" "$C/$name.sql" | pg_psql -d "$name" -q -v ON_ERROR_STOP=1 \
            >>"$W/out" 2>&1 &&
        "$RLSC" sql "$C/$name.rls" >"$W/$name.sql" 2>>"$W/out" &&
        pg_psql -d "$name" -q -v ON_ERROR_STOP=1 -f "$W/$name.sql" >>"$W/out" 2>&1
    tap_result $? "$name: tables, rows and compiled policies applied" "$W/out" || return
    "$RLSC" explain "$C/$name.rls" >"$W/$name.txt" 2>"$W/$name.err"
    tap_result $? "$name: rlsc explain" "$W/$name.err" || return
    "$PY" "$SRCDIR/tests/explain/semantics.py" "$W/$name.txt" "$(db "$name")" explain_other \
        "$@" >"$W/$name.tap" 2>"$W/$name.pyerr"
    tap_result $? "$name: the comparison ran" "$W/$name.pyerr"
    tap_relay <"$W/$name.tap"
}

# django_auth.sql has the auth tables the stdlib's has_perm reads; users
# 1 and 2 are of tenant 1 (1 may view invoices, 2 view, change and delete),
# 3 of tenant 2
check billing - app.tenant_id=1,app.user_id=1 app.tenant_id=1,app.user_id=2 \
    app.tenant_id=2,app.user_id=3 app.tenant_id=1
check combine - app.tenant_id=1 app.tenant_id=2
check deny - app.tenant_id=1 app.tenant_id=2
check percmd - app.tenant_id=1 app.tenant_id=2

tap_plan
