#!/bin/sh
# tests/agreement/run.sh — rlsc's type checker against PostgreSQL's (TAP).
#
# The promise (issue 3): no policy that rlsc accepts fails when PostgreSQL
# creates it.  For every condition of conditions.txt this test asks both:
#
#   rlsc        `rlsc check --catalog cat.rls` on the rule
#               `table T { allow select using (COND); }` — accepted when it
#               draws no error, rejected when it draws one; an exit status
#               other than 0/1 (usage error, crash) fails the condition;
#   PostgreSQL  `CREATE POLICY p ON T FOR SELECT USING (COND)`, the condition
#               as written, on a real database built from schema.sql (the
#               catalog file is `rlsc catalog` of that database);
#
# and, for every condition rlsc accepts, applies rlsc's own SQL (`rlsc sql`),
# which must succeed too.
#
# Verdicts: both agree -> ok.  rlsc accepts what PostgreSQL rejects -> not ok
# (the cardinal sin).  rlsc rejects what PostgreSQL accepts -> ok only when
# the condition's id is cited in STRICTER.md (a deliberate stricter rule),
# else not ok.
#
# Speed.  rlsc runs on batches: one policy file holds one rule per line, a
# diagnostic's line number names its condition, and the conditions without
# a diagnostic are checked again on their own until a batch passes clean
# (so no error that one rule's mistake masks goes unseen).  A batch that
# crashes, or fails without a located error, is split in halves down to the
# single condition responsible.  rlsc's SQL is applied a script per clean
# batch, and bisected only when it fails.  PostgreSQL's verdicts come from
# one psql session (and the SQL from one more, plus one per bisection
# level): one transaction, rolled back, and a subtransaction per statement
# (pg_temp.try).  The whole corpus takes seconds.
#
# Environment (from `make check`): RLSC, SRCDIR, PG_BINDIR (may be empty).
# AGREE_ONLY=REGEX restricts the run to the ids matching REGEX (awk ERE).
# PG_KEEP=1 keeps the work directory (case files, scripts, outputs).
set -u

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
RLSC=${RLSC:-rlsc}
HERE=$SRCDIR/tests/agreement
CORPUS=$HERE/conditions.txt
STRICTER=$HERE/STRICTER.md

. "$SRCDIR/tests/lib/tap.sh"
. "$SRCDIR/tests/pg/pgenv.sh"

for f in "$CORPUS" "$STRICTER" "$HERE/schema.sql"; do
    [ -r "$f" ] || tap_bail "cannot read $f"
done
pg_setup_or_skip
W=$PGWORK
export W
mkdir "$W/case" "$W/batch" || exit 1

# ---------------------------------------------------------------- corpus
# -> $W/corpus: N <TAB> ID <TAB> TABLE <TAB> EXPECT <TAB> CONDITION
# A condition must keep its quotes and parentheses balanced: a batch puts
# one per line, and an unbalanced one would swallow its neighbours.
if ! awk -v only="${AGREE_ONLY:-}" '
    function balanced(s,    i, c, q, depth) {
        q = 0; depth = 0
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "\x27") q = !q
            else if (!q && c == "(") depth++
            else if (!q && c == ")" && --depth < 0) return 0
        }
        return !q && depth == 0
    }
    BEGIN { bad = 0; n = 0 }
    /^[ \t]*(#|$)/ { next }
    {
        line = $0
        sub(/^[ \t]+/, "", line)
        nf = 0
        for (i = 1; i <= 3; i++) {
            if (!match(line, /^[^ \t]+/)) break
            f[i] = substr(line, 1, RLENGTH)
            line = substr(line, RLENGTH + 1)
            sub(/^[ \t]+/, "", line)
            nf = i
        }
        sub(/[ \t]+$/, "", line)
        gsub(/\t/, " ", line)
        if (nf < 3 || line == "") {
            printf "corpus line %d: expected ID TABLE ok|no CONDITION\n", NR > "/dev/stderr"
            bad = 1; next
        }
        if (f[1] !~ /^[A-Za-z0-9][A-Za-z0-9._-]*$/) {
            printf "corpus line %d: bad id %s\n", NR, f[1] > "/dev/stderr"; bad = 1
        }
        if (f[2] !~ /^[a-z_][a-z0-9_]*$/) {
            printf "corpus line %d: bad table %s\n", NR, f[2] > "/dev/stderr"; bad = 1
        }
        if (f[3] != "ok" && f[3] != "no") {
            printf "corpus line %d: expectation must be ok or no, not %s\n", NR, f[3] > "/dev/stderr"
            bad = 1
        }
        if (index(line, "$agree$") || !balanced(line)) {
            printf "corpus line %d: unbalanced quotes or parentheses, or $agree$\n", NR > "/dev/stderr"
            bad = 1
        }
        if (f[1] in seen) {
            printf "corpus line %d: id %s also on line %d\n", NR, f[1], seen[f[1]] > "/dev/stderr"
            bad = 1
        }
        seen[f[1]] = NR
        key = f[2] " " line
        gsub(/[ ]+/, " ", key)
        if (key in same) {
            printf "corpus line %d: the condition of line %d again\n", NR, same[key] > "/dev/stderr"
            bad = 1
        }
        same[key] = NR
        print f[1] > (ENVIRON["W"] "/allids")
        if (only != "" && f[1] !~ only) next
        printf "%d\t%s\t%s\t%s\t%s\n", ++n, f[1], f[2], f[3], line
    }
    END { exit bad }' "$CORPUS" >"$W/corpus"; then
    tap_bail "$CORPUS is malformed (see above)"
fi
TOTAL=$(wc -l <"$W/corpus" | tr -d ' ')
[ "$TOTAL" != 0 ] || tap_skip_all "no condition selected"
tap_plan "$TOTAL"
tap_note "$("$PG_BINDIR/postgres" -V); $TOTAL conditions from tests/agreement/conditions.txt"

# ---------------------------------------------------------------- database
DB=agree
CONN="host=$PGSOCK port=$PGPORT user=postgres dbname=$DB"
if ! pg_createdb "$DB" >"$W/createdb.log" 2>&1 \
   || ! pg_psql -d "$DB" -q -v ON_ERROR_STOP=1 -f "$HERE/schema.sql" >"$W/schema.log" 2>&1; then
    tap_bail "cannot create the database from schema.sql" "$W/createdb.log" "$W/schema.log"
fi
"$RLSC" catalog --db "$CONN" >"$W/cat.rls" 2>"$W/catalog.err" ||
    tap_bail "rlsc catalog --db failed" "$W/catalog.err"

# ---------------------------------------------------------------- batches
# Contexts every case declares; PostgreSQL gets rlsc's read of each in
# place of $name (ctx_read: the SQL rlsc emits).
CTX_DECLS="context tenant bigint = 'app.tenant_id';
context user integer = 'app.user_id';
context region text = 'app.region';"
ctx_read()
{
    printf "(SELECT CAST(NULLIF(pg_catalog.current_setting('%s', true), '') AS %s))" "$1" "$2"
}

# make_batch LIST OUT: the policy file OUT for the case numbers in LIST
# (one per line), one rule per line; OUT.map maps its line numbers to
# cases.
make_batch()
{
    awk -v decls="$CTX_DECLS" -v out="$2" -F '\t' '
        FNR == NR { want[$1] = 1; next }
        ($1 in want) { n[$3]++; tab[$3, n[$3]] = $1; cond[$1] = $5
                       if (!($3 in seen)) { seen[$3] = 1; order[++nt] = $3 } }
        END {
            print "app agree;" > out
            ln = 1 + split(decls, d, "\n")
            print decls > out
            for (t = 1; t <= nt; t++) {
                print "table " order[t] " {" > out; ln++
                for (i = 1; i <= n[order[t]]; i++) {
                    c = tab[order[t], i]
                    print "    allow select using (" cond[c] ");" > out
                    print ++ln "\t" c > (out ".map")
                }
                print "}" > out; ln++
            }
        }' "$1" "$W/corpus"
}

# Every case on its own too, in case/N.rls, to reproduce it by hand
# (PG_KEEP=1): rlsc check --catalog cat.rls case/N.rls
awk -v decls="$CTX_DECLS" -v W="$W" -F '\t' '
    { f = W "/case/" $1 ".rls"
      printf "app agree;\n%s\ntable %s {\n    allow select using (%s);\n}\n", decls, $3, $5 > f
      close(f) }' "$W/corpus"

# split_list LIST: LIST.a and LIST.b, its halves.
split_list()
{
    _h=$(( ($(wc -l <"$1") + 1) / 2 ))
    head -n "$_h" "$1" >"$1.a"
    tail -n +"$((_h + 1))" "$1" >"$1.b"
}

# ---- rlsc check.  Results: case/N.verdict is accept, reject, or
# "fail WHY"; case/N.err holds rlsc's errors for the case.
B=0
CLEAN=          # the lists that passed clean: rules that go together
cut -f1 "$W/corpus" >"$W/batch/0.list"
QUEUE="$W/batch/0.list"
while [ -n "$QUEUE" ]; do
    set -- $QUEUE
    list=$1
    shift
    QUEUE=$*
    [ -s "$list" ] || continue
    B=$((B + 1))
    f=$W/batch/check$B.rls
    make_batch "$list" "$f"
    "$RLSC" check --catalog "$W/cat.rls" "$f" >/dev/null 2>"$f.err"
    rc=$?
    # errors on a rule's line belong to its case; the rest are unplaced
    awk -v W="$W" -v base="$f" -F '\t' '
        FNR == NR { at[$1] = $2; next }
        {
            line = $0
            if (index(line, base ":") != 1 || line !~ /^[^:]*:[0-9]+:[0-9]+: (error|fatal)/) next
            split(substr(line, length(base) + 2), p, ":")
            msg = line
            sub(/^[^:]*:[0-9]+:[0-9]+: /, "", msg)
            if (!(p[1] in at)) unplaced = 1
            else if (msg ~ /repeats an earlier one/) dup[at[p[1]]] = 1
            else { print at[p[1]] "\t" msg > (W "/batch/msgs"); placed[at[p[1]]] = 1 }
        }
        END {
            for (c in placed) print c > (W "/batch/placed")
            if (unplaced) print "unplaced" > (W "/batch/placed")
            for (c in dup) if (!(c in placed)) print c > (W "/batch/dups")
        }' "$f.map" "$f.err"
    touch "$W/batch/placed" "$W/batch/dups" "$W/batch/msgs"
    if [ "$rc" -gt 1 ] || grep -q unplaced "$W/batch/placed" \
       || { [ "$rc" = 1 ] && [ ! -s "$W/batch/placed" ] && [ ! -s "$W/batch/dups" ]; }; then
        # a crash, a usage error, or an error that names no rule: split
        if [ "$(wc -l <"$list")" -eq 1 ]; then
            why="rlsc check exited with status $rc"
            [ "$rc" = 1 ] && why="rlsc check reports an error that names no line of the rule"
            echo "fail $why" >"$W/case/$(cat "$list").verdict"
            sed 's/^/rlsc: /' "$f.err" >>"$W/case/$(cat "$list").err"
        else
            split_list "$list"
            QUEUE="$QUEUE $list.a $list.b"
        fi
        rm -f "$W/batch/placed" "$W/batch/dups" "$W/batch/msgs"
        continue
    fi
    while read -r c; do
        echo reject >"$W/case/$c.verdict"
    done <"$W/batch/placed"
    awk -v W="$W" -F '\t' '{ print $2 > (W "/case/" $1 ".err") }' "$W/batch/msgs"
    if [ "$rc" = 0 ]; then
        while read -r c; do
            echo accept >"$W/case/$c.verdict"
        done <"$list"
        CLEAN="$CLEAN $list"
    else
        # the others again, on their own: their errors may have been masked.
        # A rule that only repeats another one (the same canonical
        # condition) is no error of its own: it goes to a batch of its own.
        cat "$W/batch/placed" "$W/batch/dups" >"$W/batch/drop"
        grep -vxF -f "$W/batch/drop" "$list" >"$list.rest"
        cp "$W/batch/dups" "$list.dups"
        QUEUE="$QUEUE $list.rest $list.dups"
    fi
    rm -f "$W/batch/placed" "$W/batch/dups" "$W/batch/msgs"
done

# ---- PostgreSQL's verdicts: one session, a rolled-back subtransaction
# per condition.
TRY_FUNC=$(cat <<'EOF'
CREATE FUNCTION pg_temp.try(stmts text) RETURNS text LANGUAGE plpgsql AS $try$
BEGIN
    BEGIN
        EXECUTE stmts;
        RAISE EXCEPTION USING ERRCODE = 'RLSOK', MESSAGE = 'rolled back';
    EXCEPTION WHEN others THEN
        IF SQLSTATE = 'RLSOK' THEN
            RETURN 'ok';
        END IF;
        RETURN 'no ' || SQLSTATE || ' ' || translate(SQLERRM, E'\n\t', '  ');
    END;
END
$try$;
EOF
)

# run_psql SCRIPT OUT: a script of `SELECT tag, n, pg_temp.try(...)` lines,
# run in one transaction that is rolled back.  OUT: tag <TAB> n <TAB> result.
run_psql()
{
    { echo "BEGIN;"; echo "$TRY_FUNC"; cat "$1"; echo "ROLLBACK;"; } >"$1.full"
    if ! pg_psql -d "$DB" -q -A -t -F '	' -v ON_ERROR_STOP=1 -f "$1.full" \
            >"$2" 2>"$2.err"; then
        head -n 20 "$2.err" >"$2.err20"
        tap_bail "a PostgreSQL verdict script failed ($1)" "$2.err20"
    fi
}

awk -F '\t' -v t="$(ctx_read app.tenant_id bigint)" -v u="$(ctx_read app.user_id integer)" \
    -v r="$(ctx_read app.region text)" '
    {
        c = $5
        gsub(/\$tenant/, t, c); gsub(/\$user/, u, c); gsub(/\$region/, r, c)
        printf "SELECT \x27pg\x27, %d, pg_temp.try($agree$CREATE POLICY agree_p ON public.%s FOR SELECT USING (%s)$agree$);\n", $1, $3, c
    }' "$W/corpus" >"$W/verdicts.sql"
run_psql "$W/verdicts.sql" "$W/verdicts.out"

# ---- rlsc's SQL for the conditions both accept (a false accept fails
# already): a script per clean check batch (those rules go together), all
# in one session, and on failure bisected, one psql session per level, down
# to the conditions whose SQL fails.  case/N.gen: ok, or why.
awk -F '\t' '$1 == "pg" && $3 == "ok" { print $2 }' "$W/verdicts.out" >"$W/pgok.list"
LEVEL=
for list in $CLEAN; do
    grep -xF -f "$W/pgok.list" "$list" >"$list.gen"
    LEVEL="$LEVEL $list.gen"
done
G=0
while [ -n "$LEVEL" ]; do
    NEXT=
    : >"$W/batch/level.sql"
    : >"$W/batch/level.lists"
    for list in $LEVEL; do
        [ -s "$list" ] || continue
        G=$((G + 1))
        f=$W/batch/sql$G.rls
        make_batch "$list" "$f"
        single=$(wc -l <"$list" | tr -d ' ')
        if ! "$RLSC" sql --catalog "$W/cat.rls" "$f" >"$f.sql" 2>"$f.err"; then
            if [ "$single" = 1 ]; then
                echo "rlsc sql fails although rlsc check accepts: $(grep -m1 'error:' "$f.err")" \
                    >"$W/case/$(cat "$list").gen"
            else
                split_list "$list"
                NEXT="$NEXT $list.a $list.b"
            fi
            continue
        fi
        # the up script's own BEGIN/COMMIT go: we are in a transaction
        { printf "SELECT 'sql', %d, pg_temp.try(\$agree\$\n" "$G"
          grep -v -e '^BEGIN;$' -e '^COMMIT;$' "$f.sql"
          printf '$agree$);\n'; } >>"$W/batch/level.sql"
        printf '%s\t%s\t%s\n' "$G" "$list" "$single" >>"$W/batch/level.lists"
    done
    if [ -s "$W/batch/level.lists" ]; then
        run_psql "$W/batch/level.sql" "$W/batch/level.out"
        while IFS='	' read -r g list single; do
            res=$(awk -F '\t' -v g="$g" '$1 == "sql" && $2 == g { print $3 }' "$W/batch/level.out")
            if [ "$res" = ok ]; then
                while read -r c; do echo ok >"$W/case/$c.gen"; done <"$list"
            elif [ "$single" = 1 ]; then
                echo "${res#no }" >"$W/case/$(cat "$list").gen"
            else
                split_list "$list"
                NEXT="$NEXT $list.a $list.b"
            fi
        done <"$W/batch/level.lists"
    fi
    LEVEL=$NEXT
done

# ---------------------------------------------------------------- report
# Ids STRICTER.md cites: the `words` in backquotes in the last cell of its
# table's rows.
awk '/^\|/ { sub(/[ \t]*\|[ \t]*$/, ""); sub(/.*\|/, ""); print }' "$STRICTER" \
    | grep -o '`[^`]*`' | tr -d '`' >"$W/stricter.ids"

# One test line per condition, numbered by its corpus line (tap_plan gave
# the count): written by awk, which holds every verdict, with the
# diagnostics indented as tests/lib/tap.sh indents them.
awk -v W="$W" -F '\t' '
    function slurp(f, sep,    l, out) {
        out = ""
        while ((getline l < f) > 0)
            out = out (out == "" ? "" : sep) l
        close(f)
        return out
    }
    FILENAME ~ /allids$/ { known[$0] = 1; next }
    FILENAME ~ /stricter\.ids$/ { listed[$0] = 1; if (!($0 in known)) unknown = unknown " " $0; next }
    FILENAME ~ /verdicts\.out$/ { if ($1 == "pg") pg[$2] = $3; next }
    {
        n = $1; id = $2; expect = $4; cond = $5
        v = slurp(W "/case/" n ".verdict", " ")
        errs = slurp(W "/case/" n ".err", " | ")
        p = (n in pg) ? pg[n] : "missing"
        pgok = p == "ok"
        pgmsg = substr(p, 4)
        if (v == "accept") gen = slurp(W "/case/" n ".gen", " ")
        show = 1
        if (v == "" || v ~ /^fail/) {
            status = "not ok"; what = v == "" ? "no rlsc verdict" : substr(v, 6); crash++
        } else if (p == "missing") {
            status = "not ok"; what = "no PostgreSQL verdict"; crash++
        } else if (v == "accept" && !pgok) {
            status = "not ok"; what = "FALSE ACCEPT: rlsc accepts, PostgreSQL rejects"; falseacc++
        } else if (v == "accept" && gen != "ok") {
            status = "not ok"; what = "rlsc accepts, but its SQL fails in PostgreSQL: " gen
            genfail++
        } else if (v == "reject" && pgok) {
            if (id in listed) {
                status = "ok"; what = "stricter than PostgreSQL (STRICTER.md)"; stricter++
            } else {
                status = "not ok"; what = "rlsc rejects, PostgreSQL accepts, and STRICTER.md does not list it"
                unlisted++
            }
        } else {
            status = "ok"; what = "accept/reject agrees (both " (pgok ? "accept" : "reject") ")"
            agree++; show = 0
            if (id in listed) stale = stale " " id
        }
        printf "%s %d - %s: %s\n", status, n, id, what
        if (show) {
            printf "#   condition:  %s\n", cond
            printf "#   rlsc:       %s%s\n", v == "accept" ? "accepts" : v == "reject" ? "rejects" : "fails",
                errs != "" ? ": " errs : ""
            printf "#   PostgreSQL: %s%s\n", pgok ? "accepts" : "rejects", pgok ? "" : ": " pgmsg
        }
        if (p != "missing" && (expect == "ok") != pgok) {
            printf "#   note: the corpus expects PostgreSQL to %s this condition\n", expect == "ok" ? "accept" : "reject"
            notes++
        }
    }
    END {
        printf "# summary: %d agree, %d stricter (listed in STRICTER.md), %d false-accept, %d stricter but unlisted, %d generated-SQL failures, %d rlsc failures\n",
            agree, stricter, falseacc, unlisted, genfail, crash
        if (unknown != "")
            printf "# STRICTER.md cites ids that are not in the corpus:%s\n", unknown
        if (stale != "")
            printf "# STRICTER.md cites ids on which rlsc and PostgreSQL agree now:%s\n", stale
        if (notes)
            printf "# %d corpus expectations differ from this PostgreSQL (see the notes)\n", notes
    }' "$W/allids" "$W/stricter.ids" "$W/verdicts.out" "$W/corpus"
