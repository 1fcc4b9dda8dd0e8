#!/bin/sh
# build.sh — builds the libFuzzer target tests/fuzz/fuzz_pipeline.c.
#
#   tests/fuzz/build.sh [OUTDIR]      (or `make fuzz` in a build directory)
#
# librlsc.a is built with the configured compiler and flags, so this
# compiles the library sources itself with clang and
# -fsanitize=fuzzer,address,undefined, into OUTDIR (default
# $BUILDDIR/fuzz), apart from the normal objects.  It needs the generated
# sources of a configured build: parser/parser.c, parser/parser.h,
# parser/lexer.c and stdlib/stdlib_sql.c (`make` makes them), looked up in
# BUILDDIR, then SRCDIR (a release tarball ships the parser).  The list of
# library sources is read from Makefile.am's librlsc_a_SOURCES;
# lang/catalog_pg.c (libpq, a live server) is left out.
#
# Environment: SRCDIR (default: two levels above this script), BUILDDIR
# (default: the current directory), FUZZ_CC (default: clang), FUZZ_CFLAGS
# (added last, e.g. -O2 or -fsanitize=memory instead).
# Exit status: 0 built (or up to date), 77 clang or libFuzzer missing (the
# reason on stderr), 1 a compilation failed, 2 generated sources missing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
SRCDIR=$(cd "${SRCDIR:-$here/../..}" && pwd)
BUILDDIR=$(cd "${BUILDDIR:-.}" && pwd)
OUT=${1:-$BUILDDIR/fuzz}
CC=${FUZZ_CC:-clang}
mkdir -p "$OUT/obj"
OUT=$(cd "$OUT" && pwd)

SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer $SAN \
-Wall -Wno-unused-parameter -Wno-unused-function ${FUZZ_CFLAGS:-}"

# newer A B: A exists and was modified after B (test -nt is not POSIX).
newer() {
    [ -n "$(find "$1" -prune -newer "$2" 2>/dev/null)" ]
}

# ---- objects of another compiler or other flags are stale: start afresh
stamp="$CC $CFLAGS"
if [ "$(cat "$OUT/obj/flags" 2>/dev/null)" != "$stamp" ]; then
    rm -f "$OUT/obj/"*.o "$OUT/obj/probe" "$OUT/fuzz_pipeline"
    printf '%s\n' "$stamp" >"$OUT/obj/flags"
fi

# ---- can this compiler build a libFuzzer target at all?
command -v "$CC" >/dev/null 2>&1 || {
    echo "build.sh: no $CC (Debian: apt-get install clang libclang-rt-14-dev)" >&2
    exit 77
}
probe=$OUT/obj/probe
if [ ! -x "$probe" ]; then
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }' >"$probe.c"
    # shellcheck disable=SC2086
    if ! "$CC" -fsanitize=fuzzer $SAN "$probe.c" -o "$probe" >"$probe.log" 2>&1; then
        echo "build.sh: $CC cannot link -fsanitize=fuzzer (Debian: apt-get install" \
             "libclang-rt-14-dev): $(head -3 "$probe.log" | tr '\n' ' ')" >&2
        exit 77
    fi
fi

# ---- generated sources: from the build directory, else the source tree
gen() {
    for d in "$BUILDDIR" "$SRCDIR"; do
        [ -f "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    echo "build.sh: $1 is missing in $BUILDDIR (run make there first)" >&2
    exit 2
}
parser_c=$(gen parser/parser.c)
parser_h=$(gen parser/parser.h)
lexer_c=$(gen parser/lexer.c)
stdlib_c=$(gen stdlib/stdlib_sql.c)
parser_dir=$(dirname "$parser_h")

# The catalogs the typed run checks against, as C strings (stdlib/embed.awk).
catalog_c=$OUT/obj/fuzz_catalog.c
cats="$SRCDIR/tests/golden/catalog/shop.rls $SRCDIR/examples/billing/catalog.rls"
stale=false
for f in $cats "$SRCDIR/stdlib/embed.awk"; do
    newer "$catalog_c" "$f" || stale=true
done
if $stale; then
    {
        awk -v name=fuzz_catalog_shop -f "$SRCDIR/stdlib/embed.awk" "$SRCDIR/tests/golden/catalog/shop.rls"
        awk -v name=fuzz_catalog_billing -f "$SRCDIR/stdlib/embed.awk" "$SRCDIR/examples/billing/catalog.rls"
    } >"$catalog_c.tmp"
    mv "$catalog_c.tmp" "$catalog_c"
fi

# The library's sources, as Makefile.am lists them (so a new file there is
# picked up here): the grammar and scanner become their generated C, and
# what reads a live server is left out: lang/catalog_pg.c, lang/pgconn.c, lang/import.c,
# codegen/drift.c and codegen/testrun.c (libpq), and lang/pgexpr.c (libpg_query, for
# import only).
lib_sources=$(awk '/^librlsc_a_SOURCES[ \t]*=/ { on = 1; sub(/^[^=]*=/, "") }
    on { more = /\\$/; sub(/\\$/, ""); print; if (!more) exit }' "$SRCDIR/Makefile.am")
[ -n "$lib_sources" ] || { echo "build.sh: no librlsc_a_SOURCES in $SRCDIR/Makefile.am" >&2; exit 1; }
sources='' headers=$parser_h
for f in $lib_sources; do
    case $f in
    parser/parser.y) sources="$sources $parser_c" ;;
    parser/lexer.l) sources="$sources $lexer_c" ;;
    lang/catalog_pg.c | lang/pgconn.c | lang/import.c | lang/pgexpr.c | codegen/drift.c | \
        codegen/testrun.c) ;;
    *.c) sources="$sources $SRCDIR/$f" ;;
    *.h) headers="$headers $SRCDIR/$f" ;;
    *) echo "build.sh: $f in librlsc_a_SOURCES: do not know how to build it" >&2; exit 1 ;;
    esac
done
sources="$sources $stdlib_c $catalog_c $SRCDIR/tests/fuzz/fuzz_pipeline.c"

# ---- compile what changed (in parallel), then link
objs='' pids='' rc=0
for src in $sources; do
    base=$(basename "$src" .c)
    obj=$OUT/obj/$base.o
    objs="$objs $obj"
    fresh=true
    for dep in "$src" $headers; do
        newer "$obj" "$dep" || fresh=false
    done
    $fresh && continue
    sanitize=-fsanitize=fuzzer-no-link
    # shellcheck disable=SC2086
    "$CC" $CFLAGS $sanitize -DPACKAGE_VERSION='"fuzz"' -I"$SRCDIR/lang" -I"$SRCDIR/codegen" -I"$SRCDIR/parser" -I"$parser_dir" \
        -c "$src" -o "$obj.tmp.o" && mv "$obj.tmp.o" "$obj" &
    pids="$pids $!"
done
for p in $pids; do
    wait "$p" || rc=1
done
[ $rc -eq 0 ] || { echo "build.sh: compilation failed" >&2; exit 1; }

bin=$OUT/fuzz_pipeline
relink=false
for o in $objs; do
    newer "$bin" "$o" || relink=true
done
if $relink; then
    # shellcheck disable=SC2086
    "$CC" $CFLAGS -fsanitize=fuzzer $objs -o "$bin.tmp"
    mv "$bin.tmp" "$bin"
fi
echo "$bin"
