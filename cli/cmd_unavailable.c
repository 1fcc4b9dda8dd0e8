/*
 * cmd_unavailable.c — the commands of DESIGN section 5 that this version
 * does not have yet: `rlsc help` describes them, running one says so and
 * exits 2.  Implementing one moves its row to a file of its own.
 */
#include "cli.h"

static int run_unavailable(const Command *self, int argc, char **argv)
{
    fprintf(stderr, "rlsc: '%s' is not available in this version yet\n", self->name);
    return RLSC_ERR_USAGE;
}

const Command cmd_explain = {
    "explain",
    "  explain FILE.rls...              effective access per table x command x role\n",
    "usage: rlsc explain FILE.rls...\n"
    "Prints the effective access per table, command and role.\n",
    0, /* the arguments are not read yet */
    run_unavailable,
};
