#!/usr/bin/env bash
# dev.sh — one command from a fresh Debian 12 machine to a result.
#
#   ./dev.sh example   install what is missing, build, and compile the bundled
#                      example (examples/billing: policies checked against the
#                      catalog of its Django models) to SQL
#   ./dev.sh test      install what is missing, build, and run the whole test
#                      suite, then run it once more built with AddressSanitizer
#                      and UBSan
#   ./dev.sh build     install what is missing and build only
#
# Builds go to _build/ and _build-asan/ (out of tree).  Run as root, or as a
# user with sudo, so missing Debian packages can be installed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

packages=(build-essential autoconf automake pkg-config flex bison
          libpq-dev libpg-query-dev libcunit1-dev postgresql postgresql-client
          postgresql-common python3-django python3-psycopg2 pgbouncer
          clang libclang-rt-14-dev
          chromium
          chromium-driver)

install_missing() {
    local missing=() p
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "dev.sh: installing ${missing[*]}"
    local sudo=
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "dev.sh: need root to install ${missing[*]}" >&2; exit 2; }
        sudo=sudo
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# build DIR [configure args...]
build() {
    local dir=$1; shift
    [ -x configure ] && [ configure -nt configure.ac ] && [ Makefile.in -nt Makefile.am ] \
        || autoreconf -i
    mkdir -p "$dir"
    # configure again when the arguments differ from the last ones
    local args="$*"
    (cd "$dir" && { { [ -f Makefile ] && [ "$(cat .dev-configure 2>/dev/null)" = "$args" ]; } ||
                    { ../configure "$@" && echo "$args" >.dev-configure; }; } && make -j"$(nproc)")
}

# check DIR: runs make check; prints the TAP/automake counts.
check() {
    local dir=$1 rc=0
    (cd "$dir" && make -j"$(nproc)" check) || rc=$?
    summarize "$dir/test-suite.log" "$dir"
    return $rc
}

totals_pass=0 totals_fail=0 totals_skip=0
summarize() {
    local log=$1 dir=$2 pass=0 fail=0 skip=0
    if [ -f "$log" ]; then
        pass=$(sed -n 's/^# PASS: *\([0-9]*\)/\1/p' "$log" | head -1)
        skip=$(sed -n 's/^# SKIP: *\([0-9]*\)/\1/p' "$log" | head -1)
        fail=$(awk '/^# (FAIL|XPASS|ERROR):/ {n += $3} END {print n + 0}' "$log")
        # On failure, show what failed.
        [ "$fail" -eq 0 ] || cat "$log"
    else
        fail=1
    fi
    echo "dev.sh: $dir: ${pass:-0} passed, ${fail:-0} failed, ${skip:-0} skipped"
    totals_pass=$((totals_pass + ${pass:-0}))
    totals_fail=$((totals_fail + ${fail:-0}))
    totals_skip=$((totals_skip + ${skip:-0}))
}

cmd=${1:-}
case "$cmd" in
example)
    install_missing
    build _build
    echo "== rlsc sql --catalog examples/billing/catalog.rls examples/billing/billing/policies.rls"
    ./_build/rlsc sql --catalog examples/billing/catalog.rls examples/billing/billing/policies.rls
    ;;
build)
    install_missing
    build _build
    ;;
test)
    install_missing
    # warnings are errors here: the code is kept clean (configure.ac)
    build _build --enable-werror
    rc=0
    check _build || rc=1
    build _build-asan --enable-sanitizers --enable-werror
    check _build-asan || rc=1
    echo "total: $totals_pass passed, $totals_fail failed, $totals_skip skipped"
    if [ "$totals_pass" -eq 0 ]; then
        echo "dev.sh: no test passed: treating the run as failed" >&2
        rc=1
    fi
    exit $rc
    ;;
*)
    sed -n '2,13s/^# \{0,1\}//p' "$0"
    exit 2
    ;;
esac
