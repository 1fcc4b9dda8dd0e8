/*
 * main.c — the rlsc command line (DESIGN section 5): finds the command in
 * the table below and runs it.
 *
 * A command is a row (cli.h: name, usage line, help text, the options it
 * accepts, the function that runs it) defined in its own file and named
 * by one line of commands.h, whose order is that of `rlsc --help`.  Exit status (enum RlscStatus): 0
 * success; 1 errors in the input; 2 bad usage, an unreadable file, no
 * database.  Output is assembled in memory and written only when the
 * command succeeded, so an error never leaves half an output.
 */
#include "cli.h"

#include <string.h>

static int run_help(const Command *self, int argc, char **argv);

static const Command cmd_help = {
    "help",
    "  help COMMAND                     help on one command\n",
    NULL,
    0,
    run_help,
    NULL, /* no --format */
};

static const Command *const commands[] = {
#define RLSC_COMMAND(name) &cmd_##name,
#include "commands.h"
#undef RLSC_COMMAND
    &cmd_help,
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

static void usage(FILE *out)
{
    fputs("usage: rlsc COMMAND [OPTIONS] FILE.rls...\n"
          "\n"
          "commands:\n", out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fputs(commands[i]->usage, out);
    fputs("\n"
          "options: --help, --version\n"
          "exit status: 0 success; 1 errors in the input, or drift under django --check;\n"
          "2 bad usage, unreadable files, no database\n", out);
}

static const Command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i]->name) == 0)
            return commands[i];
    return NULL;
}

/* rlsc help [COMMAND] */
static int run_help(const Command *self, int argc, char **argv)
{
    if (argc == 0) {
        usage(stdout);
        return RLSC_OK;
    }
    const Command *c = find_command(argv[0]);
    if (!c || !c->help)
        return cli_usage_error("no help on '%s'", argv[0]);
    fputs(c->help, stdout);
    return RLSC_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return RLSC_ERR_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return RLSC_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("rlsc %s\n", PACKAGE_VERSION);
        return RLSC_OK;
    }
    const Command *c = find_command(name);
    if (!c)
        return cli_usage_error("unknown command '%s'", name);
    return c->run(c, argc - 2, argv + 2);
}
