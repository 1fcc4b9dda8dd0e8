/*
 * cmd_explain.c — `rlsc explain [--format text|markdown|html] [--against
 * OLD.rls | --db CONNINFO] FILE.rls...`: the effective access per table x
 * command x role (codegen/explain.c), or what changed since OLD.rls or
 * since the live database's policies (codegen/drift.c reads them).
 * The report is assembled in memory and written only when both sides
 * compiled; it is a report, so a change is not an error (exit 0).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* --format and --against are this command's own: taken out of argv here,
 * the rest goes to cli_begin.  Returns RLSC_OK or a usage error's status. */
static int explain_options(int argc, char **argv, char **rest, int *nrest, ExplainFormat *f,
                           const char **against)
{
    const char *format = NULL;
    bool only_files = false;
    *nrest = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], **into = NULL, *v = NULL;
        if (!only_files && strcmp(a, "--") == 0)
            only_files = true;
        if (only_files || a[0] != '-') {
            rest[(*nrest)++] = argv[i];
            continue;
        }
        if (strcmp(a, "--format") == 0 || strcmp(a, "--against") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("%s needs a value", a);
            into = a[2] == 'f' ? &format : against;
            v = argv[++i];
        } else if (strncmp(a, "--format=", 9) == 0) {
            into = &format;
            v = a + 9;
        } else if (strncmp(a, "--against=", 10) == 0) {
            into = against;
            v = a + 10;
        }
        if (!into) {
            rest[(*nrest)++] = argv[i];
            continue;
        }
        if (*into)
            return cli_usage_error("%s is given twice", into == &format ? "--format" : "--against");
        *into = v;
    }
    if (!format || strcmp(format, "text") == 0)
        *f = EXPLAIN_TEXT;
    else if (strcmp(format, "markdown") == 0)
        *f = EXPLAIN_MARKDOWN;
    else if (strcmp(format, "html") == 0)
        *f = EXPLAIN_HTML;
    else
        return cli_usage_error("--format '%s': use text, markdown or html", format);
    if (*against && !**against)
        return cli_usage_error("%s", "--against needs a file");
    return RLSC_OK;
}

static int run_explain(const Command *self, int argc, char **argv)
{
    char **rest = calloc((size_t)argc + 1, sizeof(char *));
    if (!rest)
        return RLSC_ERR_USAGE;
    int nrest;
    ExplainFormat format = EXPLAIN_TEXT;
    const char *against = NULL;
    int rc = explain_options(argc, argv, rest, &nrest, &format, &against);
    if (rc != RLSC_OK) {
        free(rest);
        return rc;
    }
    Cli cli;
    rc = cli_begin(&cli, self, nrest, rest);
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
        explain_write(&out, cli.arena, ir, old, format);
        rc = cli_write_stdout(&cli, out.data, out.len);
    }
    free(rest);
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
    OPT_FILES | OPT_CATALOG | OPT_DB,
    run_explain,
};
