#!/bin/sh
# tests/pg/membership.sh — the index-friendly forms of membership conditions
# (DESIGN §4) admit exactly the rows the conditions as written admit.
#
# With a catalog, `x in (select ...)` and an `exists` correlated through one
# equality are emitted as `x = ANY (ARRAY(select ...))`.  On data with
# NULLs on both sides, every rule's visible rows (through RLS, as a
# non-superuser owner with FORCE) must equal the rows the original
# condition selects (as superuser, RLS off); a `not exists` and a deny
# keep their meaning too.  TAP.
#
# A rewrite must not add an error the condition as written cannot raise
# (issue 10.12): `$region::int8 in (select ...)` over an empty subquery is
# false whatever the setting holds, but `= ANY (ARRAY(...))` evaluates the
# cast first and fails when the setting holds text.  rlsc keeps IN there;
# the last tests prove the forms agree, and that the rewrite would not.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"
pg_setup_or_skip

q() { pg_psql -d mem -tA -v ON_ERROR_STOP=1 "$@"; }

tap_plan 14
pg_psql -d postgres -q -c "CREATE ROLE mem_owner" -c "CREATE DATABASE mem OWNER mem_owner"
q -q <<'SQL'
SET ROLE mem_owner;
CREATE TABLE shop_order (id bigint, shop_id bigint, archived boolean);
CREATE TABLE shop_member (shop_id bigint, user_id integer, role text);
INSERT INTO shop_order SELECT g, g % 7, g % 5 = 0 FROM generate_series(1, 200) g;
INSERT INTO shop_order VALUES (201, NULL, false), (202, NULL, NULL);
INSERT INTO shop_member SELECT g % 9, g % 11, CASE WHEN g % 3 = 0 THEN 'x' END
FROM generate_series(1, 60) g;
INSERT INTO shop_member VALUES (NULL, 5, 'x'), (3, NULL, NULL);
SQL
cat > "$PGWORK/cat.rls" <<'EOF2'
table shop_order { column id bigint; column shop_id bigint; column archived boolean; }
table shop_member { column shop_id bigint; column user_id integer; column role text; }
EOF2
# one condition per command, so each can be observed on its own
c_sel="exists (select 1 from shop_member m where m.shop_id = shop_order.shop_id and m.user_id = 5)"
c_upd="archived or exists (select 1 from shop_member m where shop_id = m.shop_id and m.role = 'x' and m.user_id = id)"
c_del="shop_id in (select m.shop_id from shop_member m where m.role = 'x')"
c_deny="not exists (select 1 from shop_member m where m.shop_id = shop_order.shop_id)"
cat > "$PGWORK/p.rls" <<EOF2
table shop_order {
    allow select using ($c_sel);
    allow update using ($c_upd);
    allow delete using ($c_del);
    allow insert;
    deny select using ($c_deny);
}
EOF2
"$RLSC" sql --catalog "$PGWORK/cat.rls" "$PGWORK/p.rls" > "$PGWORK/up.sql" 2>"$PGWORK/err"
tap_result $? "rlsc sql --catalog compiles the membership rules"
grep -c "= ANY (ARRAY(SELECT" "$PGWORK/up.sql" | grep -qx 3
tap_result $? "the exists and in conditions are emitted as = ANY (ARRAY(...)), the NOT EXISTS is not"
q -q -c "SET ROLE mem_owner" -f "$PGWORK/up.sql" >/dev/null 2>&1
tap_result $? "the SQL applies"

ids() { q -c "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM shop_order WHERE $1"; }
want_sel=$(ids "($c_sel) AND NOT ($c_deny)")
got_sel=$(q -c "SET ROLE mem_owner" -c "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM shop_order" | grep -E "^([0-9,]+|-)$")
[ "$got_sel" = "$want_sel" ] && [ "$got_sel" != "-" ]
tap_result $? "select: rows through RLS = rows of the conditions as written ($(echo "$got_sel" | tr , "\n" | wc -l) rows)"
# writes: count the rows an UPDATE / DELETE reaches (select is needed to see
# them too, so compare against both conditions), then roll back
upd=$(q -c "BEGIN" -c "SET ROLE mem_owner" -c "WITH u AS (UPDATE shop_order SET archived = archived RETURNING id) SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM u" -c "ROLLBACK" | grep -E "^([0-9,]+|-)$")
want_upd=$(ids "($c_upd) AND ($c_sel) AND NOT ($c_deny)")
[ "$upd" = "$want_upd" ]
tap_result $? "update: rows reached through RLS = rows of the conditions as written ($(echo "$upd" | tr , "\n" | wc -l) rows)"
del=$(q -c "BEGIN" -c "SET ROLE mem_owner" -c "WITH d AS (DELETE FROM shop_order RETURNING id) SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM d" -c "ROLLBACK" | grep -E "^([0-9,]+|-)$")
want_del=$(ids "($c_del) AND ($c_sel) AND NOT ($c_deny)")
[ "$del" = "$want_del" ]
tap_result $? "delete: rows reached through RLS = rows of the conditions as written ($(echo "$del" | tr , "\n" | wc -l) rows)"
plan=$(q -c "SET ROLE mem_owner" -c "EXPLAIN (COSTS OFF) SELECT * FROM shop_order")
printf '%s\n' "$plan" | grep -q "InitPlan"
tap_result $? "the rewritten membership is evaluated once per statement (InitPlan)"
q -q -c "SET ROLE mem_owner" -f /dev/stdin <<'SQL' >/dev/null 2>&1
CREATE INDEX ON shop_order (shop_id);
SQL
plan=$(q -c "SET enable_seqscan = off" -c "SET ROLE mem_owner" -c "EXPLAIN (COSTS OFF) SELECT * FROM shop_order")
printf '%s\n' "$plan" | grep -q "Index.*shop_order_shop_id_idx"
tap_result $? "PostgreSQL can use an index on the membership column"

# ---- a left side that can raise keeps IN
q -q <<'SQL'
SET ROLE mem_owner;
CREATE TABLE region_doc (id bigint, region_id bigint);
INSERT INTO region_doc SELECT g, g % 4 FROM generate_series(1, 20) g;
SQL
cat >> "$PGWORK/cat.rls" <<'EOF2'
table region_doc { column id bigint; column region_id bigint; }
EOF2
c_reg="\$region::int8 in (select m.shop_id from shop_member m where m.role = \$role)"
c_upd2="region_id in (select m.shop_id from shop_member m where m.user_id > 3)"
cat > "$PGWORK/r.rls" <<EOF2
context region text = 'app.region';
context role text = 'app.role';
table region_doc {
    allow select using ($c_reg);
    allow update using ($c_upd2);
    allow insert;
    allow delete;
}
EOF2
"$RLSC" sql --catalog "$PGWORK/cat.rls" "$PGWORK/r.rls" > "$PGWORK/r.sql" 2>"$PGWORK/err"
tap_result $? "rlsc sql --catalog compiles the context-cast membership" "$PGWORK/err"
# the cast of the context keeps IN; a column is still rewritten
grep -q 'AS int8) IN (SELECT' "$PGWORK/r.sql" \
    && grep -q '"region_id" = ANY (ARRAY(SELECT' "$PGWORK/r.sql"
tap_result $? "a cast of a context keeps IN (SELECT ...), a column becomes = ANY (ARRAY(...))" "$PGWORK/r.sql"
q -q -c "SET ROLE mem_owner" -f "$PGWORK/r.sql" >/dev/null 2>&1
tap_result $? "the SQL applies"
# the context reads rlsc emits, in the condition as written
reg="(SELECT CAST(NULLIF(pg_catalog.current_setting('app.region', true), '') AS text))::int8"
sub="(SELECT m.shop_id FROM shop_member m WHERE m.role = (SELECT CAST(NULLIF(pg_catalog.current_setting('app.role', true), '') AS text)))"
# text in app.region and no member with app.role: RLS admits no row and
# raises nothing, as the condition as written does; the rewritten form
# would raise
got=$(q -c "SET app.region = 'north'" -c "SET app.role = 'none'" -c "SET ROLE mem_owner" \
    -c "SELECT count(*) FROM region_doc" 2>"$PGWORK/err" | grep -E '^[0-9]+$')
want=$(q -c "SET app.region = 'north'" -c "SET app.role = 'none'" \
    -c "SELECT count(*) FROM region_doc WHERE $reg IN $sub" 2>>"$PGWORK/err" | grep -E '^[0-9]+$')
[ "$got" = 0 ] && [ "$want" = 0 ]
tap_result $? "text in the setting: rows through RLS = rows of IN as written (0, no error)" "$PGWORK/err"
q -c "SET app.region = 'north'" -c "SET app.role = 'none'" \
    -c "SELECT count(*) FROM region_doc WHERE $reg = ANY (ARRAY$sub)" >/dev/null 2>"$PGWORK/err"
[ $? -ne 0 ] && grep -q 'invalid input syntax for type bigint' "$PGWORK/err"
tap_result $? "the = ANY (ARRAY(...)) form raises there: the rewrite would add an error"
# a number in app.region and members with app.role: the same rows
upd=$(q -c "BEGIN" -c "SET app.region = '3'" -c "SET app.role = 'x'" -c "SET ROLE mem_owner" \
    -c "WITH u AS (UPDATE region_doc SET id = id RETURNING id) SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM u" \
    -c "ROLLBACK" | grep -E "^([0-9,]+|-)$")
want_upd=$(q -c "SET app.region = '3'" -c "SET app.role = 'x'" -c "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '-') FROM region_doc WHERE ($reg IN $sub) AND region_id IN (SELECT m.shop_id FROM shop_member m WHERE m.user_id > 3)" | grep -E "^([0-9,]+|-)$")
[ -n "$upd" ] && [ "$upd" != "-" ] && [ "$upd" = "$want_upd" ]
tap_result $? "a number in the setting: rows reached through RLS = rows of the conditions as written ($(echo "$upd" | tr , "\n" | wc -l) rows)"
exit 0
