/*
 * diag.h — locations and diagnostics (diag.c): `file:line:col: error:` with the
 * source line and a caret, counted; "did you mean"; warnings with ids that a
 * `-- rlsc: allow ID` comment silences; SARIF output (diag_sarif.c).
 */
#ifndef RLSC_DIAG_H
#define RLSC_DIAG_H

#include "util.h"

/*
 * Locations are byte offsets into one address space shared by all files of
 * a compilation: each file gets a base offset when added.  Offsets become
 * file:line:col only when a diagnostic is printed.  start < 0: unknown.
 */
typedef struct Span {
    int start, end;
} Span;

#define SPAN_NONE ((Span){-1, -1})

typedef struct SrcFile {
    const char *path;
    const char *text;
    int len;
    int base;        /* offset of text[0] in the shared address space */
    int *line_start; /* offsets (relative to text) of each line */
    int nlines;
    PtrVec pragmas;  /* DiagPragma*: the file's `-- rlsc: allow` comments */
} SrcFile;

/* A warning's id: what `-- rlsc: allow ID` names and SARIF's ruleId. */
typedef struct DiagRule {
    const char *id;   /* "RLS103" */
    const char *name; /* "unconditional-write" */
    const char *why;  /* one line: what it flags and why it matters */
} DiagRule;

extern const DiagRule diag_rules[];
extern const int diag_nrules;
/* The rule of an id, or NULL. */
const DiagRule *diag_rule(const char *id);

/* A diagnostic kept for SARIF (diag_collect) instead of printed. */
typedef struct DiagRecord {
    const char *level; /* "error", "warning", "note" */
    const char *id;    /* NULL: none */
    Span at;
    const char *msg;
    bool silenced;     /* by a pragma: SARIF lists it as suppressed */
    PtrVec notes;      /* DiagRecord*: the notes that follow it */
} DiagRecord;

typedef struct Diag {
    Arena *arena;
    FILE *out; /* where messages go; tests capture it with a memstream */
    PtrVec files;
    int next_base;
    int errors, warnings;
    int failures;   /* diag_fail messages: kept apart from errors in the input */
    int max_errors; /* stop printing after this many (0: unlimited) */
    bool holding;   /* messages wait in held (diag_hold) */
    StrBuf held;
    int silenced;   /* warnings a pragma silenced */
    bool muted;     /* the last warning was silenced: so are its notes */
    bool collect;   /* keep messages in records (for SARIF), print none */
    PtrVec records; /* DiagRecord*, in order */
} Diag;

void diag_init(Diag *d, Arena *a, FILE *out);
/* With on, messages are held and written to out in blocks of 64 KiB, in
 * order; off writes what is held.  For a phase that may print many
 * messages and writes nothing else in between (compiling: a large input
 * draws a warning per table, and a write(2) for each was a seventh of the
 * run time).  Every message is written whole either way; a normal exit
 * writes what is held only through diag_hold(d, false), and a crash loses
 * it, so hold only around code that returns. */
void diag_hold(Diag *d, bool on);
/* Registers a file's text; returns it with its base offset set. */
SrcFile *diag_add_file(Diag *d, const char *path, const char *text, int len);
void diag_error(Diag *d, Span at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_warning(Diag *d, Span at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A warning with an id (diag_rules): printed with ` [ID]` at the end,
 * unless a pragma of its file allows the id there. */
void diag_lint(Diag *d, const char *id, Span at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The scanner's `-- rlsc: ...` comment at (text, len), at offset at.start:
 *   -- rlsc: allow ID[, ID...] [-- reason]       this line, or alone on a
 *                                                line the next line of code
 *   -- rlsc: allow-file ID[, ID...] [-- reason]  the whole file
 * An unknown id or form is itself a warning (RLS001). */
void diag_pragma(Diag *d, Span at, const char *text, int len);
/* From now on keep messages in d->records instead of printing them
 * (diag_fail messages are printed too: they say why nothing ran). */
void diag_collect(Diag *d);
/* The records as one SARIF 2.1.0 log (diag_sarif.c): valid JSON whatever
 * bytes the messages and paths hold. */
void diag_write_sarif(Diag *d, StrBuf *out, const char *version);
/* The line (0-based) and column (1-based, in characters) of offset off,
 * or NULL when no file holds it. */
const SrcFile *diag_position(const Diag *d, int off, int *line, int *col);
void diag_note(Diag *d, Span at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A message with no place in the input (a file that cannot be read, no
 * database, a damaged migration): `rlsc: message`.  Counted in failures,
 * not in errors (whose count the driver reports at the end); the caller's
 * exit status says what failed. */
void diag_fail(Diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The candidate closest to name by edit distance, or NULL if none is close. */
const char *diag_suggest(const char *name, const char *const *cands, int n);
/* "; did you mean 'PREFIXcand'?" for the closest candidate, or "". */
const char *diag_hint(Arena *a, const char *name, const char *const *cands, int n,
                      const char *prefix);
Span span_join(Span a, Span b);

#endif
