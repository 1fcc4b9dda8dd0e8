/*
 * import.h — the policies of a live database as .rls (import.c), for
 * `rlsc import`.  Module prefix import_.
 */
#ifndef RLSC_IMPORT_H
#define RLSC_IMPORT_H

#include "diag.h"

/* Reads the policies, the RLS and FORCE flags and the roles the policies
 * name from the database of conninfo (all tables with row-level security
 * or policies, or the ntables given, each as PostgreSQL reads a table
 * name) and appends them to out as .rls.  Returns the exit status:
 * RLSC_ERR_INPUT after a diagnostic for what .rls cannot express (then
 * out has nothing of it), RLSC_ERR_USAGE when the database cannot be read
 * or a table does not exist. */
int import_pg(Arena *a, Diag *d, const char *conninfo, const char *const *tables, int ntables,
              bool plain, StrBuf *out);

#endif
