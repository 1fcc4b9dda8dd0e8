/*
 * commands.h — the table of commands, one line each, in the order of
 * `rlsc --help`.  No include guard: cli.h reads it to declare the rows
 * (`cmd_NAME`, each defined in cli/cmd_NAME.c) and
 * main.c to build its table.  `help` is main.c's own last row.
 */
RLSC_COMMAND(check)
RLSC_COMMAND(sql)
RLSC_COMMAND(django)
RLSC_COMMAND(explain)
RLSC_COMMAND(catalog)
RLSC_COMMAND(import)
RLSC_COMMAND(test)
