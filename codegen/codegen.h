/*
 * codegen.h — the emitters: SQL scripts and Django migrations from the IR.
 */
#ifndef RLSC_CODEGEN_H
#define RLSC_CODEGEN_H

#include "ir.h"

/* The SQL that applies the IR (down: removes it again).  With txn, the
 * script is wrapped in BEGIN/COMMIT; without, the caller provides one
 * (a Django migration runs in its own transaction). */
void emit_sql(StrBuf *out, const Ir *ir, bool down, bool txn);

/* The SQL that turns a database with policies `from` into one with `to`
 * (either may be empty): CREATE, ALTER where PostgreSQL allows it, else
 * DROP and CREATE.  With summary, one line per change is added there. */
void emit_diff(StrBuf *out, StrBuf *summary, const Ir *from, const Ir *to);

/* Splits a script into its statements (const char *), in order, so that
 * their concatenation is exactly sql; see emit_sql.c for the lexing. */
void emit_statements(Arena *a, const char *sql, PtrVec *out);

/* rlsc django: writes (or with check/dry_run, reports) the next migration
 * of the app in dir.  Returns the exit status. */
typedef struct DjangoOpts {
    const char *dir;
    const char *name;  /* NULL: rlsc_policies */
    bool check, dry_run;
    const char *const *sources; /* the .rls paths, named in the header */
    int nsources;
    /* Django's migration graph, as `manage.py makemigrations` reads it: */
    const char *const *after;      /* dependencies, "NAME" or "APP.NAME"; none: the newest file */
    int nafter;
    const char *const *run_before; /* migrations that must run after this one */
    int nrun_before;
    const IrTableName *renamed_from, *renamed_to; /* tables renamed since the state */
    int nrenamed;
    const IrTableName *deleted;    /* with deleted: only the policies of these tables go */
    int ndeleted;
} DjangoOpts;
/* ir NULL: the migration that removes the policies of o->deleted. */
int emit_django(Arena *a, const Ir *ir, const char *app, const DjangoOpts *o);

/* The stdlib SQL (schema rlsc and its helpers), built into the binary. */
extern const char emit_stdlib_up_sql[];
extern const char emit_stdlib_legacy_up_sql[];
extern const char emit_stdlib_down_sql[]; /* @ARGS@: the entry point's arguments */

#endif
