/*
 * nosublink.c — does any policy of a SQL script hold a subquery?
 *
 *   nosublink FILE.sql...
 *
 * Parses each script with PostgreSQL's own parser (libpg_query) and looks
 * into the USING and WITH CHECK of every CREATE POLICY and ALTER POLICY
 * for a SubLink node: `(SELECT ...)`, EXISTS, IN (SELECT ...), ARRAY(SELECT
 * ...), ANY/ALL (SELECT ...) all parse to one.  Citus refuses them in the
 * policies of distributed tables, so `rlsc sql --target citus` must write
 * none (tests/pg/citus.sh).  Prints one line per policy with a subquery
 * and a count per file; exit 0: none, 1: some, 2: a file could not be
 * read or parsed, or holds no policy at all (nothing was checked).
 */
#include "json.h"

#include <pg_query.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool has_sublink(const Json *v)
{
    if (!v || (v->kind != JSON_OBJECT && v->kind != JSON_ARRAY))
        return false;
    for (int i = 0; i < v->n; i++) {
        if (v->kind == JSON_OBJECT && strcmp(v->keys[i], "SubLink") == 0)
            return true;
        if (has_sublink(v->items[i]))
            return true;
    }
    return false;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    for (size_t got; s && (got = fread(s + n, 1, cap - n - 1, f)) > 0;) {
        n += got;
        if (n + 1 == cap) {
            char *t = realloc(s, cap *= 2);
            if (!t) {
                free(s);
                s = NULL;
                break;
            }
            s = t;
        }
    }
    fclose(f);
    if (s)
        s[n] = '\0';
    return s;
}

/* 0, 1 or 2 as the file's share of the exit status */
static int check_file(const char *path)
{
    char *sql = read_all(path);
    if (!sql) {
        fprintf(stderr, "nosublink: cannot read %s\n", path);
        return 2;
    }
    PgQueryParseResult r = pg_query_parse(sql);
    free(sql);
    if (r.error) {
        fprintf(stderr, "nosublink: %s: %s\n", path, r.error->message);
        pg_query_free_parse_result(r);
        return 2;
    }
    Arena *a = arena_new();
    const char *err = NULL;
    Json *tree = json_parse(a, r.parse_tree, &err);
    pg_query_free_parse_result(r);
    const Json *stmts = tree ? json_get(tree, "stmts") : NULL;
    int policies = 0, bad = 0;
    for (int i = 0; stmts && stmts->kind == JSON_ARRAY && i < stmts->n; i++) {
        const Json *stmt = json_get(stmts->items[i], "stmt");
        const Json *p = json_get(stmt, "CreatePolicyStmt");
        if (!p)
            p = json_get(stmt, "AlterPolicyStmt");
        if (!p)
            continue;
        policies++;
        if (has_sublink(json_get(p, "qual")) || has_sublink(json_get(p, "with_check"))) {
            const Json *table = json_get(p, "table");
            printf("%s: policy %s on %s has a subquery\n", path,
                   json_get_str(p, "policy_name"), json_get_str(table, "relname"));
            bad++;
        }
    }
    arena_free(a);
    if (!tree) {
        fprintf(stderr, "nosublink: %s: the parse tree: %s\n", path, err);
        return 2;
    }
    printf("%s: %d policies, %d with a subquery\n", path, policies, bad);
    return policies == 0 ? 2 : bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: nosublink FILE.sql...\n", stderr);
        return 2;
    }
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        int r = check_file(argv[i]);
        rc = r > rc ? r : rc;
    }
    return rc;
}
