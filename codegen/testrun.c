/*
 * testrun.c — `rlsc test`: the IR's tests against a live database, TAP out.
 *
 * Each test is one transaction, always rolled back, so a run leaves the
 * database as it found it:
 *
 *   BEGIN, with deferrable constraints checked at once
 *   the compiled policies applied: on each table of the IR every policy it
 *     has is dropped first (a migrated database has ours already, an older
 *     database someone else's), then emit_sql's script (helper, roles,
 *     CREATE POLICY, ENABLE and FORCE)
 *   the contexts set with set_config(setting, value, true); the connecting
 *     role made a member of the test's role where it is not and may be
 *   the lines in order: a setup as the connecting role, with FORCE lifted
 *     from the tables it owns (an owner, as Django connects, would else be
 *     held to the policies while it prepares rows of several tenants); an
 *     expectation with FORCE back, as the test's role (SET LOCAL ROLE),
 *     inside a savepoint so that a refused statement does not end the test
 *   ROLLBACK
 *
 * `denied` means refused by row-level security: SQLSTATE 42501 with
 * PostgreSQL's row-level security message.  A plain "permission denied for
 * table" is a missing GRANT, not a policy, and fails the expectation with
 * that said.  Messages are read in English (lc_messages 'C' where the
 * connecting role may set it).
 */
#define RLSC_CODEGEN /* ast.h refuses to be included here */
#include "codegen.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgconn.h"

typedef struct Run {
    Arena *arena;
    PGconn *conn;
    const char *apply; /* the script that puts the IR's policies in place */
    const char *unforce, *reforce; /* FORCE off and on again, for setups */
    StrBuf *out;       /* TAP */
    StrBuf notes;      /* the `# ...` lines of the current test */
} Run;

/* The result's primary message (else libpq's), one line. */
static const char *testrun_error(Run *r, const PGresult *res)
{
    return pgconn_result_error(r->arena, r->conn, res);
}

static const char *testrun_sqlstate(const PGresult *res)
{
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    return st ? st : "";
}

static bool testrun_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Runs sql for its success alone; NULL, or the error. */
static const char *testrun_exec(Run *r, const char *sql)
{
    return pgconn_try(r->arena, r->conn, sql);
}

/* A `# FILE:LINE:COL: what` line under the test's result. */
static void testrun_note(Run *r, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void testrun_note(Run *r, const char *where, const char *fmt, ...)
{
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = arena_alloc(r->arena, (size_t)(n < 0 ? 0 : n) + 1);
    vsnprintf(msg, (size_t)(n < 0 ? 0 : n) + 1, fmt, again);
    va_end(again);
    sb_printf(&r->notes, "# %s: %s\n", where, msg);
}

/* Was the statement refused by a row-level security policy? */
static bool testrun_rls_denied(const PGresult *res, const char *msg)
{
    return strcmp(testrun_sqlstate(res), "42501") == 0 && strstr(msg, "row-level security");
}

/* What a statement did, for a failure message: "ok (2 rows)", or the
 * error with its SQLSTATE. */
static const char *testrun_outcome(Run *r, const PGresult *res, long rows)
{
    if (testrun_ok(res))
        return arena_printf(r->arena, "ok (%ld row%s)", rows, rows == 1 ? "" : "s");
    const char *msg = testrun_error(r, res);
    if (testrun_rls_denied(res, msg))
        return arena_printf(r->arena, "denied by row-level security: %s", msg);
    if (strcmp(testrun_sqlstate(res), "42501") == 0)
        return arena_printf(r->arena,
                            "a permission error, not row-level security (grant the table "
                            "to the role in a setup line): %s", msg);
    return arena_printf(r->arena, "error %s: %s", testrun_sqlstate(res), msg);
}

/* The rows a statement returned, or for a write without RETURNING
 * affected; -1 when it reports none (SET, CREATE ...). */
static long testrun_rows(const PGresult *res)
{
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        return PQntuples(res);
    const char *n = PQcmdTuples((PGresult *)res);
    return n[0] ? strtol(n, NULL, 10) : -1;
}

/* One expectation, inside a savepoint; false (with a note) when it fails. */
static bool testrun_expect(Run *r, const IrTestStep *st)
{
    const char *err = testrun_exec(r, "SAVEPOINT rlsc_test");
    if (err) {
        testrun_note(r, st->where, "cannot start the check: %s", err);
        return false;
    }
    PGresult *res = PQexec(r->conn, st->sql);
    bool ok = testrun_ok(res);
    long rows = ok ? testrun_rows(res) : 0;
    bool pass = false;
    switch (st->kind) {
    case IR_STEP_ROWS:
        pass = ok && rows == st->rows;
        if (!pass && ok && rows < 0)
            testrun_note(r, st->where, "expected %ld rows, got a statement that reports none",
                         st->rows);
        else if (!pass)
            testrun_note(r, st->where, "expected %ld rows, got %s", st->rows,
                         ok ? arena_printf(r->arena, "%ld", rows)
                            : testrun_outcome(r, res, 0));
        break;
    case IR_STEP_OK:
        pass = ok;
        if (!pass)
            testrun_note(r, st->where, "expected ok, got %s", testrun_outcome(r, res, 0));
        break;
    case IR_STEP_DENIED:
        pass = !ok && testrun_rls_denied(res, testrun_error(r, res));
        if (!pass)
            testrun_note(r, st->where, "expected denied by row-level security, got %s%s",
                         testrun_outcome(r, res, rows < 0 ? 0 : rows),
                         ok && rows == 0 ? " (a using condition hides rows from a write, it "
                                           "does not refuse it: expect 0 rows)" : "");
        break;
    case IR_STEP_SETUP:
        break; /* not an expectation */
    }
    PQclear(res);
    err = testrun_exec(r, ok ? "RELEASE SAVEPOINT rlsc_test" : "ROLLBACK TO SAVEPOINT rlsc_test");
    if (err) {
        testrun_note(r, st->where, "cannot end the check: %s", err);
        return false;
    }
    return pass;
}

/* How the lines run: setups as the connecting role with FORCE lifted
 * from the tables it owns (so that an owner, as Django connects, writes
 * any tenant's rows: setups prepare data, the policies are not theirs to
 * pass), checks with FORCE back and as the test's role. */
enum { MODE_START, MODE_SETUP, MODE_CHECK };

static const char *testrun_mode(Run *r, const IrTest *t, int want, int *mode)
{
    if (want == *mode)
        return NULL;
    const char *err;
    StrBuf role;
    sb_init(&role, r->arena);
    sb_puts(&role, "SET LOCAL ROLE ");
    if (want == MODE_SETUP)
        sb_puts(&role, "NONE");
    else
        sqlfmt_ident(&role, t->role ? t->role : "none");
    /* back to the connecting role before FORCE changes, to the test's after */
    if (t->role && *mode == MODE_CHECK && (err = testrun_exec(r, sb_str(&role))))
        return arena_printf(r->arena, "cannot %s: %s", sb_str(&role), err);
    if ((want == MODE_SETUP || *mode == MODE_SETUP)
        && (err = testrun_exec(r, want == MODE_SETUP ? r->unforce : r->reforce)))
        return arena_printf(r->arena, "cannot %s row-level security on the tables: %s",
                            want == MODE_SETUP ? "lift FORCE of" : "FORCE", err);
    if (t->role && want == MODE_CHECK && (err = testrun_exec(r, sb_str(&role))))
        return arena_printf(r->arena, "cannot %s: %s", sb_str(&role), err);
    *mode = want;
    return NULL;
}

/* SET ROLE needs membership: a connecting role that is not a member but
 * may grant the role (a superuser; CREATEROLE, as Django's role that
 * created the roles in its migrations) is made one, in the transaction. */
static const char *testrun_member(Run *r, const char *role)
{
    StrBuf sql;
    sb_init(&sql, r->arena);
    sb_puts(&sql, "DO $rlsc_test$\nBEGIN\n    IF NOT pg_catalog.pg_has_role(");
    sqlfmt_literal(&sql, role);
    sb_puts(&sql, ", 'MEMBER') THEN\n"
                  "        EXECUTE pg_catalog.format('GRANT %I TO %I', ");
    sqlfmt_literal(&sql, role);
    sb_puts(&sql, ", CURRENT_USER);\n    END IF;\nEND\n$rlsc_test$");
    return sb_str(&sql);
}

/* Runs one test in its transaction; false when it fails (notes say why). */
static bool testrun_one(Run *r, const IrTest *t)
{
    /* deferrable constraints checked at once: the transaction never
     * commits, where a deferred check would run (and ALTER TABLE refuses
     * a table with checks pending) */
    const char *err = testrun_exec(r, "BEGIN; SET CONSTRAINTS ALL IMMEDIATE");
    if (err) {
        testrun_note(r, t->where, "cannot begin a transaction: %s", err);
        return false;
    }
    bool pass = true;
    err = testrun_exec(r, r->apply);
    if (err) {
        testrun_note(r, t->where, "the compiled policies cannot be applied: %s", err);
        pass = false;
    }
    for (int i = 0; pass && i < t->settings.n; i++) {
        const IrTestSetting *s = t->settings.items[i];
        const char *params[2] = {s->setting, s->value};
        PGresult *res = PQexecParams(r->conn, "SELECT pg_catalog.set_config($1, $2, true)",
                                     2, NULL, params, NULL, NULL, 0);
        if (!testrun_ok(res)) {
            testrun_note(r, t->where, "cannot set %s: %s", s->setting, testrun_error(r, res));
            pass = false;
        }
        PQclear(res);
    }
    if (pass && t->role && (err = testrun_exec(r, testrun_member(r, t->role)))) {
        testrun_note(r, t->where, "cannot act as role %s: %s", t->role, err);
        pass = false;
    }
    int mode = MODE_START;
    bool stop = !pass;
    for (int i = 0; !stop && i < t->steps.n; i++) {
        const IrTestStep *st = t->steps.items[i];
        bool setup = st->kind == IR_STEP_SETUP;
        if ((err = testrun_mode(r, t, setup ? MODE_SETUP : MODE_CHECK, &mode))) {
            testrun_note(r, st->where, "%s", err);
            stop = true;
        } else if (setup) {
            /* a failed setup leaves nothing to check (and the transaction
             * is aborted) */
            if ((err = testrun_exec(r, st->sql))) {
                testrun_note(r, st->where, "setup failed: %s", err);
                stop = true;
            }
        } else if (!testrun_expect(r, st)) {
            pass = false; /* the others still run: each failure is worth seeing */
        }
    }
    pass &= !stop;
    PQclear(PQexec(r->conn, "ROLLBACK"));
    return pass;
}

/* A test's name as a TAP description: one line, `#` escaped. */
static void testrun_name(StrBuf *out, const char *name)
{
    for (const char *p = name; *p; p++) {
        if (*p == '#' || *p == '\\')
            sb_putc(out, '\\');
        sb_putc(out, *p == '\n' || *p == '\r' ? ' ' : *p);
    }
}

/* ALTER TABLE ... WHAT ROW LEVEL SECURITY for the IR's forced tables
 * that the current role owns (through membership too); others stay. */
static const char *testrun_force(Arena *a, const Ir *ir, const char *what)
{
    StrBuf sql, name;
    sb_init(&sql, a);
    sb_init(&name, a);
    sb_puts(&sql, "DO $rlsc_test$\nBEGIN\n");
    for (int i = 0; i < ir->tables.n; i++) {
        const IrTable *t = ir->tables.items[i];
        if (!t->force)
            continue;
        name.len = 0;
        sqlfmt_qname(&name, t->schema, t->name);
        sb_puts(&sql, "    IF pg_catalog.pg_has_role((SELECT relowner FROM pg_catalog.pg_class "
                      "WHERE oid = ");
        sqlfmt_literal(&sql, sb_str(&name));
        sb_printf(&sql, "::pg_catalog.regclass), 'MEMBER') THEN\n"
                        "        ALTER TABLE %s %s ROW LEVEL SECURITY;\n    END IF;\n",
                  sb_str(&name), what);
    }
    sb_puts(&sql, "    NULL;\nEND\n$rlsc_test$;\n");
    return sb_str(&sql);
}

static void testrun_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs of the applied script are not the tests' output */
}

int testrun_all(Arena *a, Diag *d, const char *conninfo, const Ir *ir, StrBuf *out)
{
    Run r = {.arena = a, .out = out};
    r.conn = pgconn_connect(a, d, conninfo);
    if (!r.conn)
        return RLSC_ERR_USAGE;
    PQsetNoticeProcessor(r.conn, testrun_quiet, NULL);
    /* English messages, where allowed: `denied` reads them */
    PQclear(PQexec(r.conn, "SET lc_messages TO 'C'"));

    StrBuf apply;
    sb_init(&apply, a);
    for (int i = 0; i < ir->tables.n; i++) {
        const IrTable *t = ir->tables.items[i];
        StrBuf name;
        sb_init(&name, a);
        sqlfmt_qname(&name, t->schema, t->name);
        sb_puts(&apply, "DO $rlsc_test$\nDECLARE\n    p pg_catalog.name;\nBEGIN\n"
                        "    FOR p IN SELECT polname FROM pg_catalog.pg_policy\n"
                        "             WHERE polrelid = ");
        sqlfmt_literal(&apply, sb_str(&name));
        sb_puts(&apply, "::pg_catalog.regclass LOOP\n"
                        "        EXECUTE pg_catalog.format('DROP POLICY %I ON %s', p, ");
        sqlfmt_literal(&apply, sb_str(&name));
        sb_puts(&apply, ");\n    END LOOP;\nEND\n$rlsc_test$;\n");
    }
    emit_sql(&apply, ir, false, false);
    r.apply = sb_str(&apply);
    r.unforce = testrun_force(a, ir, "NO FORCE");
    r.reforce = testrun_force(a, ir, "FORCE");

    sb_init(&r.notes, a);
    sb_printf(out, "1..%d\n", ir->tests.n);
    int failed = 0;
    for (int i = 0; i < ir->tests.n; i++) {
        const IrTest *t = ir->tests.items[i];
        r.notes.len = 0;
        bool pass = testrun_one(&r, t);
        failed += !pass;
        sb_printf(out, "%sok %d - ", pass ? "" : "not ", i + 1);
        testrun_name(out, t->name);
        sb_putc(out, '\n');
        sb_putn(out, r.notes.data, r.notes.len);
        sb_flush(out, false);
        if (PQstatus(r.conn) != CONNECTION_OK) {
            diag_fail(d, "lost the connection to the database: %s", testrun_error(&r, NULL));
            PQfinish(r.conn);
            return RLSC_ERR_USAGE;
        }
    }
    if (failed)
        sb_printf(out, "# %d of %d test%s failed\n", failed, ir->tests.n,
                  ir->tests.n == 1 ? "" : "s");
    PQfinish(r.conn);
    return failed ? RLSC_ERR_INPUT : RLSC_OK;
}
