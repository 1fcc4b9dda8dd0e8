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

/* A growable string kept in an arena; always NUL-terminated. */
typedef struct StrBuf {
    Arena *arena;
    char *data;
    size_t len, cap;
    struct Big *big; /* past 1 MiB the buffer grows in place (util.c) */
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
void util_md5_hex(const char *s, size_t n, char out[33]);
/* s[0..n) with ASCII letters folded to lower case, as SQL folds names. */
char *util_lower(Arena *a, const char *s, size_t n);
/* An ASCII identifier: a Django app label or migration name. */
bool util_is_identifier(const char *s);
/* The offset of the first byte of s[0..n) that is not valid UTF-8 (as
 * PostgreSQL's UTF8 encoding accepts it), or n when all of it is. */
size_t util_utf8_invalid(const char *s, size_t n);
/* Reads all of f into sb; returns 0 or the errno of a read error. */
int util_read_all(FILE *f, StrBuf *sb);

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
/* "; did you mean 'PREFIXcand'?" for the closest candidate, or "". */
const char *diag_hint(Arena *a, const char *name, const char *const *cands, int n,
                      const char *prefix);
Span span_join(Span a, Span b);

/* ----------------------------------------------------------------- types */

/*
 * PostgreSQL's types as the checker sees them: a category (PostgreSQL's
 * typcategory, refined where operators differ) and, for numbers and
 * date/times, a rank that orders implicit widening casts.
 */
typedef enum TypeCat {
    TC_ANY,      /* not known (no catalog): compatible with everything */
    TC_UNKNOWN,  /* a quoted literal not yet coerced */
    TC_NULL,     /* the NULL literal */
    TC_BOOL,
    TC_NUMERIC,  /* rank: 1 smallint 2 integer 3 bigint 4 numeric 5 real 6 double */
    TC_STRING,   /* text, varchar, char, name */
    TC_DATETIME, /* rank: 1 date 2 timestamp 3 timestamptz; 10 time 11 timetz */
    TC_TIMESPAN, /* interval */
    TC_UUID,
    TC_JSON,     /* json: no comparison operators at all */
    TC_JSONB,
    TC_BYTEA,
    TC_NETWORK,  /* inet, cidr */
    TC_ARRAY,
    TC_OTHER,    /* user-defined (enums, composites, extensions) */
} TypeCat;

typedef struct Type {
    const char *name; /* canonical PostgreSQL spelling, without modifiers */
    TypeCat cat;
    int rank;
    const struct Type *elem; /* arrays */
} Type;

extern const Type type_any, type_unknown, type_null, type_bool, type_int2,
    type_int4, type_int8, type_numeric, type_float4, type_float8, type_text,
    type_name, type_date, type_timestamp, type_timestamptz, type_time,
    type_timetz, type_interval;

/* The type a type name denotes ("int8" -> bigint, "varchar(20)[]" ->
 * character varying[]).  Unknown names give TC_OTHER. */
const Type *types_lookup(Arena *a, const char *text);
bool types_equal(const Type *a, const Type *b);
/* NULL if the literal is valid input for t, else why not. */
const char *types_literal_error(Arena *a, const Type *t, const char *lit);
/* Can a and b meet in a comparison operator op (= <> < <= > >=)? */
bool types_comparable(const Type *a, const Type *b, const char *op);
/* Can a value of type from be passed where to is expected, implicitly? */
bool types_implicit(const Type *from, const Type *to);
/* Can from be cast to to with CAST / ::? */
bool types_castable(const Type *from, const Type *to);
/* The result of a op b for arithmetic and ||, or NULL if no operator. */
const Type *types_arith(Arena *a, const char *op, const Type *l, const Type *r);
/* The common type of CASE branches, COALESCE args...; NULL if none. */
const Type *types_common(const Type *a, const Type *b);
/* Is a numeric literal within numeric's range? */
bool types_numeric_in_range(const char *s);
/* Human-readable name for messages. */
const char *types_display(const Type *t);

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
    const Type *ty; /* set by the type checker; NULL when not known */
    int level;      /* E_COLUMN: scopes outward it resolved in; -1 unknown */
    /* E_EXISTS that lowering found rewritable to outer = ANY (ARRAY(...)):
     * the correlating equality and its two columns */
    Expr *rw_skip, *rw_outer, *rw_inner;
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
    R_BYPASS, /* IR only: the policy that lets bypass roles through */
    R_HOLDER, /* IR only: admits nothing; keeps the flag record of a table
               * that has no rules */
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
    Expr *using_;    /* NULL when absent; for a tenant path, the typed condition typecheck builds */
    Expr *check;     /* NULL when absent */
    Ident column;    /* tenant */
    PtrVec perms;    /* Perm*, grant */
    Ident name;      /* policy */
    bool restrictive;/* policy `as restrictive` */
    bool has_on;     /* top-level policy: `on` given */
    QName on;
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
    PtrVec functions;   /* FuncDecl*: catalog declarations */
    PtrVec permissions; /* PermDecl*: catalog declarations */
    /* filled by check_files */
    Map *context_map;   /* name -> ContextDecl* */
    Map *role_map;      /* name -> RoleDecl* */
    PtrVec bypass;      /* const char * names of bypass roles, sorted */
} AstFile;

Expr *ast_expr(Arena *a, ExprKind kind, Span loc);
/* Depth of an expression tree, at most limit + 1 (computed without
 * recursion, so it is safe on any input). */
int ast_depth(const Expr *e, int limit);
enum { AST_MAX_DEPTH = 1000 };

/* ---------------------------------------------------------------- parser */

/* Parses text into *out (never NULL on return); errors go to d. */
AstFile *parse_source(Arena *a, Diag *d, const char *path, const char *text,
                      int len);
/* Reads path and parses it; returns NULL (after a message on stderr) when
 * the file cannot be read. */
AstFile *parse_file(Arena *a, Diag *d, const char *path);

/* True for words the .rls grammar treats as keywords (they need quotes
 * where an identifier is written back). */
bool parse_is_keyword(const char *word);

/* --------------------------------------------------------------- catalog */

/*
 * What the checker knows of the database: tables with typed columns and
 * the Django model they belong to, and functions with signatures.  Filled
 * from catalog .rls files (--catalog), a live database (--db, catalog_pg.c)
 * and the built-in prelude of PostgreSQL functions (stdlib/prelude.rls).
 */
typedef struct CatColumn {
    const char *name;
    const char *type_text; /* as declared, with modifiers */
    const Type *type;
    bool not_null;
    /* a single-column foreign key: the table and column it references */
    const char *ref_schema, *ref_table, *ref_column;
    bool ref_cascade; /* deleting the referenced row deletes this one */
    Span loc;
} CatColumn;

typedef struct CatTable {
    const char *schema; /* NULL when declared without one */
    const char *name;
    const char *app, *model; /* Django model, lower case; NULL if none */
    PtrVec columns;          /* CatColumn*, in declaration order */
    Map *by_name;
    Span loc;
} CatTable;

typedef struct CatFunc {
    const char *schema, *name;
    PtrVec args;      /* const Type* */
    const Type *ret;
    bool setof, aggregate;
} CatFunc;

typedef struct Catalog {
    Arena *arena;
    Map *tables;      /* "schema\x1fname" -> CatTable* */
    Map *bare;        /* "name" -> PtrVec* of CatTable* */
    Map *models;      /* "app.model" -> CatTable* */
    Map *funcs;       /* "name" -> PtrVec* of CatFunc* */
    PtrVec table_list, func_list;
    Map *perms;       /* "app.codename" -> "app.codename": Django permissions */
    Map *perm_apps;   /* app label -> itself, for apps whose permissions are known */
    PtrVec perm_list; /* const char * "app.codename", in declaration order */
    bool has_tables;  /* a catalog was loaded: unknown names are errors */
} Catalog;

Catalog *cat_new(Arena *a);
/* The table schema.name, created empty if new. */
CatTable *cat_get_table(Catalog *c, const char *schema, const char *name, Span loc);
void cat_register_func(Catalog *c, CatFunc *fn);
/* Records that the Django permission app.codename exists. */
void cat_add_perm(Catalog *c, const char *app, const char *codename);
/* Adds the declarations of a parsed file.  A catalog file (decls_only)
 * may hold no rules, and makes the catalog authoritative: from then on
 * unknown tables and columns are errors.  Columns declared in policy
 * files only add to what is known. */
void cat_add_file(Catalog *c, Diag *d, const AstFile *f, bool decls_only);
/* Parses the built-in prelude of PostgreSQL functions into c. */
void cat_add_prelude(Catalog *c, Diag *d);
/* Unqualified names prefer no schema, then public, then a unique match. */
CatTable *cat_table(const Catalog *c, const char *schema, const char *name);
CatTable *cat_model(const Catalog *c, const char *app, const char *model);
const PtrVec *cat_funcs(const Catalog *c, const char *name);
/* Writes the catalog as .rls text (tables and non-prelude functions). */
void cat_write(StrBuf *out, const Catalog *c);
/* Reads tables and functions of a live database through libpq; returns 0,
 * or 2 with a message on stderr when the database cannot be read. */
int cat_load_pg(Catalog *c, const char *conninfo);

extern const char cat_prelude_rls[];

/* --------------------------------------------------------------- SQL text */

/* Always double-quotes, doubling embedded quotes. */
void sqlfmt_ident(StrBuf *sb, const char *name);
/* schema.name, each part quoted; schema may be NULL. */
void sqlfmt_qname(StrBuf *sb, const char *schema, const char *name);
/* A string literal; E'' with doubled backslashes when the value has a
 * backslash, so the text means the same under any setting. */
void sqlfmt_literal(StrBuf *sb, const char *value);

/* How $context reads are spelled when an expression is printed. */
typedef struct SqlfmtCtx {
    /* Returns the SQL for $name, or NULL to print `$name` as is. */
    const char *(*context_sql)(void *env, const char *name);
    void *env;
    /* Print `x in (subquery)` as `x = any (array(subquery))`, and marked
     * EXISTS nodes likewise. */
    bool rewrite_membership;
    const Expr *skip; /* printed as `true` (a correlation moved outside) */
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
    CmdSet denied;   /* commands an unconditional `deny` refuses on purpose */
    Span loc;
} IrTable;

typedef struct IrRole {
    const char *name;
    bool bypass;
} IrRole;

/* The stdlib permission helper a state needs.  V1 is rlsc 0.1.0's
 * has_perm(user id, ...), read back from old migrations only; lowering
 * always asks for the current one. */
typedef enum IrHelper {
    IR_HELPER_NONE,
    IR_HELPER_V1, /* rlsc.has_perm(bigint, text, text): any id */
    IR_HELPER_V2, /* rlsc.has_perm(setting, text, text): the current $user */
} IrHelper;

/* The tables Django's ModelBackend reads for user.has_perm(), which the
 * V2 helper's body names: the user model's table and its groups and
 * user_permissions many-to-many tables as the catalog has them, with
 * auth_group_permissions, auth_permission and django_content_type.  Every
 * field is text, so the state line and the comparison are one loop; names
 * are unquoted and schemas always written. */
enum {
    IR_AUTH_USER_SCHEMA, IR_AUTH_USER_TABLE, IR_AUTH_USER_PK,
    IR_AUTH_ID_TYPE,     /* "int8", "uuid" or "text": how the $user setting is read */
    IR_AUTH_ACTIVE,      /* "1" if the user table has is_active, else "0" (always active) */
    IR_AUTH_SUPERUSER,   /* "1" if it has is_superuser, else "0" */
    IR_AUTH_GROUPS_SCHEMA, IR_AUTH_GROUPS_TABLE, IR_AUTH_GROUPS_USER, IR_AUTH_GROUPS_GROUP,
    IR_AUTH_PERMS_SCHEMA, IR_AUTH_PERMS_TABLE, IR_AUTH_PERMS_USER, IR_AUTH_PERMS_PERM,
    IR_AUTH_GROUP_PERMS_SCHEMA, /* auth_group_permissions (group_id, permission_id) */
    IR_AUTH_PERMISSION_SCHEMA,  /* auth_permission (id, content_type_id, codename) */
    IR_AUTH_CTYPE_SCHEMA,       /* django_content_type (id, app_label) */
    IR_AUTH_NFIELDS
};
typedef struct IrAuth {
    const char *f[IR_AUTH_NFIELDS];
} IrAuth;

/* Django's default user model auth.User. */
extern const IrAuth ir_auth_default;
bool ir_auth_equal(const IrAuth *a, const IrAuth *b);
/* The user tables the catalog has; without a catalog, Django's default.
 * False, with why set, when a catalog is loaded but has no usable user
 * model; the user's key column type is left in *key_type. */
bool auth_find(Arena *a, const Catalog *cat, IrAuth *out, const Type **key_type,
               const char **why);

typedef struct Ir {
    PtrVec tables; /* IrTable*, sorted by schema then name */
    PtrVec roles;  /* IrRole*, sorted by name */
    IrHelper perm_helper; /* the stdlib permission helper needed, if any */
    IrAuth auth;          /* the tables the V2 helper reads */
    const char *app;    /* the files' app label; NULL if none or they differ */
} Ir;

/* Warns where Django's on_delete=CASCADE deletes children of a row the
 * policies may refuse to delete (cascade.c). */
void cascade_check(Arena *a, Diag *d, const Catalog *cat, const Ir *ir);

/* A table's schema as the IR keeps it: "public" is the search_path's
 * default and is left unwritten (NULL), as Django writes table names, so
 * `public.t`, `t` and a catalog's public.t are one table. */
const char *ir_schema(const char *schema);
/* One string per table (schema as ir_schema has it), for maps. */
const char *ir_table_key(Arena *a, const char *schema, const char *name);
/* The IR's table order: schema, then name. */
int ir_table_order(const IrTable *a, const IrTable *b);
/* Sorts tables, policies and roles into canonical order. */
void ir_sort(Ir *ir);
IrTable *ir_find_table(const Ir *ir, const char *schema, const char *name);
/* The IR as the text a migration records; read back by ir_read_state. */
void ir_write_state(StrBuf *sb, const Ir *ir);
/* Every field is checked (a migration file can be damaged by hand); on
 * damage returns what is wrong and sets *err_line to the state's line
 * (0 when no single line is to blame). */
const char *ir_read_state(Arena *a, const char *text, Ir **out, int *err_line);

/* A table as Django's migrations name it: schema NULL or "public" for
 * the search_path's default. */
typedef struct IrTableName {
    const char *schema, *name;
} IrTableName;
/* Gives the tables of ir named from[i] the names to[i], all at once (so
 * names may swap): Django renamed them, and their policies moved along.
 * moved[i] is the table renamed by pair i, or NULL when ir has none of
 * that name.  Returns NULL, or why the names clash. */
const char *ir_rename_tables(Arena *a, Ir *ir, const IrTableName *from, const IrTableName *to,
                             int n, const IrTable **moved);
/* ir without the tables named (sharing everything else); *removed: how
 * many of them it held. */
Ir *ir_without_tables(Arena *a, const Ir *ir, const IrTableName *names, int n, int *removed);

/* ----------------------------------------------------- checking, lowering */

/* Resolves names and command rules of the files against cat (which may
 * hold only the prelude); reports into d. */
void check_files(Arena *a, Diag *d, AstFile **files, int nfiles, const Catalog *cat);
/* Types every condition, tenant column and context; call after
 * check_files.  Without catalog tables, columns are typed `any`. */
void typecheck_files(Arena *a, Diag *d, AstFile **files, int nfiles, const Catalog *cat);
/* Lowers checked files into one IR.  Call only when check found no error. */
Ir *lower_files(Arena *a, Diag *d, AstFile **files, int nfiles);

/* Parse, check and lower into *out.  Returns the exit status: 0 success,
 * 1 errors reported in d, 2 a file could not be read (said on stderr). */
int compile_files(Arena *a, Diag *d, const char *const *paths, int npaths,
                  Catalog *cat, Ir **out);

/* --------------------------------------------------------------- codegen */

/* The SQL that applies the IR (down: removes it again).  With txn, the
 * script is wrapped in BEGIN/COMMIT; without, the caller provides one
 * (a Django migration runs in its own transaction). */
void emit_sql(StrBuf *out, const Ir *ir, bool down, bool txn);

/* The SQL that turns a database with policies `from` into one with `to`
 * (either may be empty): CREATE, ALTER where PostgreSQL allows it, else
 * DROP and CREATE.  With summary, one line per change is added there. */
void emit_diff(StrBuf *out, StrBuf *summary, const Ir *from, const Ir *to);

/* Splits a script into its statements (const char *), in order, so that
 * their concatenation is exactly sql; see emit_sql.c for the lexing. */
void emit_statements(Arena *a, const char *sql, PtrVec *out);

/* rlsc django: writes (or with check/dry_run, reports) the next migration
 * of the app in dir.  Returns the exit status. */
typedef struct DjangoOpts {
    const char *dir;
    const char *name;  /* NULL: rlsc_policies */
    bool check, dry_run;
    const char *const *sources; /* the .rls paths, named in the header */
    int nsources;
    /* Django's migration graph, as `manage.py makemigrations` reads it: */
    const char *const *after;      /* dependencies, "NAME" or "APP.NAME"; none: the newest file */
    int nafter;
    const char *const *run_before; /* migrations that must run after this one */
    int nrun_before;
    const IrTableName *renamed_from, *renamed_to; /* tables renamed since the state */
    int nrenamed;
    const IrTableName *deleted;    /* with deleted: only the policies of these tables go */
    int ndeleted;
} DjangoOpts;
/* ir NULL: the migration that removes the policies of o->deleted. */
int emit_django(Arena *a, const Ir *ir, const char *app, const DjangoOpts *o);

/* The stdlib SQL (schema rlsc and its helpers), built into the binary. */
extern const char emit_stdlib_up_sql[];
extern const char emit_stdlib_legacy_up_sql[];
extern const char emit_stdlib_down_sql[]; /* @ARGS@: the entry point's arguments */

#endif
