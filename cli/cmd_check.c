/*
 * cmd_check.c — `rlsc check`: compiles the files for their diagnostics
 * and writes nothing else; with --db, also its drift (codegen/drift.c).
 */
#include "cli.h"

static int run_check(const Command *self, int argc, char **argv)
{
    Cli cli;
    int rc = cli_begin(&cli, self, argc, argv);
    Ir *ir;
    if (rc == RLSC_OK)
        rc = cli_compile(&cli, &ir);
    /* with a live database, the compiled policies are also compared with
     * its policies (drift) */
    if (rc == RLSC_OK && cli.opt.db)
        rc = drift_check(cli.arena, &cli.diag, cli.opt.db, ir, NULL);
    return cli_end(&cli, rc);
}

const Command cmd_check = {
    "check",
    "  check   [--target postgres|citus] [--catalog FILE] [--db CONNINFO] FILE.rls...\n"
    "                                   diagnostics; with --db also drift\n",
    "usage: rlsc check [--target postgres|citus] [--catalog FILE] [--db CONNINFO] FILE.rls...\n"
    "Parses and checks the files; prints diagnostics only.  With --db, also compares\n"
    "the compiled policies with the database's (drift): a table missing, RLS or FORCE\n"
    "differing, a policy missing, extra or different (its conditions as PostgreSQL\n"
    "stores them), the connecting role a superuser, BYPASSRLS, or the owner of a table\n"
    "without FORCE.  Any of them is an error (exit 1).  With both --catalog and --db,\n"
    "the files are compiled against the catalog file (a Django project's, which knows\n"
    "the models' tables) and compared with the database.  --target: compiled (and\n"
    "compared) for that target, as `rlsc sql --target` writes it.\n",
    OPT_FILES | OPT_CATALOG | OPT_DB | OPT_RUN_DB | OPT_TARGET,
    run_check,
};
