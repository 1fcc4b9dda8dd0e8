#!/bin/sh
# tests/explain/browser.sh — the html page of `rlsc explain` in headless
# Chromium, driven through chromedriver by tests/explain/browser.py (the
# checks are listed there).  Pages: tests/pg/cases/billing.rls (4 tables x 4
# commands x 4 role columns) and tests/explain/cases/hostile.rls (names and
# a condition that would inject markup).  TAP; skipped without chromium
# and chromedriver (Debian: chromium, chromium-driver).
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"

DRIVER=$(command -v chromedriver 2>/dev/null || true)
BROWSER=$(command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true)
[ -n "$DRIVER" ] && [ -n "$BROWSER" ] ||
    tap_skip_all "chromium and chromedriver are needed (Debian: chromium chromium-driver)"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3 2>/dev/null) || tap_skip_all "no python3"

W=$(mktemp -d "${TMPDIR:-/tmp}/rlsc-browser.XXXXXX") || tap_bail "no temporary directory"
DPID=
cleanup() { [ -n "$DPID" ] && kill "$DPID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# a free port for chromedriver
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$DRIVER" --port="$PORT" >"$W/driver.log" 2>&1 &
DPID=$!
URL=http://127.0.0.1:$PORT
i=0
until "$PY" -c "import urllib.request, sys; urllib.request.urlopen('$URL/status', timeout=2)" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -lt 100 ] || tap_bail "chromedriver did not start" "$W/driver.log"
    sleep 0.1
done
tap_ok "chromedriver listens on port $PORT"

# page NAME FILE CELLS [HEADING]: the page of FILE; the condition of its first "some"
# cell is the first note of the text output
page()
{
    "$RLSC" explain --format html "$2" >"$W/$1.html" 2>"$W/$1.err" &&
        "$RLSC" explain "$2" >"$W/$1.txt" 2>>"$W/$1.err"
    tap_result $? "$1: rlsc explain writes the page" "$W/$1.err" || return
    sed -n '/^  \[1\] /{n;s/^ *rows: //p;q;}' "$W/$1.txt" >"$W/$1.cond"
    [ -s "$W/$1.cond" ]
    tap_result $? "$1: the text output names the first cell's condition" "$W/$1.txt" || return
    "$PY" "$SRCDIR/tests/explain/browser.py" "$URL" "$W/$1.html" "$3" "$W/$1.cond" ${4:+"$4"} \
        >"$W/$1.tap" 2>"$W/$1.pyerr"
    tap_result $? "$1: the browser session ran" "$W/$1.pyerr" "$W/driver.log"
    sed -e "s/^\(ok\|not ok\) - /\1 - $1: /" "$W/$1.tap" >"$W/$1.tap2"
    tap_relay <"$W/$1.tap2"
}

page billing "$SRCDIR/tests/pg/cases/billing.rls" 64
page hostile "$SRCDIR/tests/explain/cases/hostile.rls" 12 "<script>alert('t')</script>"

tap_plan
