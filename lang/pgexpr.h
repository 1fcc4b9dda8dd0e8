/*
 * pgexpr.h — PostgreSQL expressions, as pg_get_expr prints them, written
 * back in .rls condition syntax (pgexpr.c).  For `rlsc import`.  Module
 * prefix pgexpr_.
 */
#ifndef RLSC_PGEXPR_H
#define RLSC_PGEXPR_H

#include "util.h"

/* Parses expr with PostgreSQL's own parser (libpg_query) and appends it to
 * out in .rls condition syntax, meaning the same expression.  false when
 * it has something the .rls grammar cannot say (or does not parse):
 * *why then names it, and out is left as it was. */
bool pgexpr_to_rls(Arena *a, const char *expr, StrBuf *out, const char **why);

/* One expression as libpg_query read it: the text parsed (constants need
 * it) and a node of its tree (json.h). */
typedef struct PgExpr {
    const char *sql;
    const struct Json *node;
} PgExpr;

/* pgexpr_to_rls in two steps, so that import.c can look at the tree
 * between them: parse (false and *why when it does not), then print e (the
 * whole or a part) in .rls syntax, each context read whose
 * pgexpr_context_key is in contexts (may be NULL) as `$name`. */
bool pgexpr_parse(Arena *a, const char *expr, PgExpr *out, const char **why);
bool pgexpr_print(Arena *a, PgExpr e, const Map *contexts, StrBuf *out, const char **why);

/* The shapes of rlsc's own policies (lang/lower.c), as pg_get_expr prints
 * them, for `rlsc import`; each is a guess that the caller verifies by
 * compiling.  A context read (SELECT CAST(NULLIF(current_setting('S',
 * true), '') AS T)): *setting S and *type T in .rls syntax. */
bool pgexpr_context_read(Arena *a, PgExpr e, const char **setting, const char **type);
/* The key of a context read in the map pgexpr_print takes. */
const char *pgexpr_context_key(Arena *a, const char *setting, const char *type);
/* Every context read in e: setting and type pushed in pairs onto found. */
void pgexpr_context_reads(Arena *a, PgExpr e, PtrVec *found);
/* The operands of e's top-level OR (AND) into *args (e alone when it is
 * none); returns their count. */
int pgexpr_or_args(Arena *a, PgExpr e, PgExpr **args);
int pgexpr_and_args(Arena *a, PgExpr e, PgExpr **args);
/* A grant's permission check (SELECT CASE WHEN current_setting(
 * 'rlsc.perms_user', true) IS DISTINCT FROM ... ELSE rlsc.has_perm('S',
 * 'app', 'codename') END): *setting is the user context's setting. */
bool pgexpr_perm_check(PgExpr e, const char **setting, const char **app, const char **codename);
/* The bypass exemption (SELECT pg_has_role('R', 'USAGE') [OR ...]): its
 * roles pushed onto roles, in the order written. */
bool pgexpr_bypass_read(Arena *a, PgExpr e, PtrVec *roles);
/* The constant true. */
bool pgexpr_is_true(PgExpr e);
/* (X) IS NOT TRUE: *arg is X. */
bool pgexpr_not_true(PgExpr e, PgExpr *arg);
/* lower.c's foreign-key path of `tenant a__b__c;`: col = ANY (ARRAY(SELECT
 * t1.id FROM T1 t1 WHERE t1.c2 = ANY (...  t2.c3 = X))): the columns col,
 * c2, c3 onto columns, and *rhs is X. */
bool pgexpr_tenant_path(Arena *a, PgExpr e, PtrVec *columns, PgExpr *rhs);
/* column = X, the column one bare name: *rhs is X. */
bool pgexpr_column_eq(PgExpr e, const char **column, PgExpr *rhs);
/* A name as .rls reads it: bare when it is a lower-case word that is no
 * reserved word of .rls, else double-quoted. */
void pgexpr_ident(StrBuf *sb, const char *name);

#endif
