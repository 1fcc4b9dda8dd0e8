/*
 * unit.h — shared helpers of the CUnit suites.
 *
 * Every test runs against a fresh fixture: one Arena for everything the
 * test compiles, and a Diag whose messages go to an in-memory stream so a
 * test can assert on the error count and on the message text.  The suite
 * set-up creates the fixture and the tear-down frees it (arena_free), also
 * when a fatal assertion cut the test short, so the suite stays clean
 * under AddressSanitizer and LeakSanitizer.
 *
 * A compilation helper starts a new Diag (and message stream) each time;
 * everything it returns lives in the test's arena until the tear-down.
 */
#ifndef RLSC_UNIT_H
#define RLSC_UNIT_H

#include "rlsc.h"

#include <CUnit/CUnit.h>

/* ---- suites (one per test_*.c) */

void add_util_suite(void);
void add_lexer_suite(void);
void add_parser_suite(void);
void add_types_suite(void);
void add_lower_suite(void);
void add_emit_suite(void);
void add_import_suite(void);

/* Registers a suite whose tests each get a fresh fixture. */
void unit_add_suite(const char *name, CU_TestInfo *tests);

/* ---- the fixture */

Arena *u_arena(void);

/* Parses src as the file "test.rls" (scanner and grammar only). */
AstFile *u_parse(const char *src);
/* Parses, checks, types (against the built-in prelude) and lowers src;
 * NULL when any error was reported. */
Ir *u_compile(const char *src);
/* The same for several files, named test1.rls, test2.rls, ... */
Ir *u_compile_files(const char *const *srcs, int n);
/* u_compile against a catalog file (catalog.rls): columns get their types,
 * and unknown tables and columns are errors. */
Ir *u_compile_with_catalog(const char *catalog, const char *src);
/* u_compile in a child process, for inputs that once crashed the compiler:
 * a crash then fails one test instead of ending the run.  Returns the
 * error count, or -1 when the compiler crashed. */
int u_compile_isolated(const char *src);
/* u_compile, then emit_sql; NULL when compiling failed. */
const char *u_sql(const char *src, bool down, bool txn);
/* The canonical SQL text of COND, parsed from `policy p on t using (COND);`
 * and printed by sqlfmt_expr without a context (contexts stay `$name`). */
const char *u_cond(const char *cond);

/* Diagnostics of the last u_parse / u_compile / u_sql / u_cond call. */
int u_errors(void);
int u_warnings(void);
const char *u_messages(void);

/* Lookups in an IR; NULL when absent. */
IrTable *u_table(const Ir *ir, const char *name);
IrPolicy *u_policy(const IrTable *t, const char *name);
/* The source text a span covers. */
const char *u_text(Span s);
/* Occurrences of needle in hay. */
int u_count(const char *hay, const char *needle);
/* Whether f, read from its start and closed, holds exactly sb's text
 * (a sink's file against the same text made in memory). */
bool u_file_is(FILE *f, const StrBuf *sb);

/* ---- assertions that print the values they compare */

void u_assert_str(const char *actual, const char *expected, const char *what,
                  int line, const char *file);
void u_assert_int(long actual, long expected, const char *what, int line,
                  const char *file);
void u_assert_has(const char *hay, const char *needle, bool want,
                  const char *what, int line, const char *file);

#define ASSERT_STR(actual, expected) \
    u_assert_str((actual), (expected), #actual, __LINE__, __FILE__)
#define ASSERT_INT(actual, expected) \
    u_assert_int((long)(actual), (long)(expected), #actual, __LINE__, __FILE__)
/* hay contains needle */
#define ASSERT_HAS(hay, needle) \
    u_assert_has((hay), (needle), true, #hay, __LINE__, __FILE__)
/* hay does not contain needle */
#define ASSERT_LACKS(hay, needle) \
    u_assert_has((hay), (needle), false, #hay, __LINE__, __FILE__)

#endif
