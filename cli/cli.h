/*
 * cli.h — what the files of cli/ share: the command table's row, the
 * options a command may accept, and one run of a command.
 *
 * Each command is one file, cmd_NAME.c, that defines its row (a Command)
 * and one entry of `commands` in main.c, whose order is the order of
 * `rlsc --help`.
 */
#ifndef RLSC_CLI_H
#define RLSC_CLI_H

#include "rlsc.h"

/* What cli_parse_options accepts for a command (Command.options). */
enum {
    OPT_FILES = 1 << 0,   /* FILE.rls... ("-": standard input; "--" ends the options) */
    OPT_CATALOG = 1 << 1, /* --catalog FILE */
    OPT_DB = 1 << 2,      /* --db CONNINFO */
    OPT_DOWN = 1 << 3,    /* --down */
    OPT_DJANGO = 1 << 4,  /* --migrations --check --dry-run --name --app --after
                           * --run-before --renamed --deleted */
    OPT_TABLES = 1 << 5,  /* TABLE... (none is fine): kept in Options.files */
    OPT_RUN_DB = 1 << 6,  /* --db is also where the command runs: --catalog may
                           * come with it, for the compile (cli_compile) */
    OPT_TARGET = 1 << 7,  /* --target postgres|citus */
    OPT_LINT = 1 << 8,    /* compiling also runs the lints */
    OPT_FORMAT = 1 << 9,  /* --format NAME, one of Command.formats */
    OPT_AGAINST = 1 << 10, /* --against FILE */
};

typedef struct Command Command;
struct Command {
    const char *name;
    const char *usage; /* its lines in `rlsc --help` */
    const char *help;  /* `rlsc help NAME`; NULL: none */
    unsigned options;  /* OPT_ bits */
    int (*run)(const Command *self, int argc, char **argv); /* the exit status */
    const char *const *formats; /* OPT_FORMAT: what --format takes, NULL-ended,
                                 * the default first */
};

/* The rows of main.c's table (commands.h). */
#define RLSC_COMMAND(name) extern const Command cmd_##name;
#include "commands.h"
#undef RLSC_COMMAND

typedef struct Options {
    const char **files;
    int nfiles;
    const char *catalog, *db;
    bool down;
    LowerTarget target; /* --target; LOWER_POSTGRES without it */
    const char *format;  /* --format, one of the command's formats; NULL: the default */
    const char *against; /* --against FILE (explain) */
    bool sarif;          /* --format sarif (check) */
    /* django */
    const char *migrations, *name, *app;
    bool check, dry_run;
    const char **after, **run_before, **renamed, **deleted; /* as given */
    int nafter, nrun_before, nrenamed, ndeleted;
} Options;

/* One run of a command: its options, one arena, messages to stderr. */
typedef struct Cli {
    Options opt;
    Arena *arena; /* NULL until the options are good */
    Diag diag;
    bool lint;    /* the command lints (OPT_LINT) */
} Cli;

/* "rlsc: MESSAGE" (fmt with one %s) and the hint to --help on stderr;
 * returns RLSC_ERR_USAGE. */
int cli_usage_error(const char *fmt, const char *arg);
/* Parses argv by c->options and sets up the run; returns RLSC_OK or the
 * exit status of a usage error.  Call cli_end in either case. */
int cli_begin(Cli *cli, const Command *c, int argc, char **argv);
/* Loads the catalog (the prelude, plus --catalog or --db) and compiles the
 * files into *ir; returns the exit status. */
int cli_compile(Cli *cli, Ir **ir);
/* Writes all of s to stdout: a failed write is an error, not silence. */
int cli_write_stdout(Cli *cli, const char *s, size_t n);
/* A StrBuf that streams to stdout (sb_init_sink), for output too large
 * to assemble first; cli_stdout_end writes the rest and reports a failed
 * write, saying when part of the output had gone out before it. */
void cli_stdout_begin(Cli *cli, StrBuf *out);
int cli_stdout_end(Cli *cli, StrBuf *out);
/* Reports the count of errors in the input, frees the run; returns rc. */
int cli_end(Cli *cli, int rc);

#endif
