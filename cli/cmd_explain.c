/*
 * cmd_explain.c — `rlsc explain [--format text|markdown|html] [--against
 * OLD.rls | --db CONNINFO] FILE.rls...`: the effective access per table x
 * command x role (codegen/explain.c), or what changed since OLD.rls or
 * since the live database's policies (codegen/drift.c reads them).
 * The report is assembled in memory and written only when both sides
 * compiled; it is a report, so a change is not an error (exit 0).
 */
#include "cli.h"

#include <string.h>

static int run_explain(const Command *self, int argc, char **argv)
{
    Cli cli;
    int rc = cli_begin(&cli, self, argc, argv);
    const char *format = rc == RLSC_OK ? cli.opt.format : NULL, *against = cli.opt.against;
    ExplainFormat f = !format || strcmp(format, "text") == 0 ? EXPLAIN_TEXT
                      : strcmp(format, "markdown") == 0  ? EXPLAIN_MARKDOWN
                                                          : EXPLAIN_HTML;
    if (rc == RLSC_OK && against && cli.opt.db)
        rc = cli_usage_error("%s", "give --against or --db, not both");
    Ir *ir = NULL, *old = NULL;
    if (rc == RLSC_OK)
        rc = cli_compile(&cli, &ir);
    /* the old side is the database's policies; the new side's conditions
     * are read back as PostgreSQL stores them, so that equal reads equal */
    if (rc == RLSC_OK && cli.opt.db)
        rc = drift_live_ir(cli.arena, &cli.diag, cli.opt.db, ir, &old, &ir);
    if (rc == RLSC_OK && against) {
        /* the old side: the same catalog, the one file */
        const char **files = cli.opt.files;
        int nfiles = cli.opt.nfiles;
        cli.opt.files = &against;
        cli.opt.nfiles = 1;
        rc = cli_compile(&cli, &old);
        cli.opt.files = files;
        cli.opt.nfiles = nfiles;
    }
    if (rc == RLSC_OK) {
        StrBuf out;
        sb_init(&out, cli.arena);
        explain_write(&out, cli.arena, ir, old, f);
        rc = cli_write_stdout(&cli, out.data, out.len);
    }
    return cli_end(&cli, rc);
}

const Command cmd_explain = {
    "explain",
    "  explain [--format text|markdown|html] [--against OLD.rls | --db CONNINFO] FILE.rls...\n"
    "                                   effective access per table x command x role\n",
    "usage: rlsc explain [--format text|markdown|html] [--against OLD.rls | --db CONNINFO]\n"
    "                    [--catalog FILE] FILE.rls...\n"
    "Prints the effective access per table, command and role: none, some or all\n"
    "rows, and for some rows the condition PostgreSQL applies (the permissive\n"
    "policies that apply to the role OR-ed, the restrictive ones AND-ed, simplified).\n"
    "Each role the files name is a column; \"other roles\" are all the rest (only\n"
    "policies TO PUBLIC apply to them).  For update, both the rows it may change\n"
    "(USING) and what the new rows must satisfy (WITH CHECK).\n"
    "  --format text       aligned columns for a terminal (the default)\n"
    "  --format markdown   a table per database table, for a pull request\n"
    "  --format html       one self-contained page, each cell expandable\n"
    "  --against OLD.rls   what changed since OLD.rls, per cell: widened, narrowed or\n"
    "                      changed (compiled with the same catalog); exit 0\n"
    "  --db CONNINFO       the same against the policies of a live database (its\n"
    "                      catalog too); conditions compared as PostgreSQL stores them\n",
    OPT_FILES | OPT_CATALOG | OPT_DB | OPT_FORMAT | OPT_AGAINST,
    run_explain,
    (const char *const[]){"text", "markdown", "html", NULL},
};
