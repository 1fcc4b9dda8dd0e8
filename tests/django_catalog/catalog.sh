#!/bin/sh
# tests/django_catalog/catalog.sh — `manage.py rlsc_catalog` against the database (TAP).
#
# Migrates the test project (tests/django_catalog: app `shop` plus auth and
# contenttypes) into a private PostgreSQL server (tests/pg/pgenv.sh), then
# compares the catalog the Django app writes from the models alone with the
# one `rlsc catalog --db` reads from the migrated database: table by table,
# column by column (name, type as format_type() prints it, NOT NULL, order).
# Only tables that are models are compared: the database also has
# django_migrations, which is none.  Finally `rlsc check --catalog` must
# resolve the custom-db_table model through the Django catalog.
#
# Environment (from `make check`): RLSC, SRCDIR, PG_BINDIR, DJANGO_PYTHON
# (the Python with Django and psycopg2; default /usr/bin/python3).
set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
RLSC=${RLSC:-rlsc}
PY=${DJANGO_PYTHON:-/usr/bin/python3}
PROJECT=$SRCDIR/tests/django_catalog

. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"

"$PY" -c 'import django, psycopg2' >/dev/null 2>&1 ||
    tap_skip_all "no Django with psycopg2 for $PY (set DJANGO_PYTHON)"
pg_setup_or_skip
tap_note "$("$PG_BINDIR/postgres" -V), Django $("$PY" -c 'import django; print(django.get_version())'), $PGTMP"

# Django talks to the server through the PG* variables (testproject/settings.py);
# nothing may be written into the source tree (distcheck makes it read-only).
PGHOST=$PGSOCK
PGUSER=postgres
PGDATABASE=rlsc_django
PYTHONDONTWRITEBYTECODE=1
export PGHOST PGUSER PGDATABASE PYTHONDONTWRITEBYTECODE
unset PGSERVICE PGOPTIONS DJANGO_SETTINGS_MODULE 2>/dev/null
W=$PGWORK
cd "$W" || exit 1

manage() { "$PY" "$PROJECT/manage.py" "$@"; }

# ---------------------------------------------------------------- TAP

# check DESCRIPTION COMMAND...: ok when the command succeeds; its output
# is shown on failure.
check()
{
    _desc=$1
    shift
    if "$@" >"$W/out" 2>&1; then
        tap_ok "$_desc"
    else
        echo "# exit status $?" >>"$W/out"
        tap_not_ok "$_desc" "$W/out"
    fi
}

# ---------------------------------------------------------------- setup

# The app quotes identifiers the way cat_write does: its keyword list must
# be the scanner's, parser/kwlist.h (tests/unit/keywords.sh checks the same
# without Django; here the module is imported as Django loads it).
sed -n 's/^RLS_KEYWORD("\([a-z_]*\)".*/\1/p' "$SRCDIR/parser/kwlist.h" |
    LC_ALL=C sort >"$W/kw-c.txt"
"$PY" -c 'import sys; sys.path.insert(0, sys.argv[1])
from rlsc.catalog import KEYWORDS
print("\n".join(sorted(KEYWORDS)))' "$SRCDIR/stdlib/django" | LC_ALL=C sort >"$W/kw-py.txt"
if [ -s "$W/kw-c.txt" ] && diff -u "$W/kw-c.txt" "$W/kw-py.txt" >"$W/out" 2>&1; then
    tap_ok "rlsc/catalog.py KEYWORDS are parser/kwlist.h's keywords"
else
    tap_not_ok "rlsc/catalog.py KEYWORDS are parser/kwlist.h's keywords" "$W/out"
fi

# Django's own makemigrations (not rlsc's wrapper): the committed
# migrations must describe the models.
check "the committed migrations of shop are up to date (makemigrations --check)" \
    "$PY" -c 'import os, sys
sys.path[:0] = [sys.argv[1], os.path.join(sys.argv[1], "..", "..", "stdlib", "django")]
os.environ["DJANGO_SETTINGS_MODULE"] = "testproject.settings"
import django
django.setup()
from django.core.management import call_command
from django.core.management.commands.makemigrations import Command
call_command(Command(), "shop", check=True, dry_run=True, verbosity=0)' "$PROJECT"

pg_createdb "$PGDATABASE" >"$W/out" 2>&1 || tap_bail "cannot create the database" "$W/out"
if manage migrate --no-input -v 0 >"$W/migrate.log" 2>&1; then
    tap_ok "manage.py migrate"
else
    tap_not_ok "manage.py migrate" "$W/migrate.log"
    tap_bail "the test project does not migrate"
fi

# ---------------------------------------------------------------- type spelling

# rlsc/catalog.py pg_type() against format_type() of the running server,
# for DDL spellings beyond the ones the test models produce.
cat >"$W/types.txt" <<'EOF'
serial
bigserial
smallserial
serial4
serial8
serial2
int
int4
int8
int2
INTEGER
bigint
smallint
bool
boolean
float4
float8
real
double precision
float
float(10)
float(24)
float(25)
float(53)
decimal
decimal(8)
numeric(10, 2)
numeric(10,2)
NUMERIC( 5 , 0 )
varchar
varchar(20)
VARCHAR(20)
character varying(7)
char varying(9)
char
char(3)
character(4)
bpchar
"char"
text
date
time
time(3)
time with time zone
timetz
time(2) with time zone
timestamp
timestamp(3)
timestamp without time zone
timestamptz
timestamp with time zone
timestamp(0) with time zone
interval
interval(2)
interval day to second
interval day to second(3)
interval year
interval hour to minute[]
bytea
uuid
json
jsonb
inet
cidr
macaddr
bit
bit(3)
bit varying(5)
varbit
int[]
integer[3]
int[][]
varchar(30)[]
numeric(5, 2)[]
timestamp with time zone[]
timestamp(3)[]
integer array
integer array[4]
int4range
int8range
numrange
tstzrange
daterange
pg_catalog.int4
hstore
public.hstore
citext
citext[]
EOF
_i=0
_cols=
while IFS= read -r _t; do
    _i=$((_i + 1))
    _cols="$_cols${_cols:+, }c$_i $_t"
done <"$W/types.txt"
if pg_createdb rlsc_types >"$W/out" 2>&1 &&
        pg_psql -d rlsc_types -v ON_ERROR_STOP=1 -qAt \
            -c "CREATE EXTENSION hstore; CREATE EXTENSION citext; CREATE TABLE t ($_cols)" \
            -c "SELECT format_type(atttypid, atttypmod) FROM pg_attribute
                WHERE attrelid = 't'::regclass AND attnum > 0 ORDER BY attnum" \
            >"$W/types-pg.txt" 2>>"$W/out" &&
        "$PY" -c 'import sys; sys.path.insert(0, sys.argv[1])
from rlsc.catalog import pg_type
for line in open(sys.argv[2]):
    print(pg_type(line.rstrip("\n")))' "$SRCDIR/stdlib/django" "$W/types.txt" \
            >"$W/types-py.txt" 2>>"$W/out"; then
    paste "$W/types.txt" "$W/types-pg.txt" "$W/types-py.txt" |
        awk -F '\t' '$2 != $3 { printf "%s: format_type %s, pg_type %s\n", $1, $2, $3 }' \
        >"$W/out"
    if [ -s "$W/out" ] || [ "$(wc -l <"$W/types-py.txt")" != "$_i" ]; then
        tap_not_ok "pg_type() spells $_i DDL types as format_type() does" "$W/out"
    else
        tap_ok "pg_type() spells $_i DDL types as format_type() does"
    fi
else
    tap_not_ok "pg_type() spells $_i DDL types as format_type() does" "$W/out"
fi

# ---------------------------------------------------------------- catalogs

# No database: PGHOST names a directory that does not exist.
if PGHOST=$W/no-such-dir manage rlsc_catalog --output "$W/offline.rls" >"$W/out" 2>&1 &&
        [ -s "$W/offline.rls" ]; then
    tap_ok "rlsc_catalog --output works without a database"
else
    tap_not_ok "rlsc_catalog --output works without a database" "$W/out"
fi

check "rlsc_catalog --output django.rls" manage rlsc_catalog --output "$W/django.rls"
PYTHONHASHSEED=12345 manage rlsc_catalog >"$W/stdout.rls" 2>"$W/out"
if cmp -s "$W/django.rls" "$W/offline.rls" && cmp -s "$W/django.rls" "$W/stdout.rls"; then
    tap_ok "the catalog is the same with and without a database, and on stdout"
else
    diff -u "$W/django.rls" "$W/offline.rls" >>"$W/out" 2>&1
    diff -u "$W/django.rls" "$W/stdout.rls" >>"$W/out" 2>&1
    tap_not_ok "the catalog is the same with and without a database, and on stdout" "$W/out"
fi
ls -A "$W" | grep '\.tmp$' >"$W/out"
if [ ! -s "$W/out" ]; then
    tap_ok "--output leaves no temporary file behind"
else
    tap_not_ok "--output leaves no temporary file behind" "$W/out"
fi
if manage rlsc_catalog --output "$W/no-such-dir/x.rls" >"$W/out" 2>&1; then
    tap_not_ok "an unwritable --output is an error" "$W/out"
elif [ -e "$W/no-such-dir" ]; then
    tap_not_ok "an unwritable --output is an error" "$W/out"
else
    tap_ok "an unwritable --output is an error"
fi
if manage rlsc_catalog --database nosuch >"$W/out" 2>&1; then
    tap_not_ok "an unknown --database alias is an error" "$W/out"
else
    tap_ok "an unknown --database alias is an error"
fi

printf 'app shop;\n' >"$W/empty.rls"
check "rlsc check --catalog django.rls reads the catalog" \
    "$RLSC" check --catalog "$W/django.rls" "$W/empty.rls"

if "$RLSC" catalog --db "" >"$W/db.rls" 2>"$W/out"; then
    tap_ok "rlsc catalog --db"
else
    tap_not_ok "rlsc catalog --db" "$W/out"
    tap_bail "no catalog from the database"
fi

# ---------------------------------------------------------------- table by table

# split_catalog CATALOG DIR: DIR/index has "schema.table<TAB>app.model<TAB>n" per
# table (model `-` when the catalog names none), DIR/n its column lines.
split_catalog()
{
    mkdir -p "$2"
    awk -v dir="$2" '
        /^table / {
            n++
            model = ($3 == "model") ? $4 : "-"
            printf "%s\t%s\t%d\n", $2, model, n > (dir "/index")
            f = dir "/" n
            printf "" > f
            next
        }
        /^}/ { if (f != "") close(f); f = ""; next }
        f != "" { print > f }
    ' "$1"
    touch "$2/index"
}

# Django carries out on_delete=CASCADE itself (the constraint has no ON
# DELETE): only its catalog says `on delete cascade`.
grep -c ' on delete cascade;' "$W/django.rls" >"$W/cascades" || true
sed 's/ on delete cascade;$/;/' "$W/django.rls" >"$W/django-nc.rls"
split_catalog "$W/django-nc.rls" "$W/dj"
split_catalog "$W/db.rls" "$W/db"
TAB=$(printf '\t')
no_model=
while IFS="$TAB" read -r table model n; do
    desc="$table (model $model)"
    line=$(awk -F "$TAB" -v t="$table" '$1 == t' "$W/db/index")
    if [ -z "$line" ]; then
        echo "rlsc catalog --db has no table $table" >"$W/out"
        tap_not_ok "$desc: in the database" "$W/out"
        continue
    fi
    db_model=$(printf '%s\n' "$line" | cut -f2)
    db_n=$(printf '%s\n' "$line" | cut -f3)
    : >"$W/out"
    if [ "$db_model" != - ] && [ "$db_model" != "$model" ]; then
        echo "the database catalog says model $db_model" >>"$W/out"
    fi
    if [ "$db_model" = - ]; then
        no_model="$no_model $table"
    fi
    if ! diff -u --label "rlsc catalog --db: $table" --label "rlsc_catalog: $table" \
            "$W/db/$db_n" "$W/dj/$n" >>"$W/out" 2>&1; then
        :
    fi
    if [ -s "$W/out" ]; then
        tap_not_ok "$desc: $(wc -l <"$W/dj/$n" | tr -d ' ') columns as in the database" "$W/out"
    else
        tap_ok "$desc: $(wc -l <"$W/dj/$n" | tr -d ' ') columns as in the database"
    fi
done <"$W/dj/index"

# Database tables that are models must all be in the Django catalog.
while IFS="$TAB" read -r table model n; do
    if awk -F "$TAB" -v t="$table" '$1 == t { f = 1 } END { exit !f }' "$W/dj/index"; then
        continue
    fi
    if [ "$model" != - ]; then
        echo "the database catalog names it model $model" >"$W/out"
        tap_not_ok "$table: in rlsc_catalog's output" "$W/out"
    else
        tap_note "skipped $table: no model (not a Django model's table)"
    fi
done <"$W/db/index"
if [ -n "$no_model" ]; then
    tap_note "rlsc catalog --db names no model for:$no_model" \
        "  (custom db_table and many-to-many tables: django_content_type does not tell)"
fi

# Django's permissions: the ones the models declare are the ones
# migrate's post_migrate handler created.
grep '^permission ' "$W/django.rls" >"$W/perms-dj.txt"
grep '^permission ' "$W/db.rls" >"$W/perms-db.txt"
if [ -s "$W/perms-dj.txt" ] && grep -q '^permission shop\.view_order;$' "$W/perms-dj.txt" &&
        diff -u --label "rlsc catalog --db" --label "rlsc_catalog" \
            "$W/perms-db.txt" "$W/perms-dj.txt" >"$W/out" 2>&1; then
    tap_ok "permissions: $(wc -l <"$W/perms-dj.txt" | tr -d ' ') as in auth_permission"
else
    tap_not_ok "permissions as in auth_permission" "$W/out"
fi
if [ "$(cat "$W/cascades")" -ge 3 ]; then
    tap_ok "on_delete=CASCADE: $(cat "$W/cascades") columns say on delete cascade"
else
    tap_not_ok "on_delete=CASCADE: columns say on delete cascade" "$W/cascades"
fi
grep -c ' references ' "$W/django.rls" >"$W/out"
if [ "$(cat "$W/out")" -ge 5 ]; then
    tap_ok "foreign keys: $(cat "$W/out") columns with references"
else
    tap_not_ok "foreign keys: columns with references" "$W/out"
fi

# ---------------------------------------------------------------- rlsc check

cat >"$W/ok.rls" <<'EOF'
app shop;
context tenant bigint = 'app.tenant_id';
context user integer = 'app.user_id';
role auditor;

-- Order has db_table = 'shop_custom_orders': the catalog maps the model there.
model Order {
    tenant customer_id;
    allow select using (status = 'paid' and total > 10.5 and "CreatedBy" = $user);
    allow insert, update, delete
        using ("model" = 'x' and metadata is not null
               and id <> '6f1c3a0e-2b1d-4a53-9a7e-0c1f3e5d7a91' and 'gift' = any (labels));
    allow select to auditor using (placed_at > '2024-01-01' and client_ip is not null);
}

model OrderLine {
    allow all using (item_sku like 'A%' and count > 0
                     and order_id in (select id from shop_custom_orders where status = 'open'));
}
EOF
if "$RLSC" check --catalog "$W/django.rls" "$W/ok.rls" >"$W/out" 2>&1 &&
        ! grep -q 'error' "$W/out"; then
    tap_ok "rlsc check --catalog django.rls: model Order is table shop_custom_orders"
else
    tap_not_ok "rlsc check --catalog django.rls: model Order is table shop_custom_orders" "$W/out"
fi

cat >"$W/missing.rls" <<'EOF'
app shop;
model Order {
    allow select using (status = 'paid' and shipping_country = 'NL');
}
EOF
"$RLSC" check --catalog "$W/django.rls" "$W/missing.rls" >"$W/out" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -q "missing.rls:3:45: error: column 'shipping_country' does not exist in table 'shop_custom_orders'" "$W/out"; then
    tap_ok "rlsc check --catalog django.rls rejects a column Order does not have"
else
    echo "# exit status $rc" >>"$W/out"
    tap_not_ok "rlsc check --catalog django.rls rejects a column Order does not have" "$W/out"
fi

cat >"$W/types.rls" <<'EOF'
app shop;
model OrderLine {
    allow select using (order_id = tag_id);
}
EOF
"$RLSC" check --catalog "$W/django.rls" "$W/types.rls" >"$W/out" 2>&1
rc=$?
if [ "$rc" = 1 ] && grep -q "types.rls:3:.*error:" "$W/out"; then
    tap_ok "rlsc check --catalog django.rls types columns: uuid = integer is an error"
else
    echo "# exit status $rc" >>"$W/out"
    tap_not_ok "rlsc check --catalog django.rls types columns: uuid = integer is an error" "$W/out"
fi

tap_plan
