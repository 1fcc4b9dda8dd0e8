#!/bin/sh
# tests/unit/keywords.sh — the copies of parser/kwlist.h agree with it (TAP).
#
# kwlist.h is the one list of keywords: parse.c and the unit tests include
# it, but two places cannot, so they keep a copy that this test checks, as
# PostgreSQL's check_keywords.pl checks gram.y against its kwlist.h:
#
#   parser/parser.y   the %token of each keyword (bison has no #include),
#                     the rules unreserved and type_unreserved, which
#                     list the keywords that stay names, and reserved
#   stdlib/django/rlsc/catalog.py   KEYWORDS, the words the Django app
#                     quotes when it writes a catalog (installed without
#                     the C sources)
#
# A failure names each difference and the line to add or remove.
#
# Environment: SRCDIR (make check sets it; default two levels above this
# script), DJANGO_PYTHON (else python3, else the catalog.py check skips).

LC_ALL=C
export LC_ALL

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=$(cd "${SRCDIR:-$here/../..}" && pwd) || { echo "Bail out! no source dir"; exit 1; }
. "$SRCDIR/tests/lib/tap.sh"
KWLIST=$SRCDIR/parser/kwlist.h
GRAMMAR=$SRCDIR/parser/parser.y
CATALOG_PY=$SRCDIR/stdlib/django/rlsc/catalog.py
W=$(mktemp -d "${TMPDIR:-/tmp}/rlsc-keywords.XXXXXX") || tap_bail "no temporary directory"
trap 'rm -rf "$W"' EXIT
trap 'exit 130' INT TERM

tap_plan 5
# result DESCRIPTION: ok when $W/out is empty, else not ok with its lines.
result()
{
    if [ -s "$W/out" ]; then
        tap_not_ok "$1" "$W/out"
    else
        tap_ok "$1"
    fi
}

# ---- kwlist.h as "word token category" lines
awk '
    /^RLS_KEYWORD\(/ {
        if (match($0, /^RLS_KEYWORD\("[a-z_]+", *[A-Z][A-Z0-9_]*, *[A-Z_]+\)$/) == 0) {
            printf "kwlist.h:%d: not RLS_KEYWORD(\"word\", TOKEN, CATEGORY): %s\n", NR, $0 > "/dev/stderr"
            bad = 1
            next
        }
        line = $0
        gsub(/^RLS_KEYWORD\(|[" )]/, "", line)
        split(line, f, ",")
        print f[1], f[2], f[3]
    }
    END { exit bad }
' "$KWLIST" >"$W/kw" 2>"$W/kw.err"
if [ $? -ne 0 ] || [ ! -s "$W/kw" ]; then
    tap_bail "cannot read $KWLIST" "$W/kw.err"
fi

# ---- 1. parser.y declares every keyword token, with its word as the
# name syntax errors show, between the marker comment and the %type lines.
# The keywords of one shared token share a category, and its name is not
# any one word.
awk -v grammar="$GRAMMAR" '
    FNR == NR {
        words[$2] = words[$2] ? words[$2] " " $1 : $1
        nwords[$2]++
        if ($2 in cat && cat[$2] != $3)
            printf "kwlist.h: the words of %s have different categories (%s, %s)\n", $2, cat[$2], $3
        cat[$2] = $3
        next
    }
    /^\/\* ---- keywords/ { section = 1; seen_section = 1; next }
    section && /^%/ && !/^%token/ { section = 0 }
    /^%token/ {
        line = $0
        sub(/^%token[ \t]*(<[^>]*>)?/, "", line)
        while (match(line, /[A-Za-z_][A-Za-z0-9_]*([ \t]+"[^"]*")?/)) {
            decl = substr(line, RSTART, RLENGTH)
            line = substr(line, RSTART + RLENGTH)
            name = decl
            sub(/[ \t].*/, "", name)
            alias = ""
            if (decl ~ /"/) {
                alias = decl
                sub(/^[^"]*"/, "", alias)
                sub(/"$/, "", alias)
            }
            if (!section) {
                if (name in words)
                    outside[++nout] = sprintf("parser.y:%d: keyword %s is declared outside the keyword section (from the /* ---- keywords comment to %%type)", FNR, name)
                continue
            }
            if (!(name in words)) {
                printf "parser.y:%d: %s is in the keyword section but not in kwlist.h: add RLS_KEYWORD(\"%s\", %s, CATEGORY) there\n", FNR, name, alias, name
                continue
            }
            declared[name] = 1
            if (nwords[name] == 1 && alias != words[name])
                printf "parser.y:%d: %s shows as \"%s\"; kwlist.h says its word is \"%s\"\n", FNR, name, alias, words[name]
        }
    }
    END {
        if (!seen_section) {
            print "parser.y: no /* ---- keywords comment opens the keyword section"
            exit
        }
        for (i = 1; i <= nout; i++)
            print outside[i]
        for (t in words)
            if (!(t in declared)) {
                if (nwords[t] == 1)
                    printf "parser.y: kwlist.h has %s (\"%s\"): declare %%token <str> %s \"%s\" in the keyword section\n", t, words[t], t, words[t]
                else
                    printf "parser.y: kwlist.h has %s (%s): declare it in the keyword section\n", t, words[t]
            }
    }
' "$W/kw" "$GRAMMAR" | sort >"$W/out"
result "parser.y declares each token of kwlist.h, and no other, as a keyword"

# ---- 2 and 3. The rules that list the keywords that stay names.
# rule_symbols RULE: the symbols of RULE's alternatives, one a line.
rule_symbols()
{
    awk -v rule="$1" '
        $0 ~ "^" rule ":" { on = 1; sub(/^[^:]*:/, "") }
        on {
            gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "")
            if ($0 ~ /^[ \t]*;/) exit
            n = split($0, f, /[^A-Za-z0-9_]+/)
            for (i = 1; i <= n; i++)
                if (f[i] != "") print f[i]
        }
    ' "$GRAMMAR" | sort -u
}
# category_tokens CATEGORY: its tokens in kwlist.h, one a line.
category_tokens()
{
    awk -v c="$1" '$3 == c { print $2 }' "$W/kw" | sort -u
}

rule_symbols type_unreserved >"$W/rule"
category_tokens TYPE_UNRESERVED_KEYWORD >"$W/cat"
diff -u --label "kwlist.h: TYPE_UNRESERVED_KEYWORD" --label "parser.y: type_unreserved" \
    "$W/cat" "$W/rule" >"$W/out"
[ -s "$W/rule" ] || echo "parser.y: no rule type_unreserved" >>"$W/out"
result "parser.y's rule type_unreserved lists kwlist.h's TYPE_UNRESERVED_KEYWORD tokens"

rule_symbols unreserved >"$W/rule"
{ category_tokens UNRESERVED_KEYWORD; echo type_unreserved; } | sort >"$W/cat"
diff -u --label "kwlist.h: UNRESERVED_KEYWORD, and type_unreserved" --label "parser.y: unreserved" \
    "$W/cat" "$W/rule" >"$W/out"
result "parser.y's rule unreserved lists type_unreserved and kwlist.h's UNRESERVED_KEYWORD tokens"

rule_symbols reserved >"$W/rule"
category_tokens RESERVED_KEYWORD >"$W/cat"
diff -u --label "kwlist.h: RESERVED_KEYWORD" --label "parser.y: reserved" \
    "$W/cat" "$W/rule" >"$W/out"
[ -s "$W/rule" ] || echo "parser.y: no rule reserved" >>"$W/out"
result "parser.y's rule reserved lists kwlist.h's RESERVED_KEYWORD tokens"

# ---- 5. The Django app's copy: read without importing the module (which
# needs Django), by evaluating the expression assigned to KEYWORDS.
PY=
for p in "${DJANGO_PYTHON:-}" python3; do
    if [ -n "$p" ] && "$p" -c 'import ast' >/dev/null 2>&1; then
        PY=$p
        break
    fi
done
if [ -z "$PY" ]; then
    tap_skip "rlsc/catalog.py KEYWORDS are kwlist.h's words" "no Python to read it"
    exit 0
fi
awk '{ print $1 }' "$W/kw" | sort >"$W/kw-words"
if "$PY" -c 'import ast, sys
path = sys.argv[1]
for node in ast.parse(open(path, encoding="utf-8").read(), path).body:
    if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "KEYWORDS" for t in node.targets):
        value = eval(compile(ast.Expression(node.value), path, "eval"),
                     {"__builtins__": {}, "frozenset": frozenset})
        print("\n".join(value))
        break
else:
    sys.exit(path + ": no KEYWORDS = ...")' "$CATALOG_PY" >"$W/py-words" 2>"$W/out"; then
    sort "$W/py-words" >"$W/py-sorted"
    diff -u --label "kwlist.h" --label "rlsc/catalog.py: KEYWORDS" \
        "$W/kw-words" "$W/py-sorted" >"$W/out"
fi
result "rlsc/catalog.py KEYWORDS are kwlist.h's words"
