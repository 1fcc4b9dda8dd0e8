/*
 * cmd_catalog.c — `rlsc catalog [--db CONNINFO]`: the tables and functions
 * of a live database as a catalog file on stdout.
 */
#include "cli.h"

static int run_catalog(const Command *self, int argc, char **argv)
{
    Cli cli;
    int rc = cli_begin(&cli, self, argc, argv);
    if (rc == RLSC_OK) {
        Catalog *cat = cat_new(cli.arena);
        /* without --db, libpq's PG* environment variables say which */
        rc = cat_load_pg(cat, &cli.diag, cli.opt.db ? cli.opt.db : "");
        if (rc == RLSC_OK) {
            StrBuf out;
            sb_init(&out, cli.arena);
            cat_write(&out, cat);
            rc = cli_write_stdout(&cli, out.data, out.len);
        }
    }
    return cli_end(&cli, rc);
}

const Command cmd_catalog = {
    "catalog",
    "  catalog --db CONNINFO            catalog .rls from a live database\n",
    "usage: rlsc catalog [--db CONNINFO]\n"
    "Writes a catalog .rls file describing the tables and functions of a live\n"
    "database (without --db, the PG* environment variables say which).\n",
    OPT_DB,
    run_catalog,
    NULL, /* no --format */
};
