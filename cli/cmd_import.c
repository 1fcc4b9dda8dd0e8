/*
 * cmd_import.c — `rlsc import [--plain] [--db CONNINFO] [TABLE...]`: the
 * policies, roles and RLS flags of a live database as .rls on stdout
 * (lang/import.c).
 */
#include "cli.h"
#include "import.h"

static int run_import(const Command *self, int argc, char **argv)
{
    /* --plain is import's own: taken out before the common options */
    bool plain = false;
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            while (i < argc)
                argv[n++] = argv[i++];
            break;
        }
        if (!strcmp(argv[i], "--plain"))
            plain = true;
        else
            argv[n++] = argv[i];
    }
    argc = n;
    Cli cli;
    int rc = cli_begin(&cli, self, argc, argv);
    if (rc == RLSC_OK) {
        StrBuf out;
        sb_init(&out, cli.arena);
        /* without --db, libpq's PG* environment variables say which */
        rc = import_pg(cli.arena, &cli.diag, cli.opt.db ? cli.opt.db : "", cli.opt.files,
                       cli.opt.nfiles, plain, &out);
        if (rc == RLSC_OK)
            rc = cli_write_stdout(&cli, out.data, out.len);
    }
    return cli_end(&cli, rc);
}

const Command cmd_import = {
    "import",
    "  import  --db CONNINFO [TABLE...] .rls from the policies in a live database\n",
    "usage: rlsc import [--plain] [--db CONNINFO] [TABLE...]\n"
    "Writes .rls for the policies of a live database: `role` for each role they\n"
    "name, and per table with row-level security a block of `policy` statements\n"
    "(`no force;` where FORCE is off), which `rlsc sql` compiles back to the same\n"
    "policies.  Policies rlsc made come back as context, tenant, allow, deny and\n"
    "bypass roles where the file, compiled against the database, gives exactly\n"
    "them; --plain writes only `policy` statements.  TABLE (as PostgreSQL reads a\n"
    "table name) limits it to those tables.\n"
    "An expression .rls cannot express is an error naming the table and policy\n"
    "(exit 1), and nothing is written.\n",
    OPT_DB | OPT_TABLES,
    run_import,
    NULL, /* no --format */
};
