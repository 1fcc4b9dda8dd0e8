/*
 * cmd_check.c — `rlsc check`: compiles the files for their diagnostics and
 * lints (lang/lint.c) and writes nothing else; with --db, also its drift
 * (codegen/drift.c).  With --format sarif every message goes to stdout as
 * one SARIF log instead, and the exit status is the same.
 */
#include "cli.h"

static int run_check(const Command *self, int argc, char **argv)
{
    Cli cli;
    int rc = cli_begin(&cli, self, argc, argv);
    if (rc != RLSC_OK)
        return cli_end(&cli, rc);
    Ir *ir;
    rc = cli_compile(&cli, &ir);
    /* with a live database, the compiled policies are also compared with
     * its policies (drift) */
    if (rc == RLSC_OK && cli.opt.db)
        rc = drift_check(cli.arena, &cli.diag, cli.opt.db, ir, NULL);
    if (cli.opt.sarif) {
        StrBuf out;
        sb_init(&out, cli.arena);
        diag_write_sarif(&cli.diag, &out, PACKAGE_VERSION);
        int wrc = cli_write_stdout(&cli, out.data, out.len);
        if (wrc != RLSC_OK && rc == RLSC_OK)
            rc = wrc;
    }
    return cli_end(&cli, rc);
}

const Command cmd_check = {
    "check",
    "  check   [--target postgres|citus] [--catalog FILE] [--db CONNINFO] [--format text|sarif]\n"
    "          FILE.rls...              diagnostics, lints; with --db also drift\n",
    "usage: rlsc check [--target postgres|citus] [--catalog FILE] [--db CONNINFO]\n"
    "                  [--format text|sarif] FILE.rls...\n"
    "Parses and checks the files and prints diagnostics and lints: warnings with an\n"
    "id such as [RLS103], each silenced by a comment `-- rlsc: allow RLS103` at the\n"
    "end of the flagged line or alone on the line before it, or `-- rlsc: allow-file\n"
    "RLS103` for the whole file (README, \"Lints\").  With --db, also the lints that\n"
    "need the database (indexes, SECURITY DEFINER functions), and compares the\n"
    "compiled policies with the database's (drift): a table missing, RLS or FORCE\n"
    "differing, a policy missing, extra or different (its conditions as PostgreSQL\n"
    "stores them), the connecting role a superuser, BYPASSRLS, or the owner of a table\n"
    "without FORCE.  Any of them is an error (exit 1); lints are warnings (exit 0).\n"
    "With both --catalog and --db, the files are compiled against the catalog file (a\n"
    "Django project's, which knows the models' tables) and compared with the\n"
    "database.  --target: compiled (and compared) for that target, as `rlsc sql\n"
    "--target` writes it.  --format sarif writes every message as one SARIF 2.1.0\n"
    "log on stdout instead.\n",
    OPT_FILES | OPT_CATALOG | OPT_DB | OPT_RUN_DB | OPT_TARGET | OPT_LINT | OPT_FORMAT,
    run_check,
    (const char *const[]){"text", "sarif", NULL},
};
