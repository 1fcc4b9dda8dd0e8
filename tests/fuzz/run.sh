#!/bin/sh
# run.sh — a bounded fuzzing run for `make check`; prints TAP.
#
# Builds tests/fuzz/fuzz_pipeline with clang and libFuzzer (build.sh, into
# $BUILDDIR/fuzz), replays every seed of tests/fuzz/corpus, then fuzzes for
# FUZZ_SECONDS (default 30, at most 60) in a scratch copy of the corpus.
# Without clang or libFuzzer: `1..0 # SKIP`.  The source tree is never
# written to; a crash is kept in $BUILDDIR/fuzz/artifacts/ and named in a
# TAP comment with the command that reproduces it.
#
# Environment: SRCDIR, BUILDDIR (make check sets both; defaults: two levels
# above this script, the current directory), FUZZ_SECONDS, FUZZ_JOBS
# (default 1: workers that fuzz side by side).

LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=$(cd "${SRCDIR:-$here/../..}" && pwd) || { echo "Bail out! no source dir"; exit 99; }
BUILDDIR=$(cd "${BUILDDIR:-.}" && pwd) || { echo "Bail out! no build dir"; exit 99; }
export SRCDIR BUILDDIR
seconds=${FUZZ_SECONDS:-30}
[ "$seconds" -gt 60 ] 2>/dev/null && seconds=60
[ "$seconds" -ge 1 ] 2>/dev/null || seconds=30
jobs=${FUZZ_JOBS:-1}

out=$BUILDDIR/fuzz
mkdir -p "$out" || { echo "Bail out! cannot create $out"; exit 99; }

# ---- build (or skip when this machine cannot)
bin=$(sh "$SRCDIR/tests/fuzz/build.sh" "$out" 2>"$out/build.log")
rc=$?
if [ $rc -eq 77 ]; then
    echo "1..0 # SKIP $(tail -1 "$out/build.log")"
    exit 0
fi
echo "1..3"
if [ $rc -ne 0 ] || [ ! -x "$bin" ]; then
    echo "not ok 1 - build the fuzz target (build.sh exit $rc)"
    sed 's/^/# /' "$out/build.log" | tail -30
    echo "not ok 2 - replay the seed corpus (not built)"
    echo "not ok 3 - fuzz for ${seconds}s (not built)"
    exit 0
fi
echo "ok 1 - build the fuzz target ($bin)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rlsc-fuzz.XXXXXX") ||
    { echo "Bail out! cannot create a temporary directory"; exit 99; }
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
artifacts=$out/artifacts
mkdir -p "$artifacts"
cp -R "$SRCDIR/tests/fuzz/corpus" "$tmp/corpus"
seeds=$(find "$tmp/corpus" -type f | wc -l)

# A crash report: the sanitizer's summary line and how to reproduce it.
report() { # report LOG
    grep -E 'ERROR:|SUMMARY:|runtime error|invariant broken|deadly signal|Test unit written|Slowest unit' "$1" \
        | head -12 | sed 's/^/# /'
    unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$1" | head -1)
    [ -n "$unit" ] && echo "# reproduce: $bin $unit"
    echo "# log: $1 (last lines below)"
    tail -25 "$1" | sed 's/^/#   /'
}

# Figures of the last status line: "#N ... cov: C ft: F corp: K/S ... exec/s: E"
figures() { # figures LOG
    grep -E '^#[0-9]+' "$1" | tail -1 |
        sed -n 's/^#\([0-9]*\).*cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\)\/\([^ ]*\).*exec\/s: \([0-9]*\).*/execs \1, cov (edges) \2, features \3, corpus \4 inputs \/ \5, exec\/s \6/p'
}

# ---- 2: every seed once (no mutation)
log2=$out/replay.log
if "$bin" -runs=0 -timeout=20 -rss_limit_mb=2048 -artifact_prefix="$artifacts/" \
        "$tmp/corpus" >"$log2" 2>&1; then
    echo "ok 2 - replay the $seeds seeds"
    echo "# $(figures "$log2")"
else
    echo "not ok 2 - replay the $seeds seeds"
    report "$log2"
fi

# ---- 3: fuzz for a bounded time, in the scratch copy
log3=$out/fuzz.log
if [ "$jobs" -gt 1 ] 2>/dev/null; then
    par="-fork=$jobs"
else
    par=
fi
# shellcheck disable=SC2086
if "$bin" $par -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -dict="$SRCDIR/tests/fuzz/rls.dict" -artifact_prefix="$artifacts/" \
        -print_final_stats=1 "$tmp/corpus" >"$log3" 2>&1; then
    echo "ok 3 - fuzz for ${seconds}s"
    echo "# $(figures "$log3")"
    echo "# corpus grew from $seeds to $(find "$tmp/corpus" -type f | wc -l) inputs (scratch copy, discarded)"
else
    echo "not ok 3 - fuzz for ${seconds}s: a crash, leak, hang or broken invariant"
    report "$log3"
fi
exit 0
