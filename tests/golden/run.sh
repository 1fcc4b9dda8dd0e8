#!/bin/sh
# shellcheck disable=SC2086 # argument words are split on purpose
# Golden tests for rlsc: inputs beside their expected output, compared
# byte for byte.  Prints TAP for Automake's tap-driver.sh.
#
#   ok/NAME.rls       compiles (exit 0); `rlsc sql` must print NAME.sql,
#                     `rlsc sql --down` NAME.down.sql, and both NAME.stderr
#                     on stderr; `rlsc check` NAME.check.stderr where its
#                     lints add to that (else NAME.stderr too).
#   lint/NAME.rls     `rlsc check` (exit 0) must print NAME.stderr: the
#                     lints, each firing, silenced, and not fired on a
#                     near miss.
#   bad/NAME.rls      rejected (exit 1, nothing on stdout) by `rlsc sql`
#                     and `rlsc check`, with NAME.err on stderr.
#   -- args: WORDS    as the first line of an ok/ or bad/ case: compile it
#                     with other arguments, run from SRCDIR as
#                     `rlsc sql WORDS tests/golden/DIR/NAME.rls`.  WORDS are
#                     options and more input files, paths relative to
#                     SRCDIR; `--catalog NAME` without a `/` means
#                     tests/golden/catalog/NAME.rls.  A case file holding
#                     nothing but this line is not compiled itself: it
#                     names inputs kept elsewhere.
#   catalog/          catalog files that `--catalog NAME` names.
#   citus/NAME.rls    `rlsc sql --target citus` (args line as above): exit 0
#                     with NAME.sql and NAME.stderr, or, where NAME.err
#                     exists, exit 1 with NAME.err and nothing on stdout.
#   usage/NAME.args   a command line run in usage/: NAME.status is the exit
#                     status, NAME.err the stderr, NAME.out the stdout (no
#                     file: stdout must be empty).
#   stable/NAME.1.rls, NAME.2.rls, ...   the same policies written
#                     differently: byte-identical `sql` and `sql --down`.
#   stable/NAME.base.rls, NAME.plus.rls  plus adds rules to base: every
#                     `CREATE POLICY` line of base is still in plus.
#
# Environment: RLSC (the binary), SRCDIR (the source tree); make check sets
# both.  UPDATE_GOLDEN=1 rewrites the expected files from the compiler's
# output instead of comparing: review `git diff` before committing them.

LC_ALL=C
export LC_ALL

here=$(dirname "$0")
SRCDIR=${SRCDIR:-$here/../..}
SRCDIR=$(cd "$SRCDIR" && pwd) || { echo "Bail out! no source dir $SRCDIR"; exit 99; }
. "$SRCDIR/tests/lib/tap.sh"
RLSC=${RLSC:-./rlsc}
case $RLSC in
/*) ;;
*/*) RLSC=$(pwd)/$RLSC ;;
esac
G=$SRCDIR/tests/golden
update=${UPDATE_GOLDEN:-0}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rlsc-golden.XXXXXX") ||
    tap_bail "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

"$RLSC" --version >/dev/null 2>&1 || tap_bail "cannot run rlsc as '$RLSC' (set RLSC)"

# ---- the plan: count the cases first

list() { # list DIR SUFFIX: case names of DIR/*SUFFIX, sorted
    for f in "$G/$1"/*"$2"; do
        [ -e "$f" ] || continue
        f=${f##*/}
        echo "${f%"$2"}"
    done
}
ok_cases=$(list ok .rls)
lint_cases=$(list lint .rls)
bad_cases=$(list bad .rls)
citus_cases=$(list citus .rls)
usage_cases=$(list usage .args)
same_cases=$(list stable .1.rls)
grow_cases=$(list stable .base.rls)

n=0
for c in $ok_cases; do n=$((n + 2)); done
for c in $lint_cases $bad_cases $citus_cases $usage_cases $same_cases $grow_cases; do n=$((n + 1)); done
tap_plan "$n"

# ---- helpers

why=$tmp/why   # the reasons of the current test, shown on failure

pass_or_fail() { # NAME: reports the current test from the contents of $why
    if [ -s "$why" ]; then
        tap_not_ok "$1" "$why"
    elif [ "$update" = 1 ]; then
        tap_ok "$1 (expected output updated)"
    else
        tap_ok "$1"
    fi
    : >"$why"
}

# expect EXPECTED-FILE ACTUAL-FILE WHAT: compares, or updates under
# UPDATE_GOLDEN=1 (an empty NAME.out is not written).
expect() {
    if [ "$update" = 1 ]; then
        if [ "${1%.out}" != "$1" ] && [ ! -s "$2" ]; then
            rm -f "$1"
        else
            cp "$2" "$1"
        fi
        return
    fi
    if [ ! -f "$1" ]; then
        if [ "${1%.out}" != "$1" ] && [ ! -s "$2" ]; then
            return
        fi
        echo "$3: missing expected file ${1#"$SRCDIR"/}; actual:" >>"$why"
        cat "$2" >>"$why"
    elif ! cmp -s "$1" "$2"; then
        echo "$3 differs (- expected, + actual):" >>"$why"
        diff -u "$1" "$2" >>"$why"
    fi
}

expect_status() { # ACTUAL EXPECTED WHAT
    [ "$1" = "$2" ] || echo "$3: exit status $1, expected $2" >>"$why"
}

expect_empty() { # FILE WHAT
    if [ -s "$1" ]; then
        echo "$2 should be empty but is:" >>"$why"
        cat "$1" >>"$why"
    fi
}

# run DIR OUT ERR ARGS...: runs rlsc in DIR; sets $status
run() {
    rdir=$1 rout=$2 rerr=$3
    shift 3
    status=0
    (cd "$rdir" && exec "$RLSC" "$@") <"/dev/null" >"$rout" 2>"$rerr" || status=$?
    if [ "$status" -gt 2 ]; then
        echo "rlsc $*: crashed or failed unexpectedly (exit status $status)" >>"$why"
    fi
}

: >"$why"

# ---- ok/: compiles, with the expected SQL up and down

# case_args DIR NAME: sets $dir (where to run) and $args for a case, from
# its `-- args:` line if it has one
case_args() {
    f=$G/$1/$2.rls
    dir=$G/$1
    args=$2.rls
    if grep -n '^-- *args *:' "$f" | grep -qv '^1:-- args: '; then
        echo "an args line must be the first line and start with '-- args: '" >>"$why"
    fi
    line=$(sed -n '1s/^-- args: //p' "$f")
    [ -n "$line" ] || return 0
    dir=$SRCDIR
    args=
    prev=
    for w in $line; do
        if [ "$prev" = --catalog ] && [ "${w#*/}" = "$w" ]; then
            w=tests/golden/catalog/$w.rls
        fi
        args="$args $w"
        prev=$w
    done
    [ "$prev" != --catalog ] || echo "args line: --catalog needs a value" >>"$why"
    if [ "$(awk 'END { print NR }' "$f")" -gt 1 ]; then
        args="$args tests/golden/$1/$2.rls"
    fi
}

for c in $ok_cases; do
    case_args ok "$c"
    run "$dir" "$tmp/up" "$tmp/up.err" sql $args
    expect_status "$status" 0 "rlsc sql"
    expect "$G/ok/$c.sql" "$tmp/up" "stdout of rlsc sql"
    expect "$G/ok/$c.stderr" "$tmp/up.err" "stderr of rlsc sql"
    run "$dir" "$tmp/ck" "$tmp/ck.err" check $args
    expect_status "$status" 0 "rlsc check"
    expect_empty "$tmp/ck" "stdout of rlsc check"
    # check adds its lints: NAME.check.stderr, kept only where they differ
    if [ "$update" = 1 ]; then
        if cmp -s "$tmp/up.err" "$tmp/ck.err"; then
            rm -f "$G/ok/$c.check.stderr"
        else
            cp "$tmp/ck.err" "$G/ok/$c.check.stderr"
        fi
    elif [ -f "$G/ok/$c.check.stderr" ]; then
        expect "$G/ok/$c.check.stderr" "$tmp/ck.err" "stderr of rlsc check"
    else
        expect "$G/ok/$c.stderr" "$tmp/ck.err" "stderr of rlsc check"
    fi
    pass_or_fail "ok/$c: sql"

    run "$dir" "$tmp/down" "$tmp/down.err" sql --down $args
    expect_status "$status" 0 "rlsc sql --down"
    expect "$G/ok/$c.down.sql" "$tmp/down" "stdout of rlsc sql --down"
    [ "$update" = 1 ] || expect "$G/ok/$c.stderr" "$tmp/down.err" "stderr of rlsc sql --down"
    pass_or_fail "ok/$c: sql --down"
done

# ---- lint/: rlsc check's lints, byte for byte

for c in $lint_cases; do
    case_args lint "$c"
    run "$dir" "$tmp/out" "$tmp/err" check $args
    expect_status "$status" 0 "rlsc check"
    expect_empty "$tmp/out" "stdout of rlsc check"
    expect "$G/lint/$c.stderr" "$tmp/err" "stderr of rlsc check"
    pass_or_fail "lint/$c"
done

# ---- bad/: rejected with exactly the expected diagnostics

for c in $bad_cases; do
    case_args bad "$c"
    run "$dir" "$tmp/out" "$tmp/err" sql $args
    expect_status "$status" 1 "rlsc sql"
    expect_empty "$tmp/out" "stdout of rlsc sql"
    expect "$G/bad/$c.err" "$tmp/err" "stderr of rlsc sql"
    run "$dir" "$tmp/out" "$tmp/err" check $args
    expect_status "$status" 1 "rlsc check"
    expect_empty "$tmp/out" "stdout of rlsc check"
    [ "$update" = 1 ] || expect "$G/bad/$c.err" "$tmp/err" "stderr of rlsc check"
    pass_or_fail "bad/$c"
done

# ---- citus/: --target citus compiles, or refuses with the reasons

for c in $citus_cases; do
    case_args citus "$c"
    run "$dir" "$tmp/out" "$tmp/err" sql --target citus $args
    if [ -f "$G/citus/$c.err" ] || { [ "$update" = 1 ] && [ "$status" = 1 ]; }; then
        expect_status "$status" 1 "rlsc sql --target citus"
        expect_empty "$tmp/out" "stdout of rlsc sql --target citus"
        expect "$G/citus/$c.err" "$tmp/err" "stderr of rlsc sql --target citus"
        pass_or_fail "citus/$c: refused"
    else
        expect_status "$status" 0 "rlsc sql --target citus"
        expect "$G/citus/$c.sql" "$tmp/out" "stdout of rlsc sql --target citus"
        expect "$G/citus/$c.stderr" "$tmp/err" "stderr of rlsc sql --target citus"
        pass_or_fail "citus/$c: sql"
    fi
done

# ---- usage/: command lines with their exit status and messages

for c in $usage_cases; do
    args=$(cat "$G/usage/$c.args")
    run "$G/usage" "$tmp/out" "$tmp/err" $args
    echo "$status" >"$tmp/status"
    expect "$G/usage/$c.status" "$tmp/status" "exit status"
    expect "$G/usage/$c.out" "$tmp/out" "stdout"
    expect "$G/usage/$c.err" "$tmp/err" "stderr"
    pass_or_fail "usage/$c: rlsc $args"
done

# ---- stable/: formatting and order do not change the SQL

for c in $same_cases; do
    i=1
    while [ -f "$G/stable/$c.$i.rls" ]; do
        for way in up down; do
            flag=
            [ $way = down ] && flag=--down
            run "$G/stable" "$tmp/$way.$i" "$tmp/err" sql $flag "$c.$i.rls"
            expect_status "$status" 0 "rlsc sql${flag:+ $flag} $c.$i.rls"
            [ "$status" = 0 ] || cat "$tmp/err" >>"$why"
            if [ $i -gt 1 ] && ! cmp -s "$tmp/$way.1" "$tmp/$way.$i"; then
                echo "rlsc sql${flag:+ $flag}: $c.$i.rls differs from $c.1.rls:" >>"$why"
                diff -u "$tmp/$way.1" "$tmp/$way.$i" >>"$why"
            fi
        done
        i=$((i + 1))
    done
    [ $i -gt 2 ] || echo "needs $c.1.rls and $c.2.rls at least" >>"$why"
    pass_or_fail "stable/$c: same SQL from $((i - 1)) spellings"
done

# ---- stable/: adding rules renames no policy

for c in $grow_cases; do
    for v in base plus; do
        run "$G/stable" "$tmp/$v" "$tmp/err" sql "$c.$v.rls"
        expect_status "$status" 0 "rlsc sql $c.$v.rls"
        [ "$status" = 0 ] || cat "$tmp/err" >>"$why"
        grep '^CREATE POLICY ' "$tmp/$v" | sort >"$tmp/$v.names"
    done
    comm -23 "$tmp/base.names" "$tmp/plus.names" >"$tmp/gone"
    comm -13 "$tmp/base.names" "$tmp/plus.names" >"$tmp/new"
    if [ -s "$tmp/gone" ]; then
        {
            echo "policies of $c.base.rls renamed or lost in $c.plus.rls:"
            cat "$tmp/gone"
            echo "new in $c.plus.rls:"
            cat "$tmp/new"
        } >>"$why"
    fi
    [ -s "$tmp/new" ] || echo "$c.plus.rls adds no policy to $c.base.rls" >>"$why"
    pass_or_fail "stable/$c: adding a rule renames no policy"
done

# Under Automake's tap-driver (which sets AM_TAP_AWK) the `not ok` lines
# carry the result and a non-zero exit would add an ERROR; run by hand,
# the exit status says whether everything passed.
[ -n "${AM_TAP_AWK:-}" ] || [ "$TAP_FAILED" -eq 0 ]
