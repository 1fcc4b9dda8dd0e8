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
/* A name as .rls reads it: bare when it is a lower-case word that is no
 * reserved word of .rls, else double-quoted. */
void pgexpr_ident(StrBuf *sb, const char *name);

#endif
