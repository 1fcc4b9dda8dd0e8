#!/usr/bin/env bash
# bench/run.sh — the run-time benchmark of compiled policies, in one command.
#
#   bench/run.sh [-o RESULTS.md] [path/to/rlsc]        (default ./_build/rlsc)
#   QUICK=1 bench/run.sh ...                           (~4 min: 200k rows, 1 repetition)
#
# Starts a throwaway PostgreSQL (removed on every exit path), builds the
# dataset (bench/schema.sql, bench/invoices.sql: Django 3.2's auth tables,
# tenants, projects, memberships, and one 1M-row invoices table per pattern
# and variant), compiles bench/policies/<pattern>.rls with the rlsc under
# test against `rlsc catalog --db` of that database, applies the
# hand-written policies (bench/handwritten/<pattern>.sql), checks that every variant
# returns the same rows for a sample of contexts, then times with pgbench
# every pattern x request shape x connection mode for the three variants:
#
#   compiled   the rlsc policies, as role bench_app (no BYPASSRLS, tables FORCEd)
#   limit      the same query with the explicit WHERE the policy implies,
#              on an identical copy without row-level security
#   hand       the hand-written policies, as bench_app, on an identical copy
#
# Every transaction is what a Django view with the rlsc middleware sends:
# BEGIN; set_config(...) of both contexts; one statement; COMMIT (the limit
# too, so the ratio is the policies' cost alone).  Each cell is one pgbench
# run of the three variants' scripts, one chosen at random for each
# transaction; repetitions are interleaved (every repetition runs every
# cell); the table reports medians.  Then bench/scale.sh times `rlsc sql` on 1k, 10k and 50k
# tables x 5 rules.  The results (markdown) go to RESULTS.md, default
# bench/out/results-<time>.md, with the artifacts (catalog, compiled SQL,
# pgbench scripts, raw figures, EXPLAIN ANALYZE of every shape) in
# RESULTS.md's name without .md, plus "-files/".
#
# Environment: QUICK=1; PG_BINDIR (default /usr/lib/postgresql/15/bin, else
# the newest installed); BENCH_ROWS, BENCH_REPS, BENCH_SECONDS and
# BENCH_SECONDS_NEW (per pgbench run, persistent and new connections),
# BENCH_NICE (below), BENCH_PGCONF (lines added to postgresql.conf), BENCH_PATTERNS, BENCH_SHAPES, BENCH_MODES, BENCH_SIZES (compile
# benchmark; "none" skips it), PG_KEEP=1 keeps the data directory.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(dirname "$here")

usage() {
    sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

results=
while [ $# -gt 0 ]; do
    case $1 in
        -o|--out) [ $# -ge 2 ] || usage; results=$2; shift 2 ;;
        -h|--help) usage ;;
        -*) usage ;;
        *) break ;;
    esac
done
[ $# -le 1 ] || usage
rlsc=${1:-$src/_build/rlsc}
case $rlsc in /*) ;; *) rlsc=$PWD/$rlsc ;; esac
[ -x "$rlsc" ] || { echo "bench/run.sh: $rlsc is not an executable (build first, or pass path/to/rlsc)" >&2; exit 2; }

stamp=$(date -u +%Y%m%d-%H%M%S)
[ -n "$results" ] || results=$here/out/results-$stamp.md
case $results in /*) ;; *) results=$PWD/$results ;; esac
art=${results%.md}-files
mkdir -p "$(dirname "$results")" "$art"

# ---- sizes
TENANTS=100          # tenants
UPT=10               # users per tenant (the last one inactive)
PPT=10               # projects per tenant
if [ "${QUICK:-0}" = 1 ]; then
    ROWS=${BENCH_ROWS:-200000}; REPS=${BENCH_REPS:-1}; SECS=${BENCH_SECONDS:-1}; SECS_NEW=${BENCH_SECONDS_NEW:-1}
    SIZES=${BENCH_SIZES:-1000 10000}; SHARED_BUFFERS=1GB
else
    ROWS=${BENCH_ROWS:-1000000}; REPS=${BENCH_REPS:-5}; SECS=${BENCH_SECONDS:-1}; SECS_NEW=${BENCH_SECONDS_NEW:-1}
    SIZES=${BENCH_SIZES:-1000 10000 50000}; SHARED_BUFFERS=4GB
fi
PATTERNS=${BENCH_PATTERNS:-tenant owner member grant grantdb path deny}
SHAPES=${BENCH_SHAPES:-point agg insert update}
MODES=${BENCH_MODES:-persistent new}
VARIANTS="compiled limit hand"
[ $((ROWS % TENANTS)) = 0 ] || { echo "bench/run.sh: BENCH_ROWS must be a multiple of $TENANTS" >&2; exit 2; }
PER_TENANT=$((ROWS / TENANTS))

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 1; }

# ---- the throwaway server (the approach of tests/pg/pgenv.sh)
if [ -z "${PG_BINDIR:-}" ] || [ ! -x "$PG_BINDIR/initdb" ]; then
    PG_BINDIR=
    if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
        PG_BINDIR=/usr/lib/postgresql/15/bin
    else
        for d in /usr/lib/postgresql/*/bin; do
            [ -x "$d/initdb" ] && PG_BINDIR=$d
        done
    fi
fi
[ -n "$PG_BINDIR" ] || die "no PostgreSQL server binaries (set PG_BINDIR)"
for b in initdb pg_ctl postgres psql pgbench; do
    [ -x "$PG_BINDIR/$b" ] || die "$PG_BINDIR/$b is missing"
done
PSQL=$PG_BINDIR/psql
PGBENCH=$PG_BINDIR/pgbench

# BENCH_NICE=-10 runs the server and pgbench at that niceness (root only
# for negative values): on a machine shared with other work it keeps the
# benchmark's two processes from waiting for a core.
NICE=()
if [ -n "${BENCH_NICE:-}" ]; then
    NICE=(nice -n "$BENCH_NICE")
fi

PGTMP=
PG_STARTED=
BG_PIDS=()

server() {   # a server binary, as the owner of the cluster
    if [ "$(id -u)" = 0 ]; then
        (cd "$PGTMP" && "${NICE[@]}" runuser -u postgres -- "$@")
    else
        (cd "$PGTMP" && "${NICE[@]}" "$@")
    fi
}

cleanup() {
    local rc=$? pid
    trap - EXIT INT TERM HUP
    for pid in "${BG_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    if [ -n "$PG_STARTED" ]; then
        server "$PG_BINDIR/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [ -n "$PGTMP" ] && [ -d "$PGTMP" ]; then
        if [ "${PG_KEEP:-}" = 1 ]; then
            echo "bench/run.sh: PG_KEEP=1: kept $PGTMP" >&2
        else
            rm -rf "$PGTMP"
        fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/rlsc-bench.XXXXXX")
[ "$(id -u)" != 0 ] || chown postgres: "$PGTMP"
chmod 700 "$PGTMP"
PGSOCK=$PGTMP
PGPORT=$((20000 + $$ % 30000))

log "initdb in $PGTMP"
server "$PG_BINDIR/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C -N \
    >"$art/initdb.log" 2>&1 || { cat "$art/initdb.log" >&2; die "initdb failed"; }
cat >>"$PGTMP/data/postgresql.conf" <<EOF
# rlsc benchmark server: unix socket only, everything in memory, no
# durability (commits do not wait for the disk: the figures are CPU costs)
listen_addresses = ''
unix_socket_directories = '$PGSOCK'
port = $PGPORT
max_connections = 20
shared_buffers = $SHARED_BUFFERS
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 8GB
checkpoint_timeout = 1h
jit = off
shared_preload_libraries = ''
${BENCH_PGCONF:-}
EOF
server "$PG_BINDIR/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 120 start \
    >"$art/pg_ctl.log" 2>&1 || { tail -n 30 "$PGTMP/server.log" >&2 || true; die "the server did not start"; }
PG_STARTED=1

psql_as() {   # psql_as ROLE [psql args...]
    local role=$1
    shift
    "$PSQL" -X -q -h "$PGSOCK" -p "$PGPORT" -U "$role" -d bench -v ON_ERROR_STOP=1 "$@"
}

# ---- dataset
t0=$(date +%s)
"$PSQL" -X -q -h "$PGSOCK" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c 'CREATE DATABASE bench' \
    -c 'CREATE ROLE bench_app LOGIN'
psql_as postgres -c 'CREATE EXTENSION pg_prewarm'
log "dataset: $TENANTS tenants, $ROWS invoices per table, auth tables"
psql_as postgres -v tenants=$TENANTS -v rows="$ROWS" -v upt=$UPT -v ppt=$PPT -f "$here/schema.sql"
psql_as postgres -c 'GRANT SELECT ON bench_tenant, bench_project, bench_membership TO bench_app'

tables=()
for p in $PATTERNS; do
    [ "$p" = grantdb ] && continue   # grant's tables
    tables+=("bench_inv$p" "bench_lim_$p" "bench_hand_$p")
done
# two loaders at a time (2 cores)
load_table() {
    psql_as postgres -v tbl="$1" -f "$here/invoices.sql" >"$art/load-$1.log" 2>&1 \
        || { cat "$art/load-$1.log" >&2; return 1; }
}
i=0
while [ $i -lt ${#tables[@]} ]; do
    BG_PIDS=()
    load_table "${tables[$i]}" & BG_PIDS+=($!)
    if [ $((i + 1)) -lt ${#tables[@]} ]; then
        load_table "${tables[$((i + 1))]}" & BG_PIDS+=($!)
    fi
    for pid in "${BG_PIDS[@]}"; do
        wait "$pid" || die "loading an invoices table failed"
    done
    BG_PIDS=()
    i=$((i + 2))
done
psql_as postgres -c 'DROP TABLE bench_seed' -c 'VACUUM ANALYZE'
log "dataset built in $(( $(date +%s) - t0 )) s: $(psql_as postgres -Atc "SELECT pg_size_pretty(pg_database_size('bench'))")"

# ---- the policies: compiled by the rlsc under test, and hand-written
conninfo="host=$PGSOCK port=$PGPORT dbname=bench user=postgres"
"$rlsc" catalog --db "$conninfo" >"$art/catalog.rls" 2>"$art/catalog.err" \
    || { cat "$art/catalog.err" >&2; die "rlsc catalog --db failed"; }
mkdir -p "$art/sql"
for p in $PATTERNS; do
    [ "$p" = grantdb ] && continue
    if ! "$rlsc" sql --catalog "$art/catalog.rls" "$here/policies/$p.rls" \
            >"$art/sql/$p.sql" 2>"$art/sql/$p.err"; then
        cat "$art/sql/$p.err" >&2
        die "rlsc sql failed on bench/policies/$p.rls"
    fi
    if [ -s "$art/sql/$p.err" ]; then
        log "rlsc sql $p.rls said:"; sed 's/^/    /' "$art/sql/$p.err" >&2
    fi
    psql_as postgres -f "$art/sql/$p.sql" >/dev/null
done
for p in $PATTERNS; do
    [ "$p" = grantdb ] && continue
    psql_as postgres -c 'SET client_min_messages = warning' -f "$here/handwritten/$p.sql" >/dev/null
done
psql_as postgres -c 'VACUUM ANALYZE' -c "SELECT count(pg_prewarm(c.oid)) FROM pg_class c
    WHERE c.relkind IN ('r', 'i') AND c.relnamespace = 'public'::regnamespace" >/dev/null

# ---- what each pattern means: the contexts a transaction sets and the
# explicit WHERE of the limit.  pgbench variables: t tenant, u user,
# id an invoice of t, p a project of t.
user_pick() {   # j: which user of tenant t the pattern acts as
    case $1 in
        owner) echo 0 ;;                          # the owner of the tenant's invoices
        grant|grantdb) echo "random(0, $((UPT - 2)))" ;;  # active users, who hold the permissions
        *) echo "random(0, $((UPT - 1)))" ;;
    esac
}
limit_where() {
    case $1 in
        tenant|grant|grantdb) echo "tenant_id = :t" ;;
        owner) echo "owner_id = :u" ;;
        member) echo "tenant_id IN (SELECT tenant_id FROM bench_membership WHERE user_id = :u)" ;;
        path) echo "project_id IN (SELECT id FROM bench_project WHERE tenant_id = :t)" ;;
        deny) echo "tenant_id = :t AND status <> 'void'" ;;
    esac
}
table_of() {   # table_of PATTERN VARIANT
    local p=$1
    [ "$p" = grantdb ] && p=grant   # the same tables, without the runtime's decisions
    case $2 in
        hand) echo "bench_hand_$p" ;;
        limit) echo "bench_lim_$p" ;;
        *) echo "bench_inv$p" ;;
    esac
}
# The permission decisions the Django runtime hands over with $user
# (RLSC_PERMISSIONS = 'django'): user.has_perm() of each permission the
# .rls files grant.  The users grant picks hold all four.
GRANT_PERMS='{"+bench.view_invgrant","+bench.add_invgrant","+bench.change_invgrant","+bench.delete_invgrant"}'
set_contexts() {   # set_contexts PATTERN TENANT USER -> the middleware's SELECT set_config(...)
    local sql="SELECT set_config('app.tenant_id', $2, true), set_config('app.user_id', $3, true)"
    if [ "$1" = grant ]; then
        sql+=", set_config('rlsc.perms_user', $3, true), set_config('rlsc.perms', '$GRANT_PERMS', true)"
    fi
    echo "$sql"
}
role_of() {   # every variant runs as the application's role
    echo bench_app
}
statement() {   # statement PATTERN SHAPE VARIANT
    local tbl where=
    tbl=$(table_of "$1" "$3")
    if [ "$3" = limit ]; then where=$(limit_where "$1"); fi
    case $2 in
        point) echo "SELECT * FROM $tbl WHERE id = :id${where:+ AND $where};" ;;
        agg) echo "SELECT count(*), sum(amount) FROM $tbl${where:+ WHERE $where};" ;;
        insert) echo "INSERT INTO $tbl (tenant_id, owner_id, project_id, number, status, amount, created_at) VALUES (:t, :u, :p, 'INV-NEW', 'draft', 10.00, now()) RETURNING id;" ;;
        update) echo "UPDATE $tbl SET amount = amount + 0.01 WHERE id = :id${where:+ AND $where};" ;;
    esac
}

mkdir -p "$art/scripts"
for p in $PATTERNS; do
    for s in $SHAPES; do
        for v in $VARIANTS; do
            cat >"$art/scripts/$p.$s.$v.sql" <<EOF
\\set t random(1, $TENANTS)
\\set j $(user_pick "$p")
\\set u (:t - 1) * $UPT + :j + 1
\\set id :t + $TENANTS * random(0, $((PER_TENANT - 1)))
\\set p (:t - 1) * $PPT + random(1, $PPT)
BEGIN;
$(set_contexts "$p" "CAST(:t AS text)" "CAST(:u AS text)");
$(statement "$p" "$s" "$v")
COMMIT;
EOF
        done
    done
done

# ---- sanity: for a sample of contexts every variant returns the same rows
# (count and sum) as the limit; writes go where the context says; the
# compiled policies admit nothing without contexts, or for a user who lacks
# the permission.  A benchmark of a wrong policy is worthless.
log "sanity checks"
sample_sql() {   # sample_sql VARIANT -> lines key|count|sum
    local p v=$1 t j u tbl where q
    for p in $PATTERNS; do
        tbl=$(table_of "$p" "$v")
        for t in 1 2 17 50 $TENANTS; do
            for j in 0 $((UPT - 2)); do
                if [ "$p" = owner ] && [ "$j" != 0 ]; then continue; fi
                u=$(( (t - 1) * UPT + j + 1 ))
                where=
                if [ "$v" = limit ]; then
                    where=$(limit_where "$p" | sed -e "s/:t/$t/g" -e "s/:u/$u/g")
                fi
                q="SELECT '$p|$t|$u', count(*), coalesce(sum(amount), 0) FROM $tbl${where:+ WHERE $where}"
                printf "BEGIN;\n%s \\\\g /dev/null\n%s;\n" "$(set_contexts "$p" "'$t'" "'$u'")" "$q"
                # one point key of the transaction's formula (k = 1: not void)
                printf "SELECT '%s|%s|%s|point', count(*) FROM %s WHERE id = %s%s;\nCOMMIT;\n" \
                    "$p" "$t" "$u" "$tbl" "$((t + TENANTS))" "${where:+ AND $where}"
            done
        done
    done
}
for v in $VARIANTS; do
    sample_sql "$v" >"$art/sanity-$v.sql"
    psql_as "$(role_of "$v")" -At -F '|' -f "$art/sanity-$v.sql" >"$art/sanity-$v.out"
done
if ! diff -u "$art/sanity-limit.out" "$art/sanity-compiled.out" >"$art/sanity-compiled.diff"; then
    cat "$art/sanity-compiled.diff" >&2
    die "SANITY: the compiled policies do not return the rows of the limit query (above: - limit, + compiled)"
fi
if ! diff -u "$art/sanity-limit.out" "$art/sanity-hand.out" >"$art/sanity-hand.diff"; then
    cat "$art/sanity-hand.diff" >&2
    die "SANITY: the hand-written policies do not return the rows of the limit query (above: - limit, + hand)"
fi
awk -F '|' -v per="$PER_TENANT" '
    $4 != "point" && $4 + 0 != per && $4 + 0 != per - per / 20 { bad = 1; print "unexpected count: " $0 > "/dev/stderr" }
    $4 == "point" && $5 != 1 { bad = 1; print "point key not visible: " $0 > "/dev/stderr" }
    END { exit bad }' "$art/sanity-compiled.out" || die "SANITY: unexpected row counts (see $art/sanity-compiled.out)"

# negative checks and writes, compiled and hand-written, rolled back
neg_expect=()
neg_sql=
neg() {   # neg DESCRIPTION EXPECTED SQL
    neg_expect+=("$1|$2")
    neg_sql+="BEGIN;"$'\n'"$3"$'\n'"ROLLBACK;"$'\n'
}
ctx() {   # ctx TENANT USER [PATTERN]: grant also gets the runtime's decisions
    printf "SET LOCAL app.tenant_id = '%s'; SET LOCAL app.user_id = '%s'; " "$1" "$2"
    if [ "${3:-}" = grant ]; then
        printf "SET LOCAL rlsc.perms_user = '%s'; SET LOCAL rlsc.perms = '%s'; " "$2" "$GRANT_PERMS"
    fi
}
for p in $PATTERNS; do
    [ "$p" = grantdb ] && continue
    tbl=bench_inv$p
    neg "$p: no context admits nothing" 0 "SELECT count(*) FROM $tbl;"
    u=$(( (3 - 1) * UPT + 1 ))
    neg "$p: update of an own row" 1 "$(ctx 3 $u)WITH w AS (UPDATE $tbl SET amount = amount WHERE id = $((3 + TENANTS)) RETURNING 1) SELECT count(*) FROM w;"
    neg "$p: update of another tenant's row" 0 "$(ctx 3 $u)WITH w AS (UPDATE $tbl SET amount = amount WHERE id = $((4 + TENANTS)) RETURNING 1) SELECT count(*) FROM w;"
    neg "$p: insert of an own row" 1 "$(ctx 3 $u)WITH w AS (INSERT INTO $tbl (tenant_id, owner_id, project_id, number, status, amount, created_at) VALUES (3, $u, $((2 * PPT + 1)), 'X', 'draft', 1, now()) RETURNING 1) SELECT count(*) FROM w;"
done
for p in $PATTERNS; do
    if [ "$p" = grant ]; then
        for v in inv hand_; do
            neg "grant ($v): inactive user" 0 "$(ctx 3 $((3 * UPT)))SELECT count(*) FROM bench_${v}grant;"
            neg "grant ($v): active superuser" "$PER_TENANT" "$(ctx 3 $((TENANTS * UPT + 1)))SELECT count(*) FROM bench_${v}grant;"
            neg "grant ($v): inactive superuser" 0 "$(ctx 3 $((TENANTS * UPT + 2)))SELECT count(*) FROM bench_${v}grant;"
            neg "grant ($v): a user without the permission" 0 "$(ctx 3 $((TENANTS * UPT + 3)))SELECT count(*) FROM bench_${v}grant;"
        done
        neg "grant: the runtime's decisions for the user" "$PER_TENANT" "$(ctx 3 $((2 * UPT + 1)) grant)SELECT count(*) FROM bench_invgrant;"
        neg "grant: the runtime's decisions for another user" 0 "$(ctx 3 $((TENANTS * UPT + 3))) SET LOCAL rlsc.perms_user = '$((2 * UPT + 1))'; SET LOCAL rlsc.perms = '$GRANT_PERMS'; SELECT count(*) FROM bench_invgrant;"
        neg "grant: the runtime's refusal" 0 "$(ctx 3 $((2 * UPT + 1))) SET LOCAL rlsc.perms_user = '$((2 * UPT + 1))'; SET LOCAL rlsc.perms = '{\"-bench.view_invgrant\"}'; SELECT count(*) FROM bench_invgrant;"
    fi
    if [ "$p" = deny ]; then
        neg "deny: update of a void row" 0 "$(ctx 3 21)WITH w AS (UPDATE bench_invdeny SET amount = amount WHERE id = $((3 + 19 * TENANTS)) RETURNING 1) SELECT count(*) FROM w;"
    fi
done
printf '%s' "$neg_sql" | psql_as bench_app -At >"$art/sanity-writes.out" 2>&1 \
    || { cat "$art/sanity-writes.out" >&2; die "SANITY: a write check failed"; }
mapfile -t neg_got <"$art/sanity-writes.out"
[ ${#neg_got[@]} = ${#neg_expect[@]} ] || { cat "$art/sanity-writes.out" >&2; die "SANITY: write checks gave ${#neg_got[@]} answers for ${#neg_expect[@]}"; }
for i in "${!neg_expect[@]}"; do
    want=${neg_expect[$i]##*|}
    [ "${neg_got[$i]}" = "$want" ] || die "SANITY: ${neg_expect[$i]%|*}: $want rows expected, got ${neg_got[$i]}"
done
log "sanity: ok (${#neg_expect[@]} write and negative checks, $(wc -l <"$art/sanity-compiled.out") sample queries per variant)"

# ---- EXPLAIN (ANALYZE, BUFFERS) of every shape, for the diagnosis: each
# statement in a session of its own: "cold", the session's first statement
# (as with a new connection per transaction), then, after six more
# executions, "warm" (as on a persistent connection, where plpgsql's plan
# cache has settled on its plans).  Writes are rolled back.
: >"$art/explain.txt"
for p in $PATTERNS; do
    for s in $SHAPES; do
        for v in $VARIANTS; do
            stmt=$(statement "$p" "$s" "$v" | sed -e "s/:t/7/g" -e "s/:u/$((6 * UPT + 1))/g" \
                -e "s/:id/$((7 + 5 * TENANTS))/g" -e "s/:p/$((6 * PPT + 1))/g")
            for run in cold 2 3 4 5 6 7 warm; do
                case $run in
                    cold|warm) printf "\\\\o\n\\\\echo '-- %s %s %s: %s'\n" "$p" "$s" "$v" "$run" ;;
                    *) printf '\\o /dev/null\n' ;;
                esac
                printf -- "BEGIN;\n%sEXPLAIN (ANALYZE, BUFFERS) %s\nROLLBACK;\n" \
                    "$(ctx 7 $((6 * UPT + 1)) "$p")" "$stmt"
            done >"$art/explain-$p.$s.$v.sql"
            psql_as "$(role_of "$v")" -f "$art/explain-$p.$s.$v.sql" >>"$art/explain.txt" 2>&1
        done
    done
done

# ---- timing
runs=$art/runs.tsv
printf 'rep\tmode\tpattern\tshape\tvariant\tmedian_ms\tp10_ms\ttps\tconnect_ms\n' >"$runs"
ncells=0
for m in $MODES; do for p in $PATTERNS; do for s in $SHAPES; do ncells=$((ncells + 1)); done; done; done
log "timing: $REPS repetitions x $ncells cells x 3 variants x ${SECS}s/${SECS_NEW}s (persistent/new connections)"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
pgb() {   # pgb MODE PATTERN SHAPE -> lines "variant median-ms p10-ms tps connect-ms"
    # One pgbench run per cell with the three variants' scripts, pgbench
    # choosing one at random for each transaction: the variants are
    # interleaved transaction by transaction, so whatever else the machine
    # does at that moment weighs on the three alike.
    local conn=() outf=$art/pgbench.out secs=$SECS tps connms v i=0
    if [ "$1" = new ]; then conn=(-C); secs=$SECS_NEW; fi
    rm -f "$art/pgbench.log".*
    if ! "${NICE[@]}" "$PGBENCH" -n -h "$PGSOCK" -p "$PGPORT" -U bench_app -c 1 -j 1 "${conn[@]}" \
            -T $((3 * secs)) -l --log-prefix="$art/pgbench.log" \
            -f "$art/scripts/$2.$3.compiled.sql" -f "$art/scripts/$2.$3.limit.sql" \
            -f "$art/scripts/$2.$3.hand.sql" bench >"$outf" 2>&1; then
        cat "$outf" >&2
        die "pgbench failed on $2.$3"
    fi
    if grep -q 'aborted\|^number of failed transactions: [1-9]' "$outf"; then
        cat "$outf" >&2
        die "pgbench: failed transactions in $2.$3"
    fi
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$outf" | head -n 1)
    connms=$(sed -n 's/^average connection time = \([0-9.]*\).*/\1/p' "$outf" | head -n 1)
    # per variant (the log's 4th field is the script's number): the median
    # of its transactions' latencies (microseconds in the log), robust
    # against the moments another process takes the core, and the 10th
    # percentile, the cost with the least interference.  With -C the
    # latency excludes establishing the connection (reported apart), not
    # the new backend's first statements.
    for v in $VARIANTS; do
        awk -v n="$i" '$4 == n { print $3 }' "$art/pgbench.log".* | sort -n | awk -v v="$v" -v t="$tps" -v c="${connms:--}" '
            { a[NR] = $1 }
            END {
                if (NR == 0) { printf "%s NA NA %s %s\n", v, t, c; exit }
                printf "%s %.4f %.4f %s %s\n", v, (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) / 1000,
                    a[int((NR - 1) / 10) + 1] / 1000, t, c
            }'
        i=$((i + 1))
    done
}
# warm-up: every script once for a moment (plans, caches, the first has_perm)
for p in $PATTERNS; do for s in $SHAPES; do for v in $VARIANTS; do
    "${NICE[@]}" "$PGBENCH" -n -h "$PGSOCK" -p "$PGPORT" -U "$(role_of "$v")" -c 1 -t 3 \
        -f "$art/scripts/$p.$s.$v.sql" bench >/dev/null 2>&1 \
        || die "pgbench warm-up failed: $p.$s.$v"
done; done; done
t_timing=$(date +%s)
for rep in $(seq 1 "$REPS"); do
    for m in $MODES; do
        for p in $PATTERNS; do
            for s in $SHAPES; do
                res=$(pgb "$m" "$p" "$s")
                while read -r v lat p10 tps connms; do
                    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$m" "$p" "$s" "$v" "$lat" "$p10" "$tps" "$connms" >>"$runs"
                done <<<"$res"
            done
        done
    done
    log "repetition $rep/$REPS done"
done
timing_secs=$(( $(date +%s) - t_timing ))
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- compile benchmark
scale_md=
if [ "$SIZES" != none ]; then
    log "compile benchmark: rlsc sql on $SIZES tables x 5 rules"
    # shellcheck disable=SC2086 # SIZES is a list of numbers
    "$here/scale.sh" "$rlsc" $SIZES >"$art/scale.txt"
    scale_md=$(awk 'NR > 1 { printf "| %d | %d | %.1f MB | %s | %d MB |\n", $1, $2, $3 / 1048576, $4, $5 / 1024 }' "$art/scale.txt")
fi

# ---- the table
commit=$(git -C "$(dirname "$rlsc")" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && ! git -C "$(dirname "$rlsc")" diff --quiet HEAD 2>/dev/null; then
    commit="$commit (with uncommitted changes)"
fi
branch=$(git -C "$(dirname "$rlsc")" rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
ram=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
pgver=$(psql_as postgres -Atc 'SELECT version()')

table=$(LC_ALL=C awk -F '\t' -v modes="$MODES" -v patterns="$PATTERNS" -v shapes="$SHAPES" '
    function median(a, n,   i, j, x, k, b) {
        k = 0; for (i = 1; i <= n; i++) if (a[i] != "NA") b[++k] = a[i] + 0
        n = k; for (i = 1; i <= n; i++) a[i] = b[i]
        if (n == 0) return 0
        for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function fmt(x) { return x >= 100 ? sprintf("%.0f", x) : x >= 10 ? sprintf("%.1f", x) : x >= 1 ? sprintf("%.2f", x) : sprintf("%.3f", x) }
    NR > 1 { lat[$2, $3, $4, $5, $1] = $6; p10[$2, $3, $4, $5, $1] = $7; if ($1 > reps) reps = $1; if ($9 != "-") { conn[++nc] = $9 } }
    END {
        pname["tenant"] = "tenant"; pname["owner"] = "owner"; pname["member"] = "membership"
        pname["grant"] = "tenant + grant view"; pname["grantdb"] = "tenant + grant view, database path"; pname["path"] = "tenant via FK path"; pname["deny"] = "tenant + deny"
        sname["point"] = "point lookup"; sname["agg"] = "10k-row aggregate"; sname["insert"] = "insert"; sname["update"] = "update"
        mname["persistent"] = "persistent"; mname["new"] = "new per txn"
        print "| pattern | shape | connection | compiled ms | limit ms | hand-written ms | compiled÷limit (range) | hand÷compiled | target | at p10: compiled÷limit, hand÷compiled |"
        print "|---|---|---|---:|---:|---:|---:|---:|---|---|"
        nm = split(modes, M, " "); np = split(patterns, P, " "); ns = split(shapes, S, " ")
        for (a = 1; a <= np; a++) for (b = 1; b <= ns; b++) for (c = 1; c <= nm; c++) {
            p = P[a]; s = S[b]; m = M[c]
            for (r = 1; r <= reps; r++) {
                C[r] = lat[m, p, s, "compiled", r]; L[r] = lat[m, p, s, "limit", r]; H[r] = lat[m, p, s, "hand", r]
                R[r] = (L[r] != "NA" && C[r] != "NA" && L[r] > 0) ? C[r] / L[r] : "NA"
                C10[r] = p10[m, p, s, "compiled", r]; L10[r] = p10[m, p, s, "limit", r]; H10[r] = p10[m, p, s, "hand", r]
            }
            c10 = median(C10, reps); l10 = median(L10, reps); h10 = median(H10, reps)
            lo = 1e9; hi = 0; for (r = 1; r <= reps; r++) if (R[r] != "NA") { if (R[r] + 0 < lo) lo = R[r] + 0; if (R[r] + 0 > hi) hi = R[r] + 0 }
            cm = median(C, reps); lm = median(L, reps); hm = median(H, reps)
            ratio = lm > 0 ? cm / lm : 0; hratio = cm > 0 ? hm / cm : 0
            bound = lm > 1 ? 1.05 : 1.10
            verdict = ratio <= bound ? "ok" : sprintf("**miss**: %.2f× > %.2f×", ratio, bound)
            if (s == "agg" && (p == "grant" || p == "member"))
                verdict = verdict "; " (hratio >= 10 ? "hand ≥ 10×: ok" : sprintf("**miss**: hand only %.1f×", hratio))
            printf "| %s | %s | %s | %s | %s | %s | %.2f× (%.2f–%.2f) | %.2f× | %s | %.2f×, %.2f× |\n", pname[p], sname[s], mname[m], fmt(cm), fmt(lm), fmt(hm), ratio, lo, hi, hratio, verdict, (l10 > 0 ? c10 / l10 : 0), (c10 > 0 ? h10 / c10 : 0)
        }
        if (nc) printf "\nnew per txn: establishing each connection took %.1f ms (median of the runs; not in the figures above)\n", median(conn, nc)
    }' "$runs")

{
    echo "# rlsc run-time benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| machine | $cpu, $(nproc) cores, $ram RAM |"
    echo "| PostgreSQL | $pgver |"
    echo "| server settings | shared_buffers=$SHARED_BUFFERS, fsync=off, synchronous_commit=off, jit=off${BENCH_PGCONF:+, $BENCH_PGCONF}; otherwise defaults |"
    echo "| rlsc | $("$rlsc" --version 2>/dev/null | head -n 1), commit $commit ($branch), $rlsc |"
    echo "| dataset | $TENANTS tenants, $ROWS invoices per table ($PER_TENANT per tenant), $((TENANTS * UPT + 1002)) users, $((TENANTS * PPT)) projects |"
    echo "| method | per cell one pgbench -c 1 -j 1 -T $((3 * SECS)) run (-C -T $((3 * SECS_NEW))) of the three variants' scripts, one chosen at random per transaction${NICE[*]:+, under ${NICE[*]}}; $REPS interleaved repetitions; ms: median over the repetitions of each run's median transaction latency (p10: of each run's 10th percentile) |"
    echo "| load average | $load_start at the start of the timing, $load_end at the end |"
    echo "| timing wall time | $((timing_secs / 60)) min $((timing_secs % 60)) s |"
    echo
    echo "Every transaction: \`BEGIN; SELECT set_config('app.tenant_id', ..., true), set_config('app.user_id', ..., true); <statement>; COMMIT\`;"
    echo "for grant the same SELECT also sets the runtime's decisions (\`rlsc.perms_user\`, \`rlsc.perms\`), as the Django runtime does; grantdb is grant's tables without them (rlsc.has_perm decides: psql, other clients)."
    echo "compiled: rlsc's policies (bench/policies/); limit: the explicit WHERE, on an identical copy without RLS;"
    echo "hand-written: bench/handwritten/ on an identical copy. compiled÷limit is a time ratio (range: per repetition);"
    echo "targets (issue 11): compiled ≤ 1.10× the limit (≤ 1.05× where the limit is above 1 ms); hand-written ≥ 10× slower on the grant and membership aggregates."
    echo
    echo "$table"
    if [ -n "$scale_md" ]; then
        echo
        echo "Compile time and peak memory of \`rlsc sql\` (bench/scale.sh: each table a model with a tenant, three rules and a verbatim policy):"
        echo
        echo "| tables | rules | input | seconds | peak RSS |"
        echo "|---:|---:|---:|---:|---:|"
        echo "$scale_md"
    fi
    echo
    echo "Artifacts: $art"
} >"$results"
cat "$results"
log "results written to $results"
