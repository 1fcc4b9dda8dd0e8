#!/bin/sh
# prelude_gen.sh — stdlib/prelude.rls regenerated from a PostgreSQL server's
# pg_proc (issue 10): every pg_catalog overload of every name the prelude
# lists, so that an ambiguity PostgreSQL sees ("is not unique") cannot look
# unique to rlsc.  The prelude's header and sections stay as they are; the
# lines of each section are all the overloads of the names it lists, in
# pg_proc's spelling (format_type, `variadic` for provariadic, `default`
# for the last pronargdefaults parameters, `setof`).
#
#   PSQL='psql -X -h SOCKDIR -p PORT -U postgres -d postgres' \
#       sh stdlib/prelude_gen.sh stdlib/prelude.rls > new.rls
#
# tests/pg/prelude.sh runs it against the test server and fails when the
# result differs from the file.  Aggregates without arguments are left
# out: PostgreSQL calls count() only as count(*), which is syntax to rlsc.
set -eu
prelude=$1
names=$(sed -n 's/^\(aggregate \)\{0,1\}function \([a-z_0-9]*\)(.*/\2/p' "$prelude" | sort -u |
        tr '\n' ' ')
# name|line, one row per overload, ordered by name and signature
$PSQL -At -v ON_ERROR_STOP=1 -c "
SELECT l FROM (SELECT p.proname || '|' || CASE WHEN p.prokind = 'a' THEN 'aggregate ' ELSE '' END
       || 'function ' || p.proname || '('
       || COALESCE((SELECT string_agg(CASE WHEN p.provariadic <> 0 AND a.i = p.pronargs
                                           THEN 'variadic ' ELSE '' END
                                      || pg_catalog.format_type(a.t, NULL)
                                      || CASE WHEN a.i > p.pronargs - p.pronargdefaults
                                              THEN ' default' ELSE '' END, ', ' ORDER BY a.i)
                    FROM unnest(p.proargtypes) WITH ORDINALITY AS a(t, i)), '')
       || ') returns ' || CASE WHEN p.proretset THEN 'setof ' ELSE '' END
       || pg_catalog.format_type(p.prorettype, NULL) || ';' AS l
FROM pg_catalog.pg_proc p
WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind IN ('f', 'a')
  AND p.proname = ANY (string_to_array(trim('$names'), ' '))
  AND NOT (p.prokind = 'a' AND p.pronargs = 0)) s
ORDER BY l COLLATE \"C\"" >"${TMPDIR:-/tmp}/prelude_gen.$$"
# Copy comments and blank lines; in place of each section's function lines,
# every overload of the names they list, in the order of first mention.
awk -F'|' -v rows="${TMPDIR:-/tmp}/prelude_gen.$$" '
BEGIN { while ((getline l < rows) > 0) { i = index(l, "|"); n = substr(l, 1, i - 1)
                                         lines[n] = lines[n] substr(l, i + 1) "\n" } }
/^(aggregate )?function / {
    name = $0; sub(/^(aggregate )?function /, "", name); sub(/\(.*/, "", name)
    if (!(name in done)) { done[name] = 1; printf "%s", lines[name] }
    next
}
{ print }
' "$prelude"
rm -f "${TMPDIR:-/tmp}/prelude_gen.$$"
