/*
 * cmd_test.c — `rlsc test [--db CONNINFO] FILE.rls...`: compiles the files
 * against the database's catalog and runs their `test` blocks there, each
 * in a transaction that is rolled back (codegen/testrun.c); TAP on stdout.
 */
#include "cli.h"

static int run_test(const Command *self, int argc, char **argv)
{
    Cli cli;
    int rc = cli_begin(&cli, self, argc, argv);
    Ir *ir;
    if (rc == RLSC_OK) {
        /* the tests need a database: without --db, libpq's PG* variables
         * say which, for the catalog (unless --catalog gives one) as for
         * the run */
        if (!cli.opt.db)
            cli.opt.db = "";
        rc = cli_compile(&cli, &ir);
    }
    if (rc == RLSC_OK) {
        StrBuf out;
        cli_stdout_begin(&cli, &out);
        rc = testrun_all(cli.arena, &cli.diag, cli.opt.db, ir, &out);
        int wrc = cli_stdout_end(&cli, &out);
        if (wrc != RLSC_OK)
            rc = wrc;
    }
    return cli_end(&cli, rc);
}

const Command cmd_test = {
    "test",
    "  test    --db CONNINFO FILE.rls... run the policy tests in the files\n",
    "usage: rlsc test [--db CONNINFO] [--catalog FILE] FILE.rls...\n"
    "Runs the `test` blocks of the files against a live database: each test in\n"
    "its own transaction with the compiled policies applied (the tables' existing\n"
    "policies dropped first), then rolled back, so nothing stays behind.  Contexts\n"
    "are set with set_config; setup lines run as the connecting role, expectations\n"
    "as the test's role (SET LOCAL ROLE), each in a savepoint.  `denied` means\n"
    "refused by row-level security; a missing GRANT is not.  TAP on stdout, a\n"
    "failure with the expectation's FILE:LINE:COL.  Exit 0 when all pass, 1 when\n"
    "one fails or the files have errors, 2 without a database.  The files compile\n"
    "against the database's catalog, or with --catalog against that file (a\n"
    "Django model with its own db_table is known only to a catalog file).\n",
    OPT_FILES | OPT_CATALOG | OPT_DB | OPT_RUN_DB,
    run_test,
    NULL, /* no --format */
};
