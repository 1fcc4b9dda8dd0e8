/*
 * compile.c — the front half of the pipeline in one call:
 * parse every file, resolve names and check command rules, type the
 * conditions against the catalog, lower to the IR; for `rlsc check`,
 * the lints.
 */
#include "compile.h"

/* Everything up to the IR; the lints too when lint. */
static int compile_run(Arena *a, Diag *d, const char *const *paths, int npaths,
                       Catalog *cat, LowerTarget target, bool lint, Ir **out)
{
    *out = NULL;
    AstFile **files = arena_alloc(a, sizeof(AstFile *) * (size_t)(npaths + 1));
    bool unreadable = false;
    for (int i = 0; i < npaths; i++) {
        files[i] = parse_file(a, d, paths[i]);
        unreadable |= files[i] == NULL;
    }
    if (unreadable)
        return RLSC_ERR_USAGE;
    resolve_files(a, d, files, npaths, cat);
    for (int i = 0; i < npaths; i++)
        cat_add_file(cat, d, files[i], false);
    typecheck_files(a, d, files, npaths, cat);
    if (d->errors)
        return RLSC_ERR_INPUT;
    Ir *ir = lower_files_for(a, d, files, npaths, target);
    if (d->errors)
        return RLSC_ERR_INPUT;
    /* the user tables the permission helper reads (typecheck_files has
     * reported a catalog without them) */
    const Type *key_type;
    const char *why;
    if (ir->perm_helper && !auth_find(a, cat, &ir->auth, &key_type, &why))
        return RLSC_ERR_INPUT;
    cascade_check(a, d, cat, ir);
    if (lint)
        lint_files(a, d, files, npaths, cat, ir);
    *out = ir;
    return RLSC_OK;
}

int compile_files(Arena *a, Diag *d, const char *const *paths, int npaths,
                  Catalog *cat, Ir **out)
{
    return compile_run(a, d, paths, npaths, cat, LOWER_POSTGRES, false, out);
}

int compile_files_for(Arena *a, Diag *d, const char *const *paths, int npaths,
                      Catalog *cat, LowerTarget target, Ir **out)
{
    return compile_run(a, d, paths, npaths, cat, target, false, out);
}

int compile_lint(Arena *a, Diag *d, const char *const *paths, int npaths,
                 Catalog *cat, LowerTarget target, Ir **out)
{
    return compile_run(a, d, paths, npaths, cat, target, true, out);
}
