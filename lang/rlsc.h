/*
 * rlsc.h — the one header of rlsc, sectioned by pipeline stage.
 *
 * A compilation reads .rls files into an AST (parser/), resolves and checks
 * names and command rules, lowers the AST to the policy IR (lang/), and
 * emits SQL from the IR (codegen/).  Everything a compilation allocates
 * lives in one Arena, freed in one call; there is no global state.
 *
 * Module prefixes: arena_ sb_ map_ vec_ (util), diag_ (diagnostics),
 * parse_ (parser), ast_ (AST), sqlfmt_ (SQL text), check_ (names and
 * rules), lower_ (AST -> IR), ir_ (IR), emit_ (codegen), compile_ (driver).
 */
#ifndef RLSC_H
#define RLSC_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------ util */

typedef struct Arena Arena;

Arena *arena_new(void);
void arena_free(Arena *a);
void *arena_alloc(Arena *a, size_t size); /* zeroed, max-aligned */
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t arena_used(const Arena *a); /* bytes handed out, for benchmarks */

/* A growable string kept in an arena; always NUL-terminated. */
typedef struct StrBuf {
    Arena *arena;
    char *data;
    size_t len, cap;
} StrBuf;

void sb_init(StrBuf *sb, Arena *a);
void sb_putc(StrBuf *sb, char c);
void sb_puts(StrBuf *sb, const char *s);
void sb_putn(StrBuf *sb, const char *s, size_t n);
void sb_printf(StrBuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *sb_str(StrBuf *sb);

/* A growable array of pointers kept in an arena. */
typedef struct PtrVec {
    void **items;
    int n, cap;
} PtrVec;

void vec_push(Arena *a, PtrVec *v, void *item);

/* String-keyed hash map (open addressing) kept in an arena. */
typedef struct Map Map;

Map *map_new(Arena *a);
void *map_get(const Map *m, const char *key);
/* Inserts key -> val unless key is present; returns the value now stored. */
void *map_put(Map *m, const char *key, void *val);

uint32_t util_hash32(const char *s); /* FNV-1a, stable across platforms */

/* ----------------------------------------------------------- diagnostics */

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
} SrcFile;

typedef struct Diag {
    Arena *arena;
    FILE *out; /* where messages go; tests capture it with a memstream */
    PtrVec files;
    int next_base;
    int errors, warnings;
    int max_errors; /* stop printing after this many (0: unlimited) */
} Diag;

void diag_init(Diag *d, Arena *a, FILE *out);
/* Registers a file's text; returns it with its base offset set. */
SrcFile *diag_add_file(Diag *d, const char *path, const char *text, int len);
void diag_error(Diag *d, Span at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_warning(Diag *d, Span at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_note(Diag *d, Span at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The candidate closest to name by edit distance, or NULL if none is close. */
const char *diag_suggest(const char *name, const char *const *cands, int n);
Span span_join(Span a, Span b);

/* ------------------------------------------------------------------- AST */

/* Commands as a bit set; CMD_ALL is all four. */
enum {
    CMD_SELECT = 1,
    CMD_INSERT = 2,
    CMD_UPDATE = 4,
    CMD_DELETE = 8,
    CMD_ALL = 15,
};
typedef unsigned CmdSet;

const char *ast_cmd_name(CmdSet one); /* "select", ..., "all" */

typedef enum ExprKind {
    E_NULL,
    E_BOOL,     /* text: "true" / "false" */
    E_NUMBER,   /* text: the literal as written */
    E_STRING,   /* text: the value, quotes removed */
    E_COLUMN,   /* qual.text or text */
    E_CONTEXT,  /* $text */
    E_UNARY,    /* op: "not", "-", "+"; a */
    E_BINARY,   /* op: and or = <> < <= > >= + - * / % ^ || like ilike; a b */
    E_IS,       /* a is [not] op, op: "null" "true" "false" "unknown" */
    E_DISTINCT, /* a is [not] distinct from b */
    E_IN_LIST,  /* a [not] in (args) */
    E_IN_SUBQ,  /* a [not] in (sub) */
    E_BETWEEN,  /* a [not] between b and c */
    E_QUANT,    /* a op any|all (b), text: "any" / "all" */
    E_EXISTS,   /* exists (sub) */
    E_SUBQUERY, /* (sub), a scalar subquery */
    E_CAST,     /* a::type */
    E_FUNC,     /* qual.text(args) or (*) */
    E_CASE,     /* case [a] when args[2i] then args[2i+1] ... [else c] end */
    E_SPECIAL,  /* text: "current_user" / "session_user" */
} ExprKind;

typedef struct Expr Expr;
typedef struct Select Select;

typedef struct ExprList {
    Expr **items;
    int n;
} ExprList;

/* A qualified name; schema is NULL when not written. */
typedef struct QName {
    const char *schema;
    const char *name;
    Span loc;
} QName;

typedef struct Ident {
    const char *name;
    Span loc;
} Ident;

typedef struct TypeName {
    const char *text; /* canonical spelling: words folded, mods, [] */
    Span loc;
} TypeName;

struct Expr {
    ExprKind kind;
    const char *op;
    const char *text;
    const char *qual;
    bool negated; /* NOT IN, NOT BETWEEN, IS NOT, NOT LIKE */
    bool star;    /* f(*) */
    Expr *a, *b, *c;
    ExprList args;
    Select *sub;
    TypeName *type;
    Span loc;
};

struct Select {
    Expr *target;
    QName from;
    const char *alias; /* NULL when none */
    Expr *where;       /* NULL when none */
    Span loc;
};

typedef enum RuleKind {
    R_TENANT,
    R_ALLOW,
    R_DENY,
    R_GRANT,
    R_POLICY,
    R_NOFORCE,
} RuleKind;

typedef struct Perm {
    const char *name; /* view/add/change/delete, or "app.codename" */
    bool custom;      /* quoted custom permission */
    CmdSet cmd;       /* the command it maps to */
    Span loc;
} Perm;

typedef struct Rule {
    RuleKind kind;
    CmdSet cmds;     /* allow/deny/policy; policy without `for`: CMD_ALL */
    PtrVec roles;    /* Ident*; empty: every role */
    Expr *using_;    /* NULL when absent */
    Expr *check;     /* NULL when absent */
    Ident column;    /* tenant */
    PtrVec perms;    /* Perm*, grant */
    Ident name;      /* policy */
    bool restrictive;/* policy `as restrictive` */
    bool has_on;     /* top-level policy: `on` given */
    QName on;
    Span loc;
} Rule;

typedef struct Block {
    bool is_model;
    QName name;    /* model: name holds the model name as written */
    PtrVec rules;  /* Rule* */
    QName table;   /* the table, resolved by check_files */
    Span loc;
} Block;

typedef struct ContextDecl {
    Ident name;
    TypeName *type;
    const char *setting; /* 'x.y' */
    Span setting_loc;
    Span loc;
} ContextDecl;

typedef struct RoleDecl {
    Ident name;
    bool bypass;
    Span loc;
} RoleDecl;

typedef struct AstFile {
    SrcFile *src;
    Ident app;          /* name NULL when no `app` statement */
    PtrVec contexts;    /* ContextDecl* */
    PtrVec roles;       /* RoleDecl* */
    PtrVec blocks;      /* Block* */
    PtrVec policies;    /* Rule* (R_POLICY with on) */
    /* filled by check_files */
    Map *context_map;   /* name -> ContextDecl* */
    Map *role_map;      /* name -> RoleDecl* */
    PtrVec bypass;      /* const char * names of bypass roles, sorted */
} AstFile;

Expr *ast_expr(Arena *a, ExprKind kind, Span loc);

/* ---------------------------------------------------------------- parser */

/* Parses text into *out (never NULL on return); errors go to d. */
AstFile *parse_source(Arena *a, Diag *d, const char *path, const char *text,
                      int len);
/* Reads path and parses it; returns NULL (after a message on stderr) when
 * the file cannot be read. */
AstFile *parse_file(Arena *a, Diag *d, const char *path);

/* --------------------------------------------------------------- SQL text */

/* Always double-quotes, doubling embedded quotes. */
void sqlfmt_ident(StrBuf *sb, const char *name);
/* schema.name, each part quoted; schema may be NULL. */
void sqlfmt_qname(StrBuf *sb, const char *schema, const char *name);
/* A standard-conforming string literal; E'' is never needed. */
void sqlfmt_literal(StrBuf *sb, const char *value);

/* How $context reads are spelled when an expression is printed. */
typedef struct SqlfmtCtx {
    /* Returns the SQL for $name, or NULL to print `$name` as is. */
    const char *(*context_sql)(void *env, const char *name);
    void *env;
    /* Print `x in (subquery)` as `x = any (array(subquery))`. */
    bool rewrite_membership;
} SqlfmtCtx;

/* Fully parenthesised canonical SQL; equal trees print equal text. */
void sqlfmt_expr(StrBuf *sb, const Expr *e, const SqlfmtCtx *ctx);

/* -------------------------------------------------------------------- IR */

/*
 * The policy IR: a canonical, sorted set of tables and policies.  Every
 * front end produces it; every emitter and the migration diff consume it.
 * Conditions are final SQL text (context reads and bypass exemptions
 * already spelled out), so two IRs compare by comparing strings.
 */
typedef struct IrPolicy {
    const char *name;
    bool restrictive;
    CmdSet cmd;          /* one command, or CMD_ALL */
    PtrVec roles;        /* const char *, sorted; empty: PUBLIC */
    const char *using_;  /* NULL when absent */
    const char *check;   /* NULL when absent */
    RuleKind origin;
    Span loc;
} IrPolicy;

typedef struct IrTable {
    const char *schema; /* NULL: the search_path */
    const char *name;
    bool force;
    PtrVec policies; /* IrPolicy*, sorted by name */
    const char *app, *model; /* model NULL for `table` blocks */
    Span loc;
} IrTable;

typedef struct IrRole {
    const char *name;
    bool bypass;
} IrRole;

typedef struct Ir {
    PtrVec tables; /* IrTable*, sorted by schema then name */
    PtrVec roles;  /* IrRole*, sorted by name */
    bool uses_has_perm; /* the stdlib permission helper is needed */
} Ir;

/* Sorts tables, policies and roles into canonical order. */
void ir_sort(Ir *ir);
IrTable *ir_find_table(const Ir *ir, const char *schema, const char *name);

/* ----------------------------------------------------- checking, lowering */

/* Resolves names and command rules of the files; reports into d. */
void check_files(Arena *a, Diag *d, AstFile **files, int nfiles);
/* Lowers checked files into one IR.  Call only when check found no error. */
Ir *lower_files(Arena *a, Diag *d, AstFile **files, int nfiles);

/* Parse, check and lower into *out.  Returns the exit status: 0 success,
 * 1 errors reported in d, 2 a file could not be read (said on stderr). */
int compile_files(Arena *a, Diag *d, const char *const *paths, int npaths,
                  Ir **out);

/* --------------------------------------------------------------- codegen */

/* The SQL that applies the IR (down: removes it again).  With txn, the
 * script is wrapped in BEGIN/COMMIT; without, the caller provides one
 * (a Django migration runs in its own transaction). */
void emit_sql(StrBuf *out, const Ir *ir, bool down, bool txn);

/* The stdlib SQL (schema rlsc and its helpers), built into the binary. */
extern const char emit_stdlib_up_sql[];
extern const char emit_stdlib_down_sql[];

#endif
