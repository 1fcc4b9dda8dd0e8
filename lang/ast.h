/*
 * ast.h — the syntax tree of .rls files, the parser that builds it, and the
 * printing of its conditions as SQL (sqlfmt.c).
 */
#ifndef RLSC_AST_H
#define RLSC_AST_H

#ifdef RLSC_CODEGEN
#error "codegen/ works from the IR alone: include codegen.h, not ast.h"
#endif
#include "cmd.h"
#include "diag.h"
#include "types.h"

typedef enum ExprKind {
    E_NULL,
    E_BOOL,     /* text: "true" / "false" */
    E_NUMBER,   /* text: the literal as written */
    E_STRING,   /* text: the value, quotes removed */
    E_COLUMN,   /* qual.text or text */
    E_CONTEXT,  /* $text */
    E_UNARY,    /* op: OP_NOT, OP_MINUS, OP_PLUS; a */
    E_BINARY,   /* op: and or = <> < <= > >= + - * / % ^ || like ilike; a b */
    E_IS,       /* a is [not] op, op: OP_IS_NULL, OP_IS_TRUE, OP_IS_FALSE */
    E_DISTINCT, /* a is [not] distinct from b */
    E_IN_LIST,  /* a [not] in (args) */
    E_IN_SUBQ,  /* a [not] in (sub) */
    E_BETWEEN,  /* a [not] between b and c */
    E_QUANT,    /* a op any|all (b), op a comparison, text: "any" / "all" */
    E_EXISTS,   /* exists (sub) */
    E_SUBQUERY, /* (sub), a scalar subquery */
    E_CAST,     /* a::type */
    E_FUNC,     /* qual.text(args) or (*) */
    E_CASE,     /* case [a] when args[2i] then args[2i+1] ... [else c] end */
    E_SPECIAL,  /* text: "current_user" / "session_user" */
    E_SUBSCRIPT,/* a[args[0]][args[1]]...; an item is an index or an E_SLICE */
    E_SLICE,    /* in E_SUBSCRIPT: [a:b], either NULL when left out */
    E_ARRAY,    /* ARRAY[args] or ARRAY(sub) */
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

/* 88 bytes: a large input has about 16 per table, so the layout counts.
 * kind and op take a byte each; qual and type share their place (no kind
 * has both, and no code asks for either without knowing the kind). */
struct Expr {
    ExprKind kind : 8;
    Op op : 8;      /* E_UNARY, E_BINARY, E_IS, E_QUANT; else OP_NONE */
    bool negated;   /* NOT IN, NOT BETWEEN, IS NOT, NOT LIKE */
    bool star;      /* f(*) */
    int level;      /* E_COLUMN: scopes outward it resolved in; -1 unknown */
    const char *text;
    union {
        const char *qual; /* E_COLUMN, E_FUNC */
        TypeName *type;   /* E_CAST */
    };
    Expr *a, *b, *c;
    ExprList args;
    Select *sub;
    const Type *ty; /* set by the type checker; NULL when not known */
    Span loc;
};

struct Select {
    Expr *target;      /* NULL for `select *` inside EXISTS */
    bool star;         /* written `select *` */
    QName from;        /* name NULL when there is no FROM */
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

/* What only one kind of rule has shares a place (96 bytes instead of
 * 128, for the hundreds of thousands of rules of a large input): read a
 * field only for its kind. */
typedef struct Rule {
    RuleKind kind;
    CmdSet cmds;     /* allow/deny/policy; policy without `for`: CMD_ALL */
    PtrVec roles;    /* Ident*; empty: every role */
    Expr *using_;    /* NULL when absent; for a tenant path, the typed condition typecheck builds */
    Expr *check;     /* NULL when absent */
    union {
        Ident column;     /* tenant */
        PtrVec perms;     /* grant: Perm* */
        struct {          /* policy */
            Ident name;
            QName on;
            bool restrictive; /* `as restrictive` */
            bool has_on;      /* top-level policy: `on` given */
        };
    };
    Span loc;
} Rule;

typedef struct ColumnDecl {
    Ident name;
    TypeName *type;
    bool not_null;
    QName ref;       /* `references T (c)`: the foreign key; name NULL if none */
    Ident ref_column;
    bool ref_cascade; /* `on delete cascade` */
    Span loc;
} ColumnDecl;

/* `permission app.codename;` in a catalog: a Django permission that exists. */
typedef struct PermDecl {
    Ident app, codename;
    Span loc;
} PermDecl;

typedef struct FuncDecl {
    QName name;
    PtrVec args;     /* TypeName* */
    TypeName *ret;
    bool setof;      /* returns a set */
    bool aggregate;
    Span loc;
} FuncDecl;

typedef struct Block {
    bool is_model;
    QName name;    /* model: name holds the model name as written */
    PtrVec rules;  /* Rule* */
    PtrVec columns;  /* ColumnDecl*: catalog declarations */
    Ident model_app, model_name; /* `table T model app.Model`; NULL names if absent */
    QName table;   /* the table, resolved by resolve_files */
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

/* `test 'NAME' [as ROLE] [with CTX = LITERAL, ...] { ... }`: run by
 * `rlsc test` (lower.c copies it into the IR; no emitter reads it). */
typedef enum TestStepKind {
    TEST_SETUP,  /* setup: SQL; as the connecting role */
    TEST_ROWS,   /* expect N rows: SQL; */
    TEST_OK,     /* expect ok: SQL; */
    TEST_DENIED, /* expect denied: SQL; refused by a row-level security policy */
} TestStepKind;

typedef struct TestStep {
    TestStepKind kind;
    long rows;          /* TEST_ROWS */
    const char *sql;    /* verbatim, without its `;` and surrounding space */
    Span sql_loc;
    Span loc;           /* the line, from `setup` or `expect` */
} TestStep;

typedef struct TestSetting {
    Ident name;                 /* the context, without `$` */
    Expr *value;                /* E_NUMBER, E_STRING, E_BOOL or E_NULL */
    const ContextDecl *decl; /* set by resolve_files; NULL if unknown */
    Span loc;
} TestSetting;

typedef struct TestDecl {
    Ident name;       /* the test's name, quotes removed */
    Ident *role;      /* `as ROLE`; NULL: the connecting role */
    PtrVec settings;  /* TestSetting* */
    PtrVec steps;     /* TestStep* */
    Span loc;
} TestDecl;

typedef struct AstFile {
    SrcFile *src;
    Ident app;          /* name NULL when no `app` statement */
    PtrVec contexts;    /* ContextDecl* */
    PtrVec roles;       /* RoleDecl* */
    PtrVec blocks;      /* Block* */
    PtrVec policies;    /* Rule* (R_POLICY with on) */
    PtrVec functions;   /* FuncDecl*: catalog declarations */
    PtrVec permissions; /* PermDecl*: catalog declarations */
    PtrVec tests;       /* TestDecl* */
    /* filled by resolve_files */
    Map *context_map;   /* name -> ContextDecl* */
    Map *role_map;      /* name -> RoleDecl* */
    PtrVec bypass;      /* const char * names of bypass roles, sorted */
} AstFile;

Expr *ast_expr(Arena *a, ExprKind kind, Span loc);
/* Depth of an expression tree, at most limit + 1 (computed without
 * recursion, so it is safe on any input). */
int ast_depth(const Expr *e, int limit);
enum { AST_MAX_DEPTH = 1000 };
/* The Django permission a grant names, as rlsc.has_perm receives it: the
 * app and codename of a quoted 'app.codename', or for view/add/change/
 * delete the file's app and VERB_model of block b.  *app is NULL when p
 * names none (a custom name without a dot; resolve_files reports it). */
void ast_grant_perm(Arena *a, const Perm *p, const char *file_app, const Block *b,
                    const char **app, const char **codename);


/* ---- parser (parser/) */

/* Parses text into *out (never NULL on return); errors go to d. */
AstFile *parse_source(Arena *a, Diag *d, const char *path, const char *text,
                      int len);
/* Reads path and parses it; returns NULL (after a message through d) when
 * the file cannot be read. */
AstFile *parse_file(Arena *a, Diag *d, const char *path);

/* True for words the .rls grammar treats as keywords (they need quotes
 * where an identifier is written back). */
bool parse_is_keyword(const char *word);


/* ---- conditions as SQL (sqlfmt.c) */

/* How $context reads are spelled when an expression is printed. */
typedef struct SqlfmtCtx {
    /* Returns the SQL for $name, or NULL to print `$name` as is. */
    const char *(*context_sql)(void *env, const char *name);
    void *env;
    /* Print `x in (subquery)` as `x = any (array(subquery))` when
     * membership_eq returns the IN node itself, and EXISTS nodes for which
     * membership_eq names the correlating equality `inner = outer` as
     * `outer = any (array(select inner ... where rest))`. */
    bool rewrite_membership;
    const Expr *(*membership_eq)(void *env, const Expr *exists);
    const Expr *skip; /* printed as `true` (a correlation moved outside) */
} SqlfmtCtx;

/* Fully parenthesised canonical SQL; equal trees print equal text. */
void sqlfmt_expr(StrBuf *sb, const Expr *e, const SqlfmtCtx *ctx);
/* An operator as SQL writes it: "=", "AND", "||"; for E_IS, the words
 * after IS [NOT]: "NULL", "TRUE", "FALSE".  Messages use it too. */
const char *sqlfmt_op(Op op);
/* May PostgreSQL call an unquoted word as a function, name(args)?  Not a
 * reserved word (but left, right, ...), nor a column-name keyword such as
 * extract or position, whose calls are syntax of their own. */
bool sqlfmt_callable(const char *name);

#endif
