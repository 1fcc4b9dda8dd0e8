#!/bin/sh
# tests/explain/run.sh — `rlsc explain` without a database.  TAP; plan at
# the end.
#
#   goldens    each case below in the three formats, byte for byte against
#              expected/NAME.{txt,md,html} (checked by hand once; see
#              tests/explain/README.md).  UPDATE_GOLDEN=1 rewrites them:
#              review `git diff` before committing.
#   --against  cases/against_old.rls -> against_new.rls: each verdict
#              (widened, narrowed, changed, unchanged) where the case says;
#              a file against itself says that nothing changed; exit 0.
#   escaping   cases/hostile.rls: no tag of the user's reaches the HTML,
#              no unescaped | splits a markdown row.
#   errors     compile errors exit 1 with diagnostics and nothing on
#              stdout (either side of --against); bad usage exits 2.
: "${RLSC:?}" "${SRCDIR:?}"
. "$SRCDIR/tests/lib/tap.sh"
LC_ALL=C
export LC_ALL

D=$SRCDIR/tests/explain
W=$(mktemp -d "${TMPDIR:-/tmp}/rlsc-explain.XXXXXX") || tap_bail "no temporary directory"
trap 'rm -rf "$W"' EXIT INT TERM HUP
cd "$SRCDIR" || tap_bail "no source directory"

# NAME=FILES...: the golden cases (paths relative to SRCDIR)
cases="billing=tests/pg/cases/billing.rls
combine=tests/pg/cases/combine.rls
deny=tests/pg/cases/deny.rls
default_deny=tests/pg/cases/default_deny.rls
grants=tests/pg/cases/grants.rls
percmd=tests/pg/cases/percmd.rls
hostile_names=tests/golden/ok/hostile_names.rls
hostile=tests/explain/cases/hostile.rls
against=--against tests/explain/cases/against_old.rls tests/explain/cases/against_new.rls"

# golden NAME EXT FORMAT ARGS...
golden()
{
    name=$1 ext=$2 fmt=$3
    shift 3
    "$RLSC" explain --format "$fmt" "$@" >"$W/$name.$ext" 2>"$W/$name.err"
    rc=$?
    if [ "$rc" != 0 ]; then
        tap_not_ok "$name, $fmt: exit $rc" "$W/$name.err"
        return
    fi
    if [ -n "${UPDATE_GOLDEN:-}" ]; then
        cp "$W/$name.$ext" "$D/expected/$name.$ext"
    fi
    diff -u "$D/expected/$name.$ext" "$W/$name.$ext" >"$W/$name.diff" 2>&1
    tap_result $? "$name, $fmt: as expected/$name.$ext" "$W/$name.diff"
}

mkdir -p "$D/expected" 2>/dev/null
printf '%s\n' "$cases" >"$W/cases"
while IFS='=' read -r name args; do
    # shellcheck disable=SC2086 # the arguments are words
    golden "$name" txt text $args
    # shellcheck disable=SC2086
    golden "$name" md markdown $args
    # shellcheck disable=SC2086
    golden "$name" html html $args
done <"$W/cases"

# ---- the text format's default and its semantics, spot-checked
"$RLSC" explain tests/pg/cases/billing.rls >"$W/default.txt" 2>/dev/null &&
    cmp -s "$W/default.txt" "$D/expected/billing.txt"
tap_result $? "text is the default format"
# billing: the auditor reads every invoice of its tenant (its own `allow
# select` OR-ed with the grant is true; the tenant restriction remains)
awk '/^billing_invoice$/ { t = 1 } /^$/ { t = 0 }
     t && /^  \[[0-9]+\] select: auditor$/ { getline; print; exit }' "$W/default.txt" >"$W/aud"
grep -qx '      rows: ("customer_id" = (SELECT CAST(NULLIF(pg_catalog.current_setting('"'"'app.tenant_id'"'"', true), '"'"''"'"') AS bigint)))' "$W/aud"
tap_result $? "billing: auditor selects the invoices of its tenant, no permission needed" "$W/aud"
awk '/^billing_invoice$/ { t = 1 } t && /^  update / { print; exit }' "$W/default.txt" >"$W/upd"
grep -Eq '^  update +none +some \[[0-9]+\] +all +none *$' "$W/upd"
tap_result $? "billing: invoices update: auditor none, billing_app some, support (bypass) all, others none" "$W/upd"

# ---- --against
A="--against tests/explain/cases/against_old.rls tests/explain/cases/against_new.rls"
# shellcheck disable=SC2086
"$RLSC" explain $A >"$W/ag.txt" 2>"$W/ag.err"
tap_result $? "--against exits 0 with changes (it is a report)" "$W/ag.err"
row() { awk -v t="$1" -v c="$2" '$0 == t { on = 1; next } /^$/ { on = 0 }
        on && $1 == c { print; exit }' "$W/ag.txt"; }
row notes select >"$W/r"
grep -Eq '^  select +widened \[1\] +widened \[2\] +widened \[2\] *$' "$W/r"
tap_result $? "select gains an OR-ed alternative: widened for every role" "$W/r" "$W/ag.txt"
row notes insert >"$W/r"
grep -Eq '^  insert +widened: none -> some \[[0-9]+\] += += *$' "$W/r"
tap_result $? "insert for reader: none -> some widened, the rest unchanged (=)" "$W/r"
row notes update >"$W/r"
grep -Eq '^  update += +changed \[[0-9]+\] += *$' "$W/r"
tap_result $? "update for writer: a replaced WITH CHECK is changed" "$W/r"
row notes delete >"$W/r"
grep -Eq '^  delete += +narrowed: all -> some \[[0-9]+\] += *$' "$W/r"
tap_result $? "delete for writer: a new deny (AND) narrows all -> some" "$W/r"
grep -qx 'same: unchanged' "$W/ag.txt"
tap_result $? "an unchanged table says so" "$W/ag.txt"
grep -qx 'fresh: new table (before: no RLS, all rows)' "$W/ag.txt" &&
    grep -qx 'gone: table dropped from the files (now: no RLS, all rows)' "$W/ag.txt"
tap_result $? "a new table and a dropped one are named as such" "$W/ag.txt"
"$RLSC" explain --against tests/pg/cases/billing.rls tests/pg/cases/billing.rls >"$W/same.txt" 2>/dev/null
rc=$?
[ "$rc" = 0 ] && [ "$(cat "$W/same.txt")" = "nothing changed: every table, command and role has the same access" ]
tap_result $? "a file against itself: nothing changed, exit 0 (exit $rc)" "$W/same.txt"
# an alternative that admits every row widens any other (tenant remains)
printf 'context tenant bigint = %s;\nrole r;\ntable t {\n    tenant tenant_id;\n    allow select using (%s);\n}\n' \
    "'app.tenant'" "is_public" >"$W/t_old.rls"
printf 'context tenant bigint = %s;\nrole r;\ntable t {\n    tenant tenant_id;\n    allow select using (%s);\n    allow select to r;\n}\n' \
    "'app.tenant'" "is_public" >"$W/t_new.rls"
"$RLSC" explain --against "$W/t_old.rls" "$W/t_new.rls" >"$W/t.txt" 2>/dev/null
grep -Eq '^  select +widened \[1\] += *$' "$W/t.txt"
tap_result $? "some -> some by an alternative that admits all rows: widened" "$W/t.txt"
"$RLSC" explain --against "$W/t_new.rls" "$W/t_old.rls" >"$W/t.txt" 2>/dev/null
grep -Eq '^  select +narrowed \[1\] += *$' "$W/t.txt"
tap_result $? "and back: narrowed" "$W/t.txt"
for f in markdown html; do
    "$RLSC" explain --format $f --against tests/pg/cases/billing.rls tests/pg/cases/billing.rls \
        >"$W/same.$f" 2>/dev/null && grep -q 'Nothing changed' "$W/same.$f"
    tap_result $? "$f: nothing changed says so" "$W/same.$f"
done

# ---- escaping
"$RLSC" explain --format html tests/explain/cases/hostile.rls >"$W/h.html" 2>/dev/null
! grep -qi '<script\|<b>\|</pre></details>' "$W/h.html"
tap_result $? "html: no tag from names or conditions reaches the page" "$W/h.html"
grep -qF '&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;' "$W/h.html" &&
    grep -qF '&lt;/pre&gt;&lt;/details&gt;&lt;script&gt;alert(2)&lt;/script&gt; | ``` &lt;b&gt;&amp;amp;' "$W/h.html"
tap_result $? "html: the table name and the condition are shown escaped" "$W/h.html"
! grep -qi ' src=\| href=\|<link\|@import\|url(' "$W/h.html" "$D/expected/billing.html"
tap_result $? "html: self-contained (no external resource)"
"$RLSC" explain --format markdown tests/explain/cases/hostile.rls >"$W/h.md" 2>/dev/null
# a row of the matrix has exactly ncols + 1 unescaped pipes (4 columns here)
awk '/^\| / { s = $0; gsub(/\\\|/, "", s); n = gsub(/\|/, "", s); if (n != 5) bad = 1 }
     END { exit bad }' "$W/h.md"
tap_result $? "markdown: every | in a name is escaped (5 cell borders per row)" "$W/h.md"
! grep -v '^`\|^("note"' "$W/h.md" | grep -q '<'
tap_result $? "markdown: no < outside code blocks" "$W/h.md"
grep -qx '````sql' "$W/h.md"
tap_result $? "markdown: a condition holding \`\`\` gets a longer fence" "$W/h.md"

# ---- errors
printf 'table t {\n    allow select using (;\n}\n' >"$W/bad.rls"
"$RLSC" explain "$W/bad.rls" >"$W/bad.out" 2>"$W/bad.err"
rc=$?
[ "$rc" = 1 ] && [ ! -s "$W/bad.out" ] && grep -q 'error' "$W/bad.err"
tap_result $? "a compile error: exit 1 ($rc), a diagnostic, nothing on stdout" "$W/bad.err" "$W/bad.out"
"$RLSC" explain --format html --against "$W/bad.rls" tests/pg/cases/billing.rls >"$W/bad.out" 2>"$W/bad.err"
rc=$?
[ "$rc" = 1 ] && [ ! -s "$W/bad.out" ] && grep -q 'bad.rls:2:' "$W/bad.err"
tap_result $? "a compile error in OLD.rls: exit 1 ($rc), located, nothing on stdout" "$W/bad.err" "$W/bad.out"
usage()
{
    desc=$1
    shift
    "$RLSC" explain "$@" >"$W/u.out" 2>"$W/u.err"
    rc=$?
    [ "$rc" = 2 ] && [ ! -s "$W/u.out" ] && [ -s "$W/u.err" ]
    tap_result $? "$desc: exit 2 ($rc), a message, nothing on stdout" "$W/u.err" "$W/u.out"
}
usage "--format pdf" --format pdf tests/pg/cases/billing.rls
usage "--format without a value" tests/pg/cases/billing.rls --format
usage "--format twice" --format text --format html tests/pg/cases/billing.rls
usage "no input files" --format text
usage "an unknown option" --frobnicate tests/pg/cases/billing.rls
usage "--against a missing file" --against "$W/missing.rls" tests/pg/cases/billing.rls
usage "a missing input file" "$W/missing.rls"
usage "--against with --db" --against tests/pg/cases/billing.rls --db "dbname=x" tests/pg/cases/billing.rls
grep -q 'give --against or --db, not both' "$W/u.err"
tap_result $? "--against with --db: the message says what to give" "$W/u.err"

tap_plan
