/*
 * codegen.h — the emitters: SQL scripts and migrations from the IR (emit_sql.c),
 * what migration formats share (migrate.c), Django migrations (emit_django.c).
 */
#ifndef RLSC_CODEGEN_H
#define RLSC_CODEGEN_H

#include "ir.h"

/* The SQL that applies the IR (down: removes it again).  With txn, the
 * script is wrapped in BEGIN/COMMIT; without, the caller provides one
 * (a Django migration runs in its own transaction).  emit_sql and
 * emit_diff call sb_flush(out, false) after each table, so an out with a
 * sink streams; the caller flushes the rest. */
void emit_sql(StrBuf *out, const Ir *ir, bool down, bool txn);

/* The SQL that turns a database with policies `from` into one with `to`
 * (either may be empty): CREATE, ALTER where PostgreSQL allows it, else
 * DROP and CREATE.  With summary, one line per change is added there. */
void emit_diff(StrBuf *out, StrBuf *summary, const Ir *from, const Ir *to);

/* A command as CREATE POLICY's FOR names it: SELECT ... DELETE, or ALL. */
const char *emit_cmd(CmdSet c);
/* One `CREATE POLICY p ON table ...;` (table: its SQL name, quoted), as
 * emit_sql writes it. */
void emit_create_policy(StrBuf *out, const char *table, const IrPolicy *p);

/* Splits a script into its statements (const char *), in order, so that
 * their concatenation is exactly sql; see emit_sql.c for the lexing. */
void emit_statements(Arena *a, const char *sql, PtrVec *out);

/* ---- drift.c */

/* rlsc check --db: compares ir with the policies and RLS flags of the
 * database of conninfo, conditions as PostgreSQL stores them, and reports
 * each difference at its rule or table in d.  Returns RLSC_OK,
 * RLSC_ERR_INPUT when there is drift, RLSC_ERR_USAGE after a message when
 * the database cannot be reached or compared.  drifted (may be NULL) gets
 * the tables of ir with a difference, keyed by ir_table_key. */
int drift_check(Arena *a, Diag *d, const char *conninfo, const Ir *ir, Map *drifted);
/* rlsc explain --db: *live gets the policies the database of conninfo has
 * on ir's tables as an IR (a table missing there, or without RLS, is left
 * out: no policy applies to it), *stored gets ir with its conditions as
 * PostgreSQL stores them (made on temporary copies, as drift_check does),
 * so that the two compare as text.  Returns RLSC_OK, or RLSC_ERR_USAGE
 * after a message. */
int drift_live_ir(Arena *a, Diag *d, const char *conninfo, const Ir *ir, Ir **live, Ir **stored);

/* ---- explain.c */

typedef enum ExplainFormat { EXPLAIN_TEXT, EXPLAIN_MARKDOWN, EXPLAIN_HTML } ExplainFormat;
/* rlsc explain: the effective access per table x command x role of ir
 * (none, some or all rows, and the combined condition PostgreSQL applies),
 * or with old, what changed from old to ir per cell (widened, narrowed,
 * changed).  All text is user text and escaped for the format. */
void explain_write(StrBuf *out, Arena *a, const Ir *ir, const Ir *old, ExplainFormat f);

/* ---- testrun.c */

/* rlsc test: runs the tests of ir against the database of conninfo, each
 * in a transaction that applies ir's policies first and is rolled back;
 * TAP into out, flushed after each test.  Returns RLSC_OK when all pass,
 * RLSC_ERR_INPUT when one fails, RLSC_ERR_USAGE after a message in d when
 * the database cannot be reached. */
int testrun_all(Arena *a, Diag *d, const char *conninfo, const Ir *ir, StrBuf *out);

/* ---- migrate.c: what every migration format shares */

/* A migration file NNNN_name<ext>: four or more digits, then letters,
 * digits and _. */
typedef struct MigFile {
    int number;
    const char *name; /* NNNN_name, without the extension */
    const char *path; /* dir/NNNN_name<ext> */
} MigFile;

/* The migrations of dir whose names end in ext (".py"), as MigFile *
 * sorted by number, then name; NULL after a message when dir cannot be
 * read. */
PtrVec *mig_files(Arena *a, Diag *d, const char *dir, const char *ext);
/* The policy state recorded by the newest of files that records one, into
 * *out (an empty IR when none does).  Returns RLSC_OK, or RLSC_ERR_USAGE
 * after a message when that record is damaged. */
int mig_newest_state(Arena *a, Diag *d, const PtrVec *files, Ir **out);
/* The block `RLSC_STATE = (...)` recording ir, as mig_newest_state reads it. */
void mig_write_state(StrBuf *out, const Ir *ir);
/* text as Python "..." literals, one per line of text, each after indent. */
void mig_pystring(StrBuf *out, const char *text, const char *indent);
/* sql as Python list items ("...",), one per statement (emit_statements). */
void mig_pystatements(Arena *a, StrBuf *out, const char *sql);
/* s fit for a one-line comment: control bytes and bytes that are not
 * UTF-8 become '?'. */
void mig_comment_text(StrBuf *out, const char *s);
/* Writes text to dir/file through a temporary file beside it and a rename,
 * so that a failure leaves nothing half-written.  Returns RLSC_OK, or
 * RLSC_ERR_USAGE after a message. */
int mig_write_atomic(Arena *a, Diag *d, const char *dir, const char *file,
                     const StrBuf *text);

/* ---- emit_django.c */

/* rlsc django: writes (or with check/dry_run, reports) the next migration
 * of the app in dir; messages go to d.  Returns the exit status. */
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
int emit_django(Arena *a, Diag *d, const Ir *ir, const char *app, const DjangoOpts *o);

/* The stdlib SQL (schema rlsc and its helpers), built into the binary. */
extern const char emit_stdlib_up_sql[];
extern const char emit_stdlib_legacy_up_sql[];
extern const char emit_stdlib_down_sql[]; /* @ARGS@: the entry point's arguments */

#endif
