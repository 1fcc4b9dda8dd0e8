/*
 * compile.h — the front half of the pipeline: names, types and lowering of the AST
 * to the IR, and the checks that need both the catalog and the IR.
 */
#ifndef RLSC_COMPILE_H
#define RLSC_COMPILE_H

#include "ast.h"
#include "catalog.h"
#include "ir.h"

/* Resolves names and command rules of the files against cat (which may
 * hold only the prelude); reports into d. */
void resolve_files(Arena *a, Diag *d, AstFile **files, int nfiles, const Catalog *cat);
/* Types every condition, tenant column and context; call after
 * resolve_files.  Without catalog tables, columns are typed `any`. */
void typecheck_files(Arena *a, Diag *d, AstFile **files, int nfiles, const Catalog *cat);
/* The database the policies are lowered for (`--target`).  The IR
 * records none: its conditions are final SQL, so a migration after a
 * change of target is an ordinary diff of them. */
typedef enum LowerTarget {
    LOWER_POSTGRES, /* PostgreSQL: context reads and lookups as InitPlans */
    LOWER_CITUS,    /* Citus: no subquery in any policy (lower.c) */
} LowerTarget;

/* Lowers checked files into one IR.  Call only when check found no error. */
Ir *lower_files(Arena *a, Diag *d, AstFile **files, int nfiles);
/* The same for target; a rule the target cannot take is reported in d. */
Ir *lower_files_for(Arena *a, Diag *d, AstFile **files, int nfiles, LowerTarget target);

/* Parse, check and lower into *out.  Returns the exit status: 0 success,
 * 1 errors reported in d, 2 a file could not be read (said through d).
 * compile_lint also runs the lints (`rlsc check`) when compiling succeeds. */
int compile_files(Arena *a, Diag *d, const char *const *paths, int npaths,
                  Catalog *cat, Ir **out);
/* The same, lowered for target. */
int compile_files_for(Arena *a, Diag *d, const char *const *paths, int npaths,
                      Catalog *cat, LowerTarget target, Ir **out);
int compile_lint(Arena *a, Diag *d, const char *const *paths, int npaths,
                 Catalog *cat, LowerTarget target, Ir **out);

/* The lints of `rlsc check` over checked files and their IR (lint.c):
 * warnings with ids, each silenced by `-- rlsc: allow ID`. */
void lint_files(Arena *a, Diag *d, AstFile **files, int nfiles, const Catalog *cat,
                const Ir *ir);

/* How has_perm reads an id of type t: "int8" (the integer types), "uuid",
 * "text" (text, varchar), or NULL for a type a user key cannot have. */
const char *auth_id_type(const Type *t);
/* The user tables the catalog has; without a catalog, Django's default.
 * False, with why set, when a catalog is loaded but has no usable user
 * model; the user's key column type is left in *key_type. */
bool auth_find(Arena *a, const Catalog *cat, IrAuth *out, const Type **key_type,
               const char **why);

/* Warns where Django's on_delete=CASCADE deletes children of a row the
 * policies may refuse to delete (cascade.c). */
void cascade_check(Arena *a, Diag *d, const Catalog *cat, const Ir *ir);

#endif
