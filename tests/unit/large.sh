#!/bin/sh
# tests/unit/large.sh — a large input through the rlsc binary (TAP).
#
# `rlsc sql` streams its script table by table (cli_stdout_begin), so a
# large input is written in many pieces; this checks the pieces add up to
# the right script, byte for byte, and that a failed write says so.  The
# input is N models with the same rules, so the script is its one-model
# script with the table's section repeated under each name (in the IR's
# order: names sorted).  Counts, never timing: bench/scale.sh times it.
#
#   1  rlsc sql: exit 0, the expected script, one whole warning per model
#   2  rlsc sql --down: the expected script
#   3  rlsc check: the same warnings
#   4  stdout that takes nothing (/dev/full): exit 2, nothing claimed
#   5  stdout that fails part-way (a file size limit): exit 2, and the
#      message says the output written before is incomplete; no COMMIT
#
# Environment: RLSC (the binary; make check sets it), SRCDIR.

LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=$(cd "${SRCDIR:-$here/../..}" && pwd) || { echo "Bail out! no source dir"; exit 1; }
. "$SRCDIR/tests/lib/tap.sh"
RLSC=${RLSC:-./rlsc}
case $RLSC in
/*) ;;
*/*) RLSC=$(pwd)/$RLSC ;;
esac
W=$(mktemp -d "${TMPDIR:-/tmp}/rlsc-large.XXXXXX") || tap_bail "no temporary directory"
trap 'rm -rf "$W"' EXIT
trap 'exit 130' INT TERM
"$RLSC" --version >/dev/null 2>&1 || tap_bail "cannot run rlsc as '$RLSC' (set RLSC)"
cd "$W" || tap_bail "cannot enter $W" # so diagnostics name in.rls

N=2000 # about 6 MB of SQL: a hundred pieces of 64 KiB

gen() { # gen N: bench/scale.awk's input, every model with the same rules
    awk -v n="$1" -v same=1 -f "$SRCDIR/bench/scale.awk"
}

# expand ONE.sql N: the script of N models from the script of one: what
# precedes model m0's section, the section (from its blank line to the
# next section, `-- roles` in a down script, or the COMMIT) once per
# model, names in sorted order, then the rest.
expand() {
    awk 'BEGIN { for (i = 0; i < '"$2"'; i++) print "m" i }' | sort >"$W/names"
    awk -v names="$W/names" '
        { line[NR] = $0 }
        /^-- bench_m0: model m0$/ { hdr = NR }
        hdr && NR > hdr && !end && /^-- / { end = NR - 1 }
        hdr && NR > hdr && !end && /^COMMIT;$/ { end = NR }
        END {
            for (i = 1; i < hdr - 1; i++) print line[i]
            while ((getline m < names) > 0)
                for (i = hdr - 1; i < end; i++) {
                    s = line[i]
                    gsub(/bench_m0/, "bench_" m, s)
                    gsub(/model m0$/, "model " m, s)
                    print s
                }
            for (i = end; i <= NR; i++) print line[i]
        }' "$1"
}

same() { # same WANT GOT: notes in $W/why how GOT differs from WANT
    cmp -s "$1" "$2" || {
        echo "the script differs from the one-model script repeated (- expected, + actual):"
        diff -u "$1" "$2" | head -n 40
    } >>"$W/why"
}

gen 1 >one.rls
gen "$N" >in.rls
"$RLSC" sql one.rls >"$W/one.sql" 2>/dev/null || tap_bail "the one-model input does not compile"
"$RLSC" sql --down one.rls >"$W/one.down.sql" 2>/dev/null || tap_bail "the one-model input does not compile"
[ "$(tail -n 1 "$W/one.sql")" = "COMMIT;" ] || tap_bail "the one-model script does not end in COMMIT"

tap_plan 5

# 1: up
: >"$W/why"
status=0
"$RLSC" sql in.rls >"$W/up.sql" 2>"$W/up.err" || status=$?
[ "$status" = 0 ] || echo "exit status $status" >>"$W/why"
expand "$W/one.sql" "$N" >"$W/want.sql"
same "$W/want.sql" "$W/up.sql"
n=$(grep -c '^CREATE POLICY ' "$W/up.sql")
[ "$n" = $((N * 7)) ] || echo "$n CREATE POLICY, expected $((N * 7))" >>"$W/why"
# each warning is three lines (message, source line, caret), in order
awk -v n="$N" '
    NR % 3 == 1 && !/^in\.rls:[0-9]+:7: warning: no rule allows delete on table .bench_m[0-9]+./ { bad++ }
    NR % 3 == 2 && !/^  model M[0-9]+ \{$/ { bad++ }
    NR % 3 == 0 && !/^        \^~+$/ { bad++ }
    END { if (bad || NR != 3 * n) printf "stderr: %d lines (expected %d), %d out of place\n", NR, 3 * n, bad }
' "$W/up.err" >>"$W/why"
tap_result "$([ -s "$W/why" ] && echo 1 || echo 0)" "rlsc sql: $N models streamed, byte for byte" "$W/why"

# 2: down
: >"$W/why"
status=0
"$RLSC" sql --down in.rls >"$W/down.sql" 2>/dev/null || status=$?
[ "$status" = 0 ] || echo "exit status $status" >>"$W/why"
expand "$W/one.down.sql" "$N" >"$W/want.down.sql"
same "$W/want.down.sql" "$W/down.sql"
tap_result "$([ -s "$W/why" ] && echo 1 || echo 0)" "rlsc sql --down: $N models streamed, byte for byte" "$W/why"

# 3: check prints the same warnings
: >"$W/why"
status=0
"$RLSC" check in.rls >"$W/ck.out" 2>"$W/ck.err" || status=$?
[ "$status" = 0 ] || echo "exit status $status" >>"$W/why"
[ ! -s "$W/ck.out" ] || echo "stdout is not empty" >>"$W/why"
cmp -s "$W/up.err" "$W/ck.err" || echo "stderr differs from rlsc sql's" >>"$W/why"
tap_result "$([ -s "$W/why" ] && echo 1 || echo 0)" "rlsc check: the same warnings" "$W/why"

# 4: nothing can be written
if [ -w /dev/full ]; then
    : >"$W/why"
    status=0
    "$RLSC" sql in.rls >/dev/full 2>"$W/full.err" || status=$?
    [ "$status" = 2 ] || echo "exit status $status, expected 2" >>"$W/why"
    last=$(tail -n 1 "$W/full.err")
    [ "$last" = "rlsc: cannot write output: No space left on device" ] ||
        echo "last line of stderr: $last" >>"$W/why"
    tap_result "$([ -s "$W/why" ] && echo 1 || echo 0)" "stdout that takes nothing: exit 2" "$W/why"
else
    tap_skip "stdout that takes nothing: exit 2" "no /dev/full"
fi

# 5: the write fails part-way: a file size limit of 256 blocks (128 or
# 256 KiB, by the shell), with SIGXFSZ ignored so write(2) fails instead;
# stderr goes through a pipe, which the limit does not hold
: >"$W/why"
{ (trap '' XFSZ && ulimit -f 256 && exec "$RLSC" sql in.rls 2>&3) >"$W/part.sql"
  echo $? >"$W/part.status"; } 3>&1 | tail -n 1 >"$W/part.err"
status=$(cat "$W/part.status")
if [ "$status" = 2 ]; then
    last=$(cat "$W/part.err")
    [ "$last" = "rlsc: cannot write output: File too large; the output written before is incomplete" ] ||
        echo "last line of stderr: $last" >>"$W/why"
    [ -s "$W/part.sql" ] || echo "nothing was written before the failure" >>"$W/why"
    ! grep -q '^COMMIT;$' "$W/part.sql" || echo "the partial script has its COMMIT" >>"$W/why"
    tap_result "$([ -s "$W/why" ] && echo 1 || echo 0)" "stdout that fails part-way: exit 2, said incomplete" "$W/why"
elif [ "$status" = 0 ] && [ "$(wc -c <"$W/part.sql")" -gt 300000 ]; then
    tap_skip "stdout that fails part-way: exit 2, said incomplete" "no file size limit here"
else
    echo "exit status $status, expected 2" >>"$W/why"
    tap_not_ok "stdout that fails part-way: exit 2, said incomplete" "$W/why" "$W/part.err"
fi
