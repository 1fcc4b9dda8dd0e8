#!/bin/sh
# tests/golden/sarif.sh — `rlsc check --format sarif`: one SARIF 2.1.0 log on
# stdout, read back with Python's json module (a real parser, strict about
# UTF-8), its structure checked, and its results compared with the text
# output of the same run; errors, failures and hostile bytes (in paths and
# messages) still give valid JSON; the exit status is the text output's.
# TAP; plan at the end.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
PY=${DJANGO_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=$(command -v python3) || tap_skip_all "no python3 to read the JSON"

W=$(mktemp -d "${TMPDIR:-/tmp}/rlsc-sarif.XXXXXX") || tap_bail "no temporary directory"
trap 'rm -rf "$W"' EXIT
G=tests/golden
cd "$SRCDIR" || tap_bail "no source tree"

# The checker: reads the log (strict UTF-8), checks what every SARIF
# consumer relies on, then the assertions given as Python on the command
# line (with `log`, `results` and `rules` bound); prints what is wrong.
cat >"$W/check.py" <<'PYEOF'
import json, sys
raw = open(sys.argv[1], 'rb').read()
try:
    log = json.loads(raw.decode('utf-8'))
except Exception as e:
    print('not valid JSON in UTF-8: %s' % e); sys.exit(1)
bad = []
def need(c, what):
    if not c: bad.append(what)
need(log.get('version') == '2.1.0', 'version is not 2.1.0')
need(len(log.get('runs', [])) == 1, 'not one run')
run = log['runs'][0]
driver = run['tool']['driver']
need(driver.get('name') == 'rlsc', 'driver name')
rules = driver.get('rules', [])
ids = [r['id'] for r in rules]
need(len(ids) == len(set(ids)), 'duplicate rule ids')
for r in rules:
    need(r.get('shortDescription', {}).get('text'), 'rule %s without shortDescription' % r.get('id'))
results = run.get('results')
need(isinstance(results, list), 'no results array')
for res in results:
    need(res.get('level') in ('error', 'warning', 'note'), 'level %r' % res.get('level'))
    need(isinstance(res.get('message', {}).get('text'), str), 'message.text')
    i = res.get('ruleIndex')
    need(i is not None and ids[i] == res['ruleId'], 'ruleIndex of %s' % res.get('ruleId'))
    for loc in res.get('locations', []) + res.get('relatedLocations', []):
        pl = loc.get('physicalLocation')
        if pl is None: continue
        need(isinstance(pl['artifactLocation']['uri'], str), 'uri')
        g = pl['region']
        need(all(isinstance(g[k], int) and g[k] >= 1 for k in ('startLine', 'startColumn', 'endLine', 'endColumn')), 'region %r' % g)
        need((g['endLine'], g['endColumn']) > (g['startLine'], g['startColumn']), 'empty region %r' % g)
def loc(res):
    g = res['locations'][0]['physicalLocation']['region']
    return (g['startLine'], g['startColumn'])
env = dict(log=log, results=results, rules=rules, ids=ids, loc=loc)
for a in sys.argv[2:]:
    try:
        ok = eval(a, env)
    except Exception as e:
        ok = False; a += ' (%r)' % e
    need(ok, 'assertion failed: ' + a)
if bad: print('\n'.join(bad))
sys.exit(1 if bad else 0)
PYEOF

# run NAME RLSC-ARGS...: `rlsc check --format sarif ARGS`, its stdout in
# NAME.json, stderr in NAME.err, the exit status in $rc
run() {
    name_=$1
    shift
    rc=0
    "$RLSC" check --format sarif "$@" >"$W/$name_.json" 2>"$W/$name_.err" || rc=$?
}
# verify NAME STATUS DESC ASSERTION...: the exit status and the log
verify() {
    name_=$1 want_=$2 desc_=$3
    shift 3
    : >"$W/why"
    [ "$rc" = "$want_" ] || echo "exit status $rc, expected $want_" >>"$W/why"
    "$PY" "$W/check.py" "$W/$name_.json" "$@" >>"$W/why" 2>&1
    if [ -s "$W/why" ]; then
        tap_not_ok "$desc_" "$W/why" "$W/$name_.err"
    else
        tap_ok "$desc_"
    fi
}

CAT="--catalog $G/catalog/shop.rls"

# lints: every id of the table, the results of pragmas.rls with their places
run lints $CAT $G/lint/pragmas.rls
verify lints 0 "lints: a valid log with every rule and the pragma warnings" \
    "set(['RLS001','RLS010','RLS101','RLS103','RLS107','RLS108','RLS109','rlsc-error']) <= set(ids)" \
    "[r['ruleId'] for r in results if not r.get('suppressions')] == ['RLS001']*4 + ['RLS103', 'RLS107']" \
    "loc(results[0]) == (6, 16) and 'RLS13' in results[0]['message']['text']" \
    "results[0]['locations'][0]['physicalLocation']['artifactLocation']['uri'] == 'tests/golden/lint/pragmas.rls'" \
    "log['runs'][0]['columnKind'] == 'unicodeCodePoints'"
[ -s "$W/lints.err" ] && tap_not_ok "lints: nothing on stderr" "$W/lints.err" || tap_ok "lints: nothing on stderr"

# silenced warnings are listed as suppressed, with their notes
run silenced $CAT $G/lint/pragmas.rls
verify silenced 0 "silenced warnings carry an inSource suppression" \
    "sorted(r['ruleId'] for r in results if r.get('suppressions')) == ['RLS103']" \
    "all(s == [{'kind': 'inSource'}] for s in [r.get('suppressions') for r in results if r.get('suppressions')])"

# notes become relatedLocations of the warning before them
run notes $CAT $G/lint/permissive_or.rls
verify notes 0 "notes: relatedLocations with their own places and text" \
    "[len(r.get('relatedLocations', [])) for r in results if r['ruleId'] == 'RLS101' and not r.get('suppressions')] == [1]" \
    "[loc(r) for r in results if r['ruleId'] == 'RLS101' and not r.get('suppressions')] == [(11, 5)]" \
    "all('ORs with this rule' in n['message']['text'] for r in results for n in r.get('relatedLocations', []))"

# text and SARIF say the same: every [ID] of the text output at its place
for c in all_widens_select constant_condition current_user missing_tenant unconditional_write volatile_function; do
    "$RLSC" check $CAT $G/lint/$c.rls 2>"$W/text.err" >/dev/null
    sed -n 's/^[^ ]*:\([0-9]*\):\([0-9]*\): warning: .* \[\(RLS[0-9]*\)\]$/(\3,\1,\2)/p' "$W/text.err" |
        tr '\n' ' ' >"$W/text.ids"
    run same $CAT $G/lint/$c.rls
    verify same 0 "lint/$c: the same warnings as the text output" \
        "sorted((r['ruleId'],)+loc(r) for r in results if not r.get('suppressions')) == sorted([$(sed 's/(\(RLS[0-9]*\),/(\x27\1\x27,/g; s/) /), /g' "$W/text.ids")])"
done

# errors: exit 1 as in text, each error a result with the generic id
run errors $G/bad/multiple_errors.rls
verify errors 1 "errors: exit 1, results with ruleId rlsc-error and places" \
    "len(results) >= 2 and all(r['ruleId'] == 'rlsc-error' and r['level'] == 'error' for r in results)" \
    "all(r['locations'] for r in results)"
if grep -q 'error' "$W/errors.err"; then
    tap_not_ok "errors: not repeated on stderr" "$W/errors.err"
else
    tap_ok "errors: not repeated on stderr"
fi

# hostile bytes: a path with a control byte, a quote, a backslash and a
# byte that is not UTF-8; a file that cannot be read (exit 2)
hostile=$(printf '%s/h\001"\\\377 \303\251.rls' "$W")
printf 'table t {\n    allow select using (1 = 2);\n    deny insert, update, delete;\n}\n' >"$hostile"
run hostile "$hostile"
verify hostile 0 "a hostile path: valid JSON, the path percent-encoded" \
    "[r['ruleId'] for r in results] == ['RLS107']" \
    "results[0]['locations'][0]['physicalLocation']['artifactLocation']['uri'].endswith('/h%01%22%5C%FF%20%C3%A9.rls')"
run missing "$hostile.missing"
verify missing 2 "an unreadable file: exit 2, valid JSON with an rlsc-failure result" \
    "[r['ruleId'] for r in results] == ['rlsc-failure'] and 'locations' in results[0] and results[0]['locations'] == []" \
    "'\\ufffd' in results[0]['message']['text'] and '\\x01' in results[0]['message']['text']"
grep -q 'cannot read' "$W/missing.err" && tap_ok "an unreadable file: said on stderr too" ||
    tap_not_ok "an unreadable file: said on stderr too" "$W/missing.err"

# usage
rc=0
"$RLSC" check --format xml $CAT $G/lint/pragmas.rls >"$W/out" 2>"$W/err" || rc=$?
[ "$rc" = 2 ] && grep -q "give text or sarif" "$W/err" && [ ! -s "$W/out" ] &&
    tap_ok "--format xml: a usage error" || tap_not_ok "--format xml: a usage error (exit $rc)" "$W/err"
rc=0
"$RLSC" check --format=text $CAT $G/lint/pragmas.rls >"$W/out" 2>"$W/err" || rc=$?
"$RLSC" check $CAT $G/lint/pragmas.rls 2>"$W/err2" >/dev/null
[ "$rc" = 0 ] && cmp -s "$W/err" "$W/err2" && [ ! -s "$W/out" ] &&
    tap_ok "--format=text is the default output" || tap_not_ok "--format=text is the default output" "$W/err"

tap_plan
