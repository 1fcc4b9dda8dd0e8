/*
 * cmd_sql.c — `rlsc sql [--down]`: the script that applies the policies
 * of the files (or removes them again), on stdout, as one transaction.
 */
#include "cli.h"

static int run_sql(const Command *self, int argc, char **argv)
{
    Cli cli;
    int rc = cli_begin(&cli, self, argc, argv);
    Ir *ir;
    if (rc == RLSC_OK)
        rc = cli_compile(&cli, &ir);
    if (rc == RLSC_OK) {
        /* compiled without error: only a failed write can stop it now */
        StrBuf out;
        cli_stdout_begin(&cli, &out);
        emit_sql(&out, ir, cli.opt.down, true);
        rc = cli_stdout_end(&cli, &out);
    }
    return cli_end(&cli, rc);
}

const Command cmd_sql = {
    "sql",
    "  sql     [--down] [--target postgres|citus] [catalog opts] FILE.rls...  SQL to stdout\n",
    "usage: rlsc sql [--down] [--target postgres|citus] [--catalog FILE | --db CONNINFO]\n"
    "                FILE.rls...\n"
    "Writes the SQL script that applies the policies (with --down: that\n"
    "removes them again) to standard output, as one transaction.\n"
    "--target citus: policies without subqueries, which Citus requires on\n"
    "distributed tables; a rule that needs one is an error.\n",
    OPT_FILES | OPT_CATALOG | OPT_DB | OPT_DOWN | OPT_TARGET,
    run_sql,
    NULL, /* no --format */
};
