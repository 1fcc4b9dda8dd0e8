#!/bin/sh
# tests/install/run.sh — `make install` into a scratch DESTDIR installs the
# binary, the man page and the Django app for the configured Python, all of
# which work from there; `make uninstall` removes them again.  TAP.
: "${BUILDDIR:?set by make check}"
MAKE=${MAKE:-make}
. "${SRCDIR:-$BUILDDIR/..}/tests/lib/tap.sh"
root=$(mktemp -d) || exit 1
trap 'rm -rf "$root"' EXIT

tap_plan 7
(cd "$BUILDDIR" && $MAKE -s install DESTDIR="$root") > "$root.log" 2>&1
tap_result $? "make install DESTDIR=..."
bin=$(find "$root" -type f -name rlsc -perm -u+x | head -1)
[ -n "$bin" ] && "$bin" --version | grep -q '^rlsc '
tap_result $? "the installed rlsc runs ($bin)"
find "$root" -path '*/man1/rlsc.1' | grep -q .
tap_result $? "the man page is installed"
app=$(find "$root" -path '*/rlsc/middleware.py' | head -1)
[ -n "$app" ] && [ -f "$(dirname "$app")/management/commands/makemigrations.py" ]
tap_result $? "the Django app is installed ($(dirname "${app:-?}"))"
# every Python file of the source app: Makefile.am installs what it finds
# in the package directory, and a new module must not be left out
src=${SRCDIR:-$BUILDDIR/..}/stdlib/django/rlsc
missing=$(cd "$src" && find . -name '*.py' | while read -r f; do
    [ -n "$app" ] && [ -f "$(dirname "$app")/$f" ] || echo "$f"; done)
[ -z "$missing" ]
tap_result $? "every .py of stdlib/django/rlsc is installed${missing:+ (missing: $(echo $missing))}"
if [ -n "$app" ] && [ -n "${DJANGO_PYTHON:-}" ] && "$DJANGO_PYTHON" -c 'import django' 2>/dev/null; then
    PYTHONPATH=$(dirname "$(dirname "$app")") "$DJANGO_PYTHON" -c \
        'import rlsc.contexts, rlsc.middleware, rlsc.checks, rlsc.catalog; import rlsc; assert rlsc.context
import rlsc.management.commands.makemigrations, rlsc.management.commands.squashmigrations
import rlsc.management.commands.rlsc_catalog' 
    tap_result $? "the installed app imports with the configured Python"
else
    tap_skip "the installed app imports" "no Django for DJANGO_PYTHON"
fi
(cd "$BUILDDIR" && $MAKE -s uninstall DESTDIR="$root") >> "$root.log" 2>&1
[ -z "$(find "$root" -type f)" ] && { [ -z "$app" ] || [ ! -e "$(dirname "$app")" ]; }
tap_result $? "make uninstall removes every installed file, and the app's directories"
rm -f "$root.log"
exit 0
