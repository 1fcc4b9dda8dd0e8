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

const Command cmd_test = {
    "test",
    "  test    --db CONNINFO FILE.rls... run the policy tests in the files\n",
    "usage: rlsc test --db CONNINFO FILE.rls...\n"
    "Runs the policy tests in the files against a live database.\n",
    0, /* the arguments are not read yet */
    run_unavailable,
};
