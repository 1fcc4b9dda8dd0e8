/*
 * ir.h — the policy IR, the hub between the front end (lang/) and the emitters
 * (codegen/).  It knows nothing of the AST.
 */
#ifndef RLSC_IR_H
#define RLSC_IR_H

#include "cmd.h"
#include "diag.h"

/*
 * The policy IR: a canonical, sorted set of tables and policies.  Every
 * front end produces it; every emitter and the migration diff consume it.
 * Conditions are final SQL text (context reads and bypass exemptions
 * already spelled out), so two IRs compare by comparing strings.
 */
/* Which rule a policy came from: lowering reports collisions by it, and
 * bypass and placeholder policies are told apart by it. */
typedef enum IrOrigin {
    IR_FROM_TENANT,
    IR_FROM_ALLOW,
    IR_FROM_DENY,
    IR_FROM_GRANT,
    IR_FROM_POLICY,
    IR_FROM_BYPASS, /* the policy that lets bypass roles through */
    IR_FROM_HOLDER, /* admits nothing; keeps the flag record of a table
                     * that has no rules */
} IrOrigin;

/* 56 bytes (several per table, so the small fields take a byte each) */
typedef struct IrPolicy {
    const char *name;
    PtrVec roles;        /* const char *, sorted; empty: PUBLIC */
    const char *using_;  /* NULL when absent */
    const char *check;   /* NULL when absent */
    Span loc;
    CmdSet cmd;          /* one command, or CMD_ALL */
    IrOrigin origin : 8;
    bool restrictive;
} IrPolicy;

typedef struct IrTable {
    const char *schema; /* NULL: the search_path */
    const char *name;
    PtrVec policies; /* IrPolicy*, sorted by name */
    const char *app, *model; /* model NULL for `table` blocks */
    CmdSet denied;   /* commands an unconditional `deny` refuses on purpose */
    bool force;
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
/* The `test` blocks of the files, for `rlsc test` (codegen/testrun.c);
 * they compile into nothing else: no emitter and no migration state
 * reads them. */
typedef enum IrStepKind {
    IR_STEP_SETUP,  /* runs as the connecting role, before the checks */
    IR_STEP_ROWS,   /* returns, or affects, rows rows */
    IR_STEP_OK,     /* succeeds */
    IR_STEP_DENIED, /* fails on a row-level security policy */
} IrStepKind;

typedef struct IrTestStep {
    IrStepKind kind;
    long rows;
    const char *sql;   /* verbatim, without its `;` */
    const char *where; /* "file:line:col" of the line */
} IrTestStep;

typedef struct IrTestSetting {
    const char *setting; /* the context's setting, 'app.tenant_id' */
    const char *value;   /* as set_config takes it; "" for null (unset) */
} IrTestSetting;

typedef struct IrTest {
    const char *name;
    const char *role;  /* SET ROLE for the checks; NULL: the connecting role */
    PtrVec settings;   /* IrTestSetting* */
    PtrVec steps;      /* IrTestStep*, in order */
    const char *where; /* "file:line:col" of the test */
} IrTest;

typedef struct Ir {
    PtrVec tables; /* IrTable*, sorted by schema then name */
    PtrVec roles;  /* IrRole*, sorted by name */
    IrHelper perm_helper; /* the stdlib permission helper needed, if any */
    IrAuth auth;          /* the tables the V2 helper reads */
    const char *app;    /* the files' app label; NULL if none or they differ */
    PtrVec tests;       /* IrTest*, in the order of the files */
} Ir;

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

#endif
