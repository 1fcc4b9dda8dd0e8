/*
 * parser.y — the .rls grammar: tokens -> AST.
 *
 * A file is a list of statements: `app`, `context`, `role`, `model` and
 * `table` blocks, and top-level `policy ... on T`.  Blocks hold rules:
 * `tenant`, `allow`, `deny`, `grant`, `policy`, `no force`.  Conditions
 * follow PostgreSQL's expression grammar and operator precedence (gram.y):
 * a_expr is `expr`, and `b_expr` (no boolean operators) is the lower bound
 * of BETWEEN so that `x between 1 and 2 and y` parses as in SQL.
 *
 * The words .rls adds (app, context, role, ...) are unreserved: the `ident`
 * rule accepts them, so they stay usable as column and table names.
 * `test` blocks hold SQL that is not .rls: the scanner takes it raw
 * (SQLTEXT) and makes `test`, `setup`, `expect`, `rows`, `ok` and
 * `denied` tokens only where a test block has them (lexer.l), so they are
 * no keywords and stay names everywhere else.
 * Errors recover at the next `;` or `}` so one run reports several.
 */
%code top {
#include <errno.h>
#include <stdlib.h>
#include <string.h>
}

%code requires {
#include "parse.h"
}

%code provides {
int rls_yylex(RLS_YYSTYPE *lval, Span *lloc, yyscan_t scanner);
}

%code {
static void yyerror(Span *loc, yyscan_t scanner, ParseState *ps, const char *msg);
static Expr *mk(ParseState *ps, ExprKind k, Span loc);
static Expr *mk_bin(ParseState *ps, Op op, Expr *a, Expr *b, Span loc);
static Expr *mk_list(ParseState *ps, ExprKind k, Expr *a, PtrVec *v, bool neg, Span loc);
static ExprList to_list(PtrVec v);
static Expr *mk_call(ParseState *ps, const char *name, Span name_loc, Span loc);
static Expr *mk_sql_call(ParseState *ps, const char *name, Expr *x, Expr *from, Expr *for_,
                         Span name_loc, Span loc);
static TypeName *mk_type(ParseState *ps, const PtrVec *words, const char *fields,
                         const char *typmod, const char *tz, const char *array, Span loc);
static Rule *mk_rule(ParseState *ps, RuleKind k, Span loc);
static Ident *mk_ident(ParseState *ps, const char *name, Span loc);
static ColumnDecl *mk_column(ParseState *ps, const char *name, Span name_loc, TypeName *type,
                             bool not_null, Span loc);
static Expr *mk_is_word(ParseState *ps, Expr *a, const char *word, bool negated, Span word_loc,
                        Span loc);
static TestSetting *mk_setting(ParseState *ps, const char *name, Span name_loc, Expr *value,
                               Span loc);
static TestStep *mk_step(ParseState *ps, TestStepKind k, const char *sql, Span sql_loc,
                         Span loc);

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                  \
    do {                                                             \
        if (N) {                                                     \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                    \
            (Cur).end = YYRHSLOC(Rhs, N).end;                        \
        } else {                                                     \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;          \
        }                                                            \
    } while (0)
#define A (ps->arena)
}

%define api.prefix {rls_yy}
%define api.pure full
%define api.location.type {Span}
%define parse.error custom
%define parse.lac full
%locations
%lex-param {yyscan_t scanner}
%parse-param {yyscan_t scanner} {ParseState *ps}
%expect 0

%union {
    const char *str;
    Expr *expr;
    Select *sel;
    Rule *rule;
    Block *block;
    PtrVec vec;
    CmdSet cmds;
    TypeName *type;
    QName qname;
    Perm *perm;
    bool flag;
    Op op;
    Ident *id;
    Expr *lit;
    TestStep *step;
}

%token <str> IDENT "identifier" QIDENT "quoted identifier"
%token <str> STRING "string" NUMBER "number"
%token <str> CTXREF "context reference"
%token TYPECAST "::" LE "<=" GE ">=" NE "<>" CONCAT "||"
%token <op> OP "operator"
/* test blocks: words the scanner turns into tokens there only, and the raw
 * SQL of a line */
%token TEST "test" SETUP "setup" EXPECT "expect" ROWS "rows" OK "ok" DENIED "denied"
%token <str> SQLTEXT "SQL"

/* ---- keywords: the tokens of parser/kwlist.h.  A token of one word shows
 * as that word in syntax errors.  Every %token from here to the %type lines
 * is a keyword; tests/unit/keywords.sh checks them, and the rules
 * unreserved and type_unreserved, against kwlist.h. */

/* .rls words and SQL words that are unreserved here */
%token <str> APP "app" CONTEXT "context" ROLE "role" BYPASS "bypass"
%token <str> MODEL "model" TENANT "tenant" ALLOW "allow" DENY "deny"
%token <str> FORCE "force" NO "no" POLICY "policy" PERMISSIVE "permissive"
%token <str> RESTRICTIVE "restrictive" INSERT "insert" UPDATE "update"
%token <str> DELETE "delete" COLUMN "column" FUNCTION "function"
%token <str> RETURNS "returns" AGGREGATE "aggregate" REFERENCES "references"
%token <str> PERMISSION "permission" SIMILAR "similar" ESCAPE "escape"

/* reserved, as in SQL */
%token <str> AND "and" OR "or" NOT "not" IS "is" NULL_P "null"
%token <str> TRUE_P "true" FALSE_P "false" DISTINCT "distinct" FROM "from"
%token <str> IN_P "in" EXISTS "exists" LIKE "like" ILIKE "ilike"
%token <str> BETWEEN "between" CASE "case" WHEN "when" THEN "then"
%token <str> ELSE "else" END_P "end" CAST "cast" AS "as" SELECT "select"
%token <str> WHERE "where" CURRENT_USER "current_user"
%token <str> SESSION_USER "session_user" ANY "any" ALL "all" SOME "some"
%token <str> ARRAY "array" TABLE "table"
%token <str> FOR "for" TO "to" ON "on" USING "using" CHECK "check"
%token <str> WITH "with" WITHOUT "without" GRANT "grant"
%token <str> VALUEFUNC "SQL value function"

%type <str> ident unreserved type_unreserved type_word ctx_name reserved
%type <op> cmp_op sub_op
%type <str> quant
%type <expr> expr b_expr primary func_call case_expr opt_else
%type <expr> opt_using opt_check opt_with_check sel_target opt_where
%type <expr> subscriptable subscript opt_expr
%type <sel> select opt_from
%type <vec> expr_list when_list roles opt_to type_words perms opt_types types subscripts
%type <cmds> cmd cmds opt_for
%type <type> type_name
%type <str> opt_fields opt_typmod typmods typmod opt_tz opt_array opt_alias
%type <qname> qname opt_on_table
%type <rule> rule policy_tail
%type <block> block_body
%type <perm> perm
%type <flag> opt_bypass opt_as opt_not_null opt_aggregate opt_on_delete
%type <id> test_role
%type <vec> test_with test_settings test_body
%type <lit> test_literal
%type <step> test_step

%left OR
%left AND
%right NOT
%nonassoc IS
%nonassoc '<' '>' '=' LE GE NE
%nonassoc BETWEEN IN_P LIKE ILIKE SIMILAR
%precedence ESCAPE /* just above LIKE, ILIKE and SIMILAR, as in gram.y */
%left CONCAT OP
%left '+' '-'
%left '*' '/' '%'
%left '^'
%precedence UMINUS
%precedence TYPECAST

%%

file:
      %empty
    | file stmt
    ;

stmt:
      APP ident ';'
        {
            if (ps->file->app.name)
                diag_error(ps->diag, @$, "the app is already named '%s'",
                           ps->file->app.name);
            else
                ps->file->app = (Ident){$2, @2};
        }
    | CONTEXT ctx_name type_name '=' STRING ';'
        {
            ContextDecl *c = arena_alloc(A, sizeof *c);
            c->name = (Ident){$2, @2};
            c->type = $3;
            c->setting = $5;
            c->setting_loc = @5;
            c->loc = @$;
            vec_push(A, &ps->file->contexts, c);
        }
    | ROLE ident opt_bypass ';'
        {
            RoleDecl *r = arena_alloc(A, sizeof *r);
            r->name = (Ident){$2, @2};
            r->bypass = $3;
            r->loc = @$;
            vec_push(A, &ps->file->roles, r);
        }
    | MODEL ident '{' block_body '}'
        {
            $4->is_model = true;
            $4->name = (QName){NULL, $2, @2};
            $4->loc = @$;
            vec_push(A, &ps->file->blocks, $4);
        }
    | TABLE qname '{' block_body '}'
        {
            $4->name = $2;
            $4->loc = @$;
            vec_push(A, &ps->file->blocks, $4);
        }
    | TABLE qname MODEL ident '.' ident '{' block_body '}'
        {
            $8->name = $2;
            $8->model_app = (Ident){$4, @4};
            $8->model_name = (Ident){$6, @6};
            $8->loc = @$;
            vec_push(A, &ps->file->blocks, $8);
        }
    | opt_aggregate FUNCTION qname '(' opt_types ')' RETURNS type_name ';'
        {
            FuncDecl *f = arena_alloc(A, sizeof *f);
            f->name = $3;
            f->args = $5;
            /* `setof T` is read as type words; setof stays a usable name */
            f->setof = strncmp($8->text, "setof ", 6) == 0;
            if (f->setof)
                $8->text += 6;
            f->ret = $8;
            f->aggregate = $1;
            f->loc = @$;
            vec_push(A, &ps->file->functions, f);
        }
    | PERMISSION ident '.' ident ';'
        {
            PermDecl *p = arena_alloc(A, sizeof *p);
            p->app = (Ident){$2, @2};
            p->codename = (Ident){$4, @4};
            p->loc = @$;
            vec_push(A, &ps->file->permissions, p);
        }
    | POLICY policy_tail ';'
        {
            $2->loc = @$;
            vec_push(A, &ps->file->policies, $2);
        }
    | TEST STRING test_role test_with '{' test_body '}'
        {
            TestDecl *t = arena_alloc(A, sizeof *t);
            t->name = (Ident){$2, @2};
            t->role = $3;
            t->settings = $4;
            t->steps = $6;
            t->loc = @$;
            vec_push(A, &ps->file->tests, t);
        }
    | ';'
    /* Recovery resumes at the next statement's keyword or ';'.  No
     * yyerrok: errors right after recovery are the same mistake. */
    | error
    ;

/* ---- test blocks: `test 'NAME' [as ROLE] [with CTX = LITERAL, ...] { ... }` */

test_role:
      %empty      { $$ = NULL; }
    | AS ident    { $$ = mk_ident(ps, $2, @2); }
    ;

test_with:
      %empty              { $$ = (PtrVec){0}; }
    | WITH test_settings  { $$ = $2; }
    ;

test_settings:
      ctx_name '=' test_literal
        { $$ = (PtrVec){0}; vec_push(A, &$$, mk_setting(ps, $1, @1, $3, @$)); }
    | test_settings ',' ctx_name '=' test_literal
        { $$ = $1; vec_push(A, &$$, mk_setting(ps, $3, @3, $5, span_join(@3, @5))); }
    ;

/* a context's value, as set_config receives it; null leaves it unset */
test_literal:
      NUMBER      { $$ = mk(ps, E_NUMBER, @$); $$->text = $1; }
    | '-' NUMBER  { $$ = mk(ps, E_NUMBER, @$); $$->text = arena_printf(A, "-%s", $2); }
    | STRING      { $$ = mk(ps, E_STRING, @$); $$->text = $1; }
    | TRUE_P      { $$ = mk(ps, E_BOOL, @$); $$->text = "true"; }
    | FALSE_P     { $$ = mk(ps, E_BOOL, @$); $$->text = "false"; }
    | NULL_P      { $$ = mk(ps, E_NULL, @$); }
    ;

test_body:
      %empty                { $$ = (PtrVec){0}; }
    | test_body test_step   { $$ = $1; if ($2) vec_push(A, &$$, $2); }
    ;

test_step:
      SETUP ':' SQLTEXT ';'
        { $$ = mk_step(ps, TEST_SETUP, $3, @3, @$); }
    | EXPECT NUMBER ROWS ':' SQLTEXT ';'
        {
            $$ = mk_step(ps, TEST_ROWS, $5, @5, @$);
            char *end;
            errno = 0;
            long n = strtol($2, &end, 10);
            if (*end || errno || n < 0 || n > 1000000000)
                diag_error(ps->diag, @2, "expected a whole number of rows, not %s", $2);
            $$->rows = n;
        }
    | EXPECT OK ':' SQLTEXT ';'
        { $$ = mk_step(ps, TEST_OK, $4, @4, @$); }
    | EXPECT DENIED ':' SQLTEXT ';'
        { $$ = mk_step(ps, TEST_DENIED, $4, @4, @$); }
    | ';'
        { $$ = NULL; }
    /* a line with an error ends at its ';': the next line's errors are
     * mistakes of their own */
    | error ';'
        { $$ = NULL; yyerrok; }
    ;

opt_bypass:
      %empty  { $$ = false; }
    | BYPASS  { $$ = true; }
    ;

block_body:
      %empty
        { $$ = arena_alloc(A, sizeof(Block)); }
    | block_body rule
        { $$ = $1; if ($2) vec_push(A, &$$->rules, $2); }
    | block_body COLUMN ident type_name opt_not_null ';'
        {
            $$ = $1;
            vec_push(A, &$$->columns, mk_column(ps, $3, @3, $4, $5, span_join(@2, @6)));
        }
    | block_body COLUMN ident type_name opt_not_null REFERENCES qname '(' ident ')'
      opt_on_delete ';'
        {
            $$ = $1;
            ColumnDecl *c = mk_column(ps, $3, @3, $4, $5, span_join(@2, @12));
            c->ref = $7;
            c->ref_column = (Ident){$9, @9};
            c->ref_cascade = $11;
            vec_push(A, &$$->columns, c);
        }
    ;

/* `on delete cascade`: deleting the referenced row deletes this one (in
 * the database, or in Django's Collector, which deletes these rows first) */
opt_on_delete:
      %empty                  { $$ = false; }
    | ON DELETE ident
        {
            if (strcmp($3, "cascade") != 0)
                diag_error(ps->diag, @3, "expected 'cascade' after 'on delete'");
            $$ = true;
        }
    ;

opt_not_null:
      %empty          { $$ = false; }
    | NOT NULL_P      { $$ = true; }
    | NULL_P          { $$ = false; }
    ;

opt_aggregate:
      %empty          { $$ = false; }
    | AGGREGATE       { $$ = true; }
    ;

opt_types:
      %empty          { $$ = (PtrVec){0}; }
    | types           { $$ = $1; }
    ;

types:
      type_name             { $$ = (PtrVec){0}; vec_push(A, &$$, $1); }
    | types ',' type_name   { $$ = $1; vec_push(A, &$$, $3); }
    ;

rule:
      TENANT ident ';'
        {
            $$ = mk_rule(ps, R_TENANT, @$);
            $$->column = (Ident){$2, @2};
        }
    | ALLOW cmds opt_to opt_using opt_check ';'
        {
            $$ = mk_rule(ps, R_ALLOW, @$);
            $$->cmds = $2; $$->roles = $3; $$->using_ = $4; $$->check = $5;
        }
    | DENY cmds opt_to opt_using opt_check ';'
        {
            $$ = mk_rule(ps, R_DENY, @$);
            $$->cmds = $2; $$->roles = $3; $$->using_ = $4; $$->check = $5;
        }
    | GRANT perms opt_to opt_using ';'
        {
            $$ = mk_rule(ps, R_GRANT, @$);
            $$->perms = $2; $$->roles = $3; $$->using_ = $4;
            for (int i = 0; i < $2.n; i++)
                $$->cmds |= ((Perm *)$2.items[i])->cmd;
        }
    | POLICY policy_tail ';'
        { $$ = $2; $$->loc = @$; }
    | NO FORCE ';'
        { $$ = mk_rule(ps, R_NOFORCE, @$); }
    | ';'
        { $$ = NULL; }
    /* Recovery resumes at whatever can follow a rule: the next rule's
     * keyword, a ';', or the block's '}' (which then closes the block). */
    | error
        { $$ = NULL; }
    ;

policy_tail:
      ident opt_on_table opt_as opt_for opt_to opt_using opt_with_check
        {
            $$ = mk_rule(ps, R_POLICY, @$);
            $$->has_on = $2.name != NULL;
            $$->on = $2;
            $$->name = (Ident){$1, @1};
            $$->restrictive = $3;
            $$->cmds = $4;
            $$->roles = $5;
            $$->using_ = $6;
            $$->check = $7;
        }
    ;

opt_on_table:
      %empty     { $$ = (QName){NULL, NULL, @$}; }
    | ON qname   { $$ = $2; }
    ;

opt_as:
      %empty              { $$ = false; }
    | AS PERMISSIVE       { $$ = false; }
    | AS RESTRICTIVE      { $$ = true; }
    ;

opt_for:
      %empty    { $$ = CMD_ALL; }
    | FOR cmd   { $$ = $2; }
    ;

cmds:
      cmd             { $$ = $1; }
    | cmds ',' cmd
        {
            if ($1 & $3)
                diag_error(ps->diag, @3, "command '%s' is listed twice",
                           cmd_name($3));
            $$ = $1 | $3;
        }
    ;

cmd:
      SELECT  { $$ = CMD_SELECT; }
    | INSERT  { $$ = CMD_INSERT; }
    | UPDATE  { $$ = CMD_UPDATE; }
    | DELETE  { $$ = CMD_DELETE; }
    | ALL     { $$ = CMD_ALL; }
    ;

perms:
      perm            { $$ = (PtrVec){0}; vec_push(A, &$$, $1); }
    | perms ',' perm  { $$ = $1; vec_push(A, &$$, $3); }
    ;

perm:
      ident
        {
            $$ = arena_alloc(A, sizeof *$$);
            $$->name = $1;
            $$->loc = @$;
        }
    | STRING FOR cmd
        {
            $$ = arena_alloc(A, sizeof *$$);
            $$->name = $1;
            $$->custom = true;
            $$->cmd = $3;
            $$->loc = @$;
        }
    ;

opt_to:
      %empty     { $$ = (PtrVec){0}; }
    | TO roles   { $$ = $2; }
    ;

roles:
      ident            { $$ = (PtrVec){0}; vec_push(A, &$$, mk_ident(ps, $1, @1)); }
    | roles ',' ident  { $$ = $1; vec_push(A, &$$, mk_ident(ps, $3, @3)); }
    ;

opt_using:
      %empty                  { $$ = NULL; }
    | USING '(' expr ')'      { $$ = $3; }
    ;

opt_check:
      %empty                  { $$ = NULL; }
    | CHECK '(' expr ')'      { $$ = $3; }
    ;

opt_with_check:
      %empty                  { $$ = NULL; }
    | WITH CHECK '(' expr ')' { $$ = $4; }
    ;

qname:
      ident            { $$ = (QName){NULL, $1, @$}; }
    | ident '.' ident  { $$ = (QName){$1, $3, @$}; }
    ;

ident:
      IDENT
    | QIDENT
    | unreserved
    ;

/* A word of a type name; a quoted one keeps its quotes ("char" is not
 * char). */
type_word:
      IDENT
    | type_unreserved
    | QIDENT
        {
            StrBuf sb;
            sb_init(&sb, A);
            sqlfmt_ident(&sb, $1);
            $$ = sb_str(&sb);
        }
    ;

/* A context is read as $name, never as a bare word, so its declaration
 * takes any word: `context on text = 'app.on';` */
ctx_name:
      ident
    | reserved
    ;

/* kwlist.h's RESERVED_KEYWORD tokens (tests/unit/keywords.sh checks) */
reserved:
      ALL | AND | ANY | ARRAY | AS | BETWEEN | CASE | CAST | CHECK | CURRENT_USER
    | DISTINCT | ELSE | END_P | EXISTS | FALSE_P | FOR | FROM | GRANT | ILIKE | IN_P
    | IS | LIKE | NOT | NULL_P | ON | OR | SELECT | SESSION_USER | SOME | TABLE
    | THEN | TO | TRUE_P | USING | VALUEFUNC | WHEN | WHERE | WITH | WITHOUT
    ;

/* The keywords that stay names: kwlist.h's UNRESERVED_KEYWORD here,
 * TYPE_UNRESERVED_KEYWORD in type_unreserved. */
unreserved:
      type_unreserved | REFERENCES | SIMILAR | ESCAPE
    ;

/* all but `references`, which may follow a column's type, and `similar`
 * and `escape`, which may follow a cast's type (`x::text similar to ...`) */
type_unreserved:
      APP | CONTEXT | ROLE | BYPASS | MODEL | TENANT | ALLOW | DENY | FORCE
    | NO | POLICY | PERMISSIVE | RESTRICTIVE | INSERT | UPDATE | DELETE
    | COLUMN | FUNCTION | RETURNS | AGGREGATE | PERMISSION
    ;

/* ---- conditions */

expr:
      primary
    | expr OR expr        { $$ = mk_bin(ps, OP_OR, $1, $3, @$); }
    | expr AND expr       { $$ = mk_bin(ps, OP_AND, $1, $3, @$); }
    | NOT expr            { $$ = mk(ps, E_UNARY, @$); $$->op = OP_NOT; $$->a = $2; }
    | expr '=' expr       { $$ = mk_bin(ps, OP_EQ, $1, $3, @$); }
    | expr '<' expr       { $$ = mk_bin(ps, OP_LT, $1, $3, @$); }
    | expr '>' expr       { $$ = mk_bin(ps, OP_GT, $1, $3, @$); }
    | expr LE expr        { $$ = mk_bin(ps, OP_LE, $1, $3, @$); }
    | expr GE expr        { $$ = mk_bin(ps, OP_GE, $1, $3, @$); }
    | expr NE expr        { $$ = mk_bin(ps, OP_NE, $1, $3, @$); }
    | expr sub_op quant '(' expr ')'
        { $$ = mk_bin(ps, $2, $1, $5, @$); $$->kind = E_QUANT; $$->text = $3; }
    | expr sub_op quant '(' select ')'
        { $$ = mk_bin(ps, $2, $1, NULL, @$); $$->kind = E_QUANT; $$->text = $3; $$->sub = $5; }
    | expr IS NULL_P      { $$ = mk(ps, E_IS, @$); $$->a = $1; $$->op = OP_IS_NULL; }
    | expr IS NOT NULL_P  { $$ = mk(ps, E_IS, @$); $$->a = $1; $$->op = OP_IS_NULL; $$->negated = true; }
    | expr IS TRUE_P      { $$ = mk(ps, E_IS, @$); $$->a = $1; $$->op = OP_IS_TRUE; }
    | expr IS NOT TRUE_P  { $$ = mk(ps, E_IS, @$); $$->a = $1; $$->op = OP_IS_TRUE; $$->negated = true; }
    | expr IS FALSE_P     { $$ = mk(ps, E_IS, @$); $$->a = $1; $$->op = OP_IS_FALSE; }
    | expr IS NOT FALSE_P { $$ = mk(ps, E_IS, @$); $$->a = $1; $$->op = OP_IS_FALSE; $$->negated = true; }
    /* `unknown` is no keyword: any other word after IS is an error */
    | expr IS IDENT       { $$ = mk_is_word(ps, $1, $3, false, @3, @$); }
    | expr IS NOT IDENT   { $$ = mk_is_word(ps, $1, $4, true, @4, @$); }
    | expr IS DISTINCT FROM expr %prec IS
        { $$ = mk_bin(ps, OP_NONE, $1, $5, @$); $$->kind = E_DISTINCT; }
    | expr IS NOT DISTINCT FROM expr %prec IS
        { $$ = mk_bin(ps, OP_NONE, $1, $6, @$); $$->kind = E_DISTINCT; $$->negated = true; }
    | expr IN_P '(' expr_list ')'
        { $$ = mk_list(ps, E_IN_LIST, $1, &$4, false, @$); }
    | expr NOT IN_P '(' expr_list ')' %prec IN_P
        { $$ = mk_list(ps, E_IN_LIST, $1, &$5, true, @$); }
    | expr IN_P '(' select ')'
        { $$ = mk(ps, E_IN_SUBQ, @$); $$->a = $1; $$->sub = $4; }
    | expr NOT IN_P '(' select ')' %prec IN_P
        { $$ = mk(ps, E_IN_SUBQ, @$); $$->a = $1; $$->sub = $5; $$->negated = true; }
    | expr LIKE expr      { $$ = mk_bin(ps, OP_LIKE, $1, $3, @$); }
    | expr NOT LIKE expr %prec LIKE
        { $$ = mk_bin(ps, OP_LIKE, $1, $4, @$); $$->negated = true; }
    | expr ILIKE expr     { $$ = mk_bin(ps, OP_ILIKE, $1, $3, @$); }
    | expr SIMILAR TO expr %prec SIMILAR
        { $$ = mk_bin(ps, OP_SIMILAR, $1, $4, @$); }
    | expr NOT SIMILAR TO expr %prec SIMILAR
        { $$ = mk_bin(ps, OP_SIMILAR, $1, $5, @$); $$->negated = true; }
    | expr NOT ILIKE expr %prec ILIKE
        { $$ = mk_bin(ps, OP_ILIKE, $1, $4, @$); $$->negated = true; }
    /* the escape character of the pattern: Expr.c */
    | expr LIKE expr ESCAPE expr %prec LIKE
        { $$ = mk_bin(ps, OP_LIKE, $1, $3, @$); $$->c = $5; }
    | expr NOT LIKE expr ESCAPE expr %prec LIKE
        { $$ = mk_bin(ps, OP_LIKE, $1, $4, @$); $$->c = $6; $$->negated = true; }
    | expr ILIKE expr ESCAPE expr %prec ILIKE
        { $$ = mk_bin(ps, OP_ILIKE, $1, $3, @$); $$->c = $5; }
    | expr NOT ILIKE expr ESCAPE expr %prec ILIKE
        { $$ = mk_bin(ps, OP_ILIKE, $1, $4, @$); $$->c = $6; $$->negated = true; }
    | expr SIMILAR TO expr ESCAPE expr %prec SIMILAR
        { $$ = mk_bin(ps, OP_SIMILAR, $1, $4, @$); $$->c = $6; }
    | expr NOT SIMILAR TO expr ESCAPE expr %prec SIMILAR
        { $$ = mk_bin(ps, OP_SIMILAR, $1, $5, @$); $$->c = $7; $$->negated = true; }
    | expr BETWEEN b_expr AND expr %prec BETWEEN
        { $$ = mk(ps, E_BETWEEN, @$); $$->a = $1; $$->b = $3; $$->c = $5; }
    | expr NOT BETWEEN b_expr AND expr %prec BETWEEN
        { $$ = mk(ps, E_BETWEEN, @$); $$->a = $1; $$->b = $4; $$->c = $6; $$->negated = true; }
    | expr CONCAT expr    { $$ = mk_bin(ps, OP_CONCAT, $1, $3, @$); }
    | expr OP expr        { $$ = mk_bin(ps, $2, $1, $3, @$); }
    | expr '+' expr       { $$ = mk_bin(ps, OP_PLUS, $1, $3, @$); }
    | expr '-' expr       { $$ = mk_bin(ps, OP_MINUS, $1, $3, @$); }
    | expr '*' expr       { $$ = mk_bin(ps, OP_MUL, $1, $3, @$); }
    | expr '/' expr       { $$ = mk_bin(ps, OP_DIV, $1, $3, @$); }
    | expr '%' expr       { $$ = mk_bin(ps, OP_MOD, $1, $3, @$); }
    | expr '^' expr       { $$ = mk_bin(ps, OP_POW, $1, $3, @$); }
    | '-' expr %prec UMINUS
        { $$ = mk(ps, E_UNARY, @$); $$->op = OP_MINUS; $$->a = $2; }
    | '+' expr %prec UMINUS
        { $$ = mk(ps, E_UNARY, @$); $$->op = OP_PLUS; $$->a = $2; }
    | expr TYPECAST type_name
        { $$ = mk(ps, E_CAST, @$); $$->a = $1; $$->type = $3; }
    ;

/* gram.y's subquery_Op: LIKE and ILIKE are the operators they stand for */
sub_op:
      cmp_op
    | OP          { $$ = $1; }
    | LIKE        { $$ = OP_TLIKE; }
    | NOT LIKE    { $$ = OP_NOT_TLIKE; }
    | ILIKE       { $$ = OP_TILIKE; }
    | NOT ILIKE   { $$ = OP_NOT_TILIKE; }
    ;

/* SOME is ANY */
quant:
      ANY   { $$ = "any"; }
    | SOME  { $$ = "any"; }
    | ALL   { $$ = "all"; }
    ;

cmp_op:
      '='  { $$ = OP_EQ; }
    | '<'  { $$ = OP_LT; }
    | '>'  { $$ = OP_GT; }
    | LE   { $$ = OP_LE; }
    | GE   { $$ = OP_GE; }
    | NE   { $$ = OP_NE; }
    ;

b_expr:
      primary
    | b_expr CONCAT b_expr  { $$ = mk_bin(ps, OP_CONCAT, $1, $3, @$); }
    | b_expr OP b_expr      { $$ = mk_bin(ps, $2, $1, $3, @$); }
    | b_expr '+' b_expr     { $$ = mk_bin(ps, OP_PLUS, $1, $3, @$); }
    | b_expr '-' b_expr     { $$ = mk_bin(ps, OP_MINUS, $1, $3, @$); }
    | b_expr '*' b_expr     { $$ = mk_bin(ps, OP_MUL, $1, $3, @$); }
    | b_expr '/' b_expr     { $$ = mk_bin(ps, OP_DIV, $1, $3, @$); }
    | b_expr '%' b_expr     { $$ = mk_bin(ps, OP_MOD, $1, $3, @$); }
    | b_expr '^' b_expr     { $$ = mk_bin(ps, OP_POW, $1, $3, @$); }
    | '-' b_expr %prec UMINUS
        { $$ = mk(ps, E_UNARY, @$); $$->op = OP_MINUS; $$->a = $2; }
    | '+' b_expr %prec UMINUS
        { $$ = mk(ps, E_UNARY, @$); $$->op = OP_PLUS; $$->a = $2; }
    | b_expr TYPECAST type_name
        { $$ = mk(ps, E_CAST, @$); $$->a = $1; $$->type = $3; }
    ;

primary:
      NUMBER        { $$ = mk(ps, E_NUMBER, @$); $$->text = $1; }
    | STRING        { $$ = mk(ps, E_STRING, @$); $$->text = $1; }
    | TRUE_P        { $$ = mk(ps, E_BOOL, @$); $$->text = "true"; }
    | FALSE_P       { $$ = mk(ps, E_BOOL, @$); $$->text = "false"; }
    | NULL_P        { $$ = mk(ps, E_NULL, @$); }
    | subscriptable
    | subscriptable subscripts
        { $$ = mk(ps, E_SUBSCRIPT, @$); $$->a = $1; $$->args = to_list($2); }
    | ARRAY '[' expr_list ']'
        { $$ = mk(ps, E_ARRAY, @$); $$->args = to_list($3); }
    | ARRAY '[' ']'
        { $$ = mk(ps, E_ARRAY, @$); }
    | ARRAY '(' select ')'
        { $$ = mk(ps, E_ARRAY, @$); $$->sub = $3; }
    | CURRENT_USER  { $$ = mk(ps, E_SPECIAL, @$); $$->text = "current_user"; }
    | SESSION_USER  { $$ = mk(ps, E_SPECIAL, @$); $$->text = "session_user"; }
    | VALUEFUNC     { $$ = mk(ps, E_SPECIAL, @$); $$->text = $1; }
    | func_call
    | case_expr
    | '(' select ')'
        { $$ = mk(ps, E_SUBQUERY, @$); $$->sub = $2; }
    | EXISTS '(' select ')'
        { $$ = mk(ps, E_EXISTS, @$); $$->sub = $3; }
    /* a typed literal, `date '2024-01-02'`: the literal cast to the type
     * (PostgreSQL's AexprConst `func_name Sconst`, ConstTypename Sconst) */
    | type_words opt_tz STRING
        {
            $$ = mk(ps, E_CAST, @$);
            $$->a = mk(ps, E_STRING, @3);
            $$->a->text = $3;
            $$->type = mk_type(ps, &$1, "", "", $2, "", @1);
        }
    | CAST '(' expr AS type_name ')'
        { $$ = mk(ps, E_CAST, @$); $$->a = $3; $$->type = $5; }
    ;

/* What PostgreSQL lets a subscript follow (columnref, PARAM and a
 * parenthesized expression take `indirection`; a function call or a
 * literal does not). */
subscriptable:
      CTXREF        { $$ = mk(ps, E_CONTEXT, @$); $$->text = $1; }
    | ident         { $$ = mk(ps, E_COLUMN, @$); $$->text = $1; }
    | ident '.' ident
        { $$ = mk(ps, E_COLUMN, @$); $$->qual = $1; $$->text = $3; }
    | '(' expr ')'  { $$ = $2; }
    ;

/* a[i], a[i][j], a[lo:hi], a[:hi], a[lo:]: one item per subscript, an
 * E_SLICE for a slice */
subscripts:
      subscript               { $$ = (PtrVec){0}; vec_push(A, &$$, $1); }
    | subscripts subscript    { $$ = $1; vec_push(A, &$$, $2); }
    ;

subscript:
      '[' expr ']'            { $$ = $2; }
    | '[' opt_expr ':' opt_expr ']'
        { $$ = mk(ps, E_SLICE, @$); $$->a = $2; $$->b = $4; }
    ;

opt_expr:
      %empty    { $$ = NULL; }
    | expr
    ;

func_call:
      ident '(' ')'
        { $$ = mk_call(ps, $1, @1, @$); }
    | ident '(' '*' ')'
        { $$ = mk_call(ps, $1, @1, @$); $$->star = true; }
    | ident '(' expr_list ')'
        { $$ = mk_call(ps, $1, @1, @$); $$->args = to_list($3); }
    /* SQL's keyword-argument forms (gram.y func_expr_common_subexpr),
     * written as the calls PostgreSQL makes of them */
    | ident '(' expr FROM expr ')'
        { $$ = mk_sql_call(ps, $1, $3, $5, NULL, @1, @$); }
    | ident '(' expr FROM expr FOR expr ')'
        { $$ = mk_sql_call(ps, $1, $3, $5, $7, @1, @$); }
    | ident '(' expr FOR expr ')'
        { $$ = mk_sql_call(ps, $1, $3, NULL, $5, @1, @$); }
    | ident '.' ident '(' ')'
        { $$ = mk(ps, E_FUNC, @$); $$->qual = $1; $$->text = $3; }
    | ident '.' ident '(' expr_list ')'
        { $$ = mk(ps, E_FUNC, @$); $$->qual = $1; $$->text = $3; $$->args = to_list($5); }
    ;

case_expr:
      CASE expr when_list opt_else END_P
        { $$ = mk(ps, E_CASE, @$); $$->a = $2; $$->args = to_list($3); $$->c = $4; }
    | CASE when_list opt_else END_P
        { $$ = mk(ps, E_CASE, @$); $$->args = to_list($2); $$->c = $3; }
    ;

when_list:
      WHEN expr THEN expr
        { $$ = (PtrVec){0}; vec_push(A, &$$, $2); vec_push(A, &$$, $4); }
    | when_list WHEN expr THEN expr
        { $$ = $1; vec_push(A, &$$, $3); vec_push(A, &$$, $5); }
    ;

opt_else:
      %empty      { $$ = NULL; }
    | ELSE expr   { $$ = $2; }
    ;

expr_list:
      expr                { $$ = (PtrVec){0}; vec_push(A, &$$, $1); }
    | expr_list ',' expr  { $$ = $1; vec_push(A, &$$, $3); }
    ;

/* PostgreSQL's own subquery: FROM and WHERE are optional (`(select true)`),
 * and `select *` takes the table's columns (typecheck expands it outside
 * EXISTS, as PostgreSQL's parse analysis does). */
select:
      SELECT sel_target opt_from opt_where
        {
            $$ = $3;
            $$->target = $2;
            $$->star = $2 == NULL;
            $$->where = $4;
            $$->loc = @$;
        }
    ;

sel_target:
      expr       { $$ = $1; }
    | '*'        { $$ = NULL; }
    ;

opt_from:
      %empty
        { $$ = arena_alloc(A, sizeof *$$); }
    | FROM qname opt_alias
        {
            $$ = arena_alloc(A, sizeof *$$);
            $$->from = $2; $$->alias = $3;
        }
    ;

opt_where:
      %empty       { $$ = NULL; }
    | WHERE expr   { $$ = $2; }
    ;

opt_alias:
      %empty     { $$ = NULL; }
    | ident      { $$ = $1; }
    | AS ident   { $$ = $2; }
    ;

/* ---- type names: `bigint`, `varchar(20)`, `double precision`,
 * `timestamp(3) with time zone`, `integer[]` */

type_name:
      type_words opt_fields opt_typmod opt_tz opt_array
        { $$ = mk_type(ps, &$1, $2, $3, $4, $5, @$); }
    ;

type_words:
      type_word             { $$ = (PtrVec){0}; vec_push(A, &$$, (void *)$1); }
    | type_words type_word  { $$ = $1; vec_push(A, &$$, (void *)$2); }
    ;

/* `interval day to second`, as format_type() writes interval fields */
opt_fields:
      %empty            { $$ = ""; }
    | TO ident          { $$ = arena_printf(A, " to %s", $2); }
    ;

opt_typmod:
      %empty            { $$ = ""; }
    | '(' typmods ')'   { $$ = arena_printf(A, "(%s)", $2); }
    ;

/* numeric(5,-2): a negative scale (PostgreSQL 15); types.c checks them */
typmods:
      typmod              { $$ = $1; }
    | typmods ',' typmod  { $$ = arena_printf(A, "%s,%s", $1, $3); }
    ;

typmod:
      NUMBER              { $$ = $1; }
    | '-' NUMBER          { $$ = arena_printf(A, "-%s", $2); }
    ;

opt_tz:
      %empty                { $$ = ""; }
    | WITH ident ident
        {
            if (strcmp($2, "time") || strcmp($3, "zone"))
                diag_error(ps->diag, @$, "expected 'with time zone'");
            $$ = " with time zone";
        }
    | WITHOUT ident ident
        {
            if (strcmp($2, "time") || strcmp($3, "zone"))
                diag_error(ps->diag, @$, "expected 'without time zone'");
            $$ = " without time zone";
        }
    ;

opt_array:
      %empty                { $$ = ""; }
    | opt_array '[' ']'     { $$ = arena_printf(A, "%s[]", $1); }
    ;

%%

static Expr *mk(ParseState *ps, ExprKind k, Span loc)
{
    return ast_expr(ps->arena, k, loc);
}

static Expr *mk_bin(ParseState *ps, Op op, Expr *a, Expr *b, Span loc)
{
    Expr *e = ast_expr(ps->arena, E_BINARY, loc);
    e->op = op;
    e->a = a;
    e->b = b;
    return e;
}

/* An unqualified call f(...).  PostgreSQL's grammar takes no plain call of
 * a reserved word or of a column-name keyword unless it is quoted:
 * `extract(a, b)` and `position(a, b)` are syntax errors there, though
 * pg_catalog has the functions (sqlfmt_callable).  trim(x) is
 * pg_catalog.btrim(x) whatever the search path holds (substring(x, f) and
 * overlay(...) with commas are plain calls, their FROM forms pg_catalog's:
 * mk_sql_call).  Quoted, a keyword names a function of that name on the
 * search path, which coalesce and its kind are not to rlsc. */
static Expr *mk_call(ParseState *ps, const char *name, Span name_loc, Span loc)
{
    static const char *const syntax_calls[] = {"coalesce", "greatest", "least", "nullif"};
    Expr *e = mk(ps, E_FUNC, loc);
    e->text = name;
    bool quoted = name_loc.start >= ps->src->base
                  && ps->src->text[name_loc.start - ps->src->base] == '"';
    if (quoted) {
        for (size_t i = 0; i < sizeof syntax_calls / sizeof syntax_calls[0]; i++)
            if (strcmp(name, syntax_calls[i]) == 0)
                diag_error(ps->diag, name_loc,
                           "\"%s\"(...) calls a function named %s, not SQL's %s; write its "
                           "schema (public.%s(...))", name, name, name, name);
        return e;
    }
    if (strcmp(name, "trim") == 0) {
        e->qual = "pg_catalog";
        e->text = "btrim";
    } else if (!sqlfmt_callable(name)) {
        diag_error(ps->diag, name_loc,
                   "syntax error: '%s' is a keyword to PostgreSQL, not a function name%s", name,
                   strcmp(name, "extract") == 0    ? "; write extract(field from x)"
                   : strcmp(name, "position") == 0 ? "; write strpos(string, substring)"
                                                   : "");
    }
    return e;
}

/* substring(x FROM f [FOR n]), substring(x FOR n) and extract(field FROM
 * x): the calls substring(x, f[, n]), substring(x, 1, n) and
 * extract('field', x), as PostgreSQL's grammar makes them. */
static Expr *mk_sql_call(ParseState *ps, const char *name, Expr *x, Expr *from, Expr *for_,
                         Span name_loc, Span loc)
{
    Expr *e = mk(ps, E_FUNC, loc);
    e->text = name;
    PtrVec args = {0};
    if (strcmp(name, "extract") == 0 && from && !for_) {
        if (x->kind == E_COLUMN && !x->qual) { /* the field, a word */
            x->kind = E_STRING;
        } else if (x->kind != E_STRING) {
            diag_error(ps->diag, x->loc, "extract: the field must be a word or a string");
        }
        vec_push(A, &args, x);
        vec_push(A, &args, from);
        /* EXTRACT is a keyword to PostgreSQL: only the qualified name is
         * a plain call */
        e->qual = "pg_catalog";
    } else if (strcmp(name, "substring") == 0) {
        e->qual = "pg_catalog"; /* SUBSTRING(... FROM ...) calls pg_catalog's */
        vec_push(A, &args, x);
        if (!from) {
            from = mk(ps, E_NUMBER, for_->loc);
            from->text = "1";
        }
        vec_push(A, &args, from);
        if (for_)
            vec_push(A, &args, for_);
    } else {
        diag_error(ps->diag, name_loc,
                   "only substring(x FROM f FOR n) and extract(field FROM x) take FROM or FOR "
                   "here; write %s(...) with commas", name);
        return mk(ps, E_NULL, loc); /* reported: nothing more to say of it */
    }
    e->args = to_list(args);
    return e;
}

/* A type name's canonical spelling: words, interval fields, modifiers,
 * time zone, array brackets. */
static TypeName *mk_type(ParseState *ps, const PtrVec *words, const char *fields,
                         const char *typmod, const char *tz, const char *array, Span loc)
{
    StrBuf sb;
    sb_init(&sb, ps->arena);
    for (int i = 0; i < words->n; i++) {
        if (i)
            sb_putc(&sb, ' ');
        sb_puts(&sb, words->items[i]);
    }
    sb_puts(&sb, fields);
    sb_puts(&sb, typmod);
    sb_puts(&sb, tz);
    sb_puts(&sb, array);
    TypeName *t = arena_alloc(ps->arena, sizeof *t);
    t->text = sb_str(&sb);
    t->loc = loc;
    return t;
}

static ExprList to_list(PtrVec v)
{
    return (ExprList){(Expr **)v.items, v.n};
}

static Expr *mk_list(ParseState *ps, ExprKind k, Expr *a, PtrVec *v, bool neg,
                     Span loc)
{
    Expr *e = ast_expr(ps->arena, k, loc);
    e->a = a;
    e->args = to_list(*v);
    e->negated = neg;
    return e;
}

static Rule *mk_rule(ParseState *ps, RuleKind k, Span loc)
{
    Rule *r = arena_alloc(ps->arena, sizeof *r);
    r->kind = k;
    r->loc = loc;
    return r;
}

static Ident *mk_ident(ParseState *ps, const char *name, Span loc)
{
    Ident *id = arena_alloc(ps->arena, sizeof *id);
    id->name = name;
    id->loc = loc;
    return id;
}

static ColumnDecl *mk_column(ParseState *ps, const char *name, Span name_loc, TypeName *type,
                             bool not_null, Span loc)
{
    ColumnDecl *c = arena_alloc(ps->arena, sizeof *c);
    c->name = (Ident){name, name_loc};
    c->type = type;
    c->not_null = not_null;
    c->loc = loc;
    return c;
}

/* `a IS [NOT] UNKNOWN`: the boolean test PostgreSQL has beside IS TRUE. */
static Expr *mk_is_word(ParseState *ps, Expr *a, const char *word, bool negated, Span word_loc,
                        Span loc)
{
    if (strcmp(word, "unknown") != 0)
        diag_error(ps->diag, word_loc,
                   "expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS, not '%s'",
                   word);
    Expr *e = mk(ps, E_IS, loc);
    e->a = a;
    e->op = OP_IS_UNKNOWN;
    e->negated = negated;
    return e;
}

static TestSetting *mk_setting(ParseState *ps, const char *name, Span name_loc, Expr *value,
                               Span loc)
{
    TestSetting *s = arena_alloc(ps->arena, sizeof *s);
    s->name = (Ident){name, name_loc};
    s->value = value;
    s->loc = loc;
    return s;
}

/* A line of a test block; SQL that is only space is an error here, where
 * its place is known. */
static TestStep *mk_step(ParseState *ps, TestStepKind k, const char *sql, Span sql_loc,
                         Span loc)
{
    TestStep *st = arena_alloc(ps->arena, sizeof *st);
    st->kind = k;
    st->sql = sql;
    st->sql_loc = sql_loc;
    st->loc = loc;
    if (!sql[0])
        diag_error(ps->diag, sql_loc, "expected SQL before ';'");
    return st;
}

static void yyerror(Span *loc, yyscan_t scanner, ParseState *ps, const char *msg)
{
    (void)scanner;
    /* bison's only own message: its stack is full */
    if (strcmp(msg, "memory exhausted") == 0)
        msg = "input nested too deeply for the parser";
    diag_error(ps->diag, *loc, "%s", msg);
}

/* A token's display name: classes plain (`identifier`), keywords and
 * punctuation quoted (`'using'`, `';'`). */
static const char *token_display(ParseState *ps, yysymbol_kind_t k)
{
    const char *name = yysymbol_name(k);
    if (k == YYSYMBOL_YYEOF)
        return "end of file";
    if (name[0] == '\'' || k == YYSYMBOL_IDENT || k == YYSYMBOL_QIDENT
        || k == YYSYMBOL_STRING || k == YYSYMBOL_NUMBER || k == YYSYMBOL_CTXREF
        || k == YYSYMBOL_VALUEFUNC)
        return name;
    return arena_printf(ps->arena, "'%s'", name);
}

static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner,
                                 ParseState *ps)
{
    (void)scanner;
    enum { MAX_EXPECTED = 6 };
    yysymbol_kind_t expected[MAX_EXPECTED];
    int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED);
    yysymbol_kind_t la = yypcontext_token(ctx);
    Span at = *yypcontext_location(ctx);
    if (la == YYSYMBOL_YYEOF && ps->eof_reported)
        return 0; /* the scanner already said why the file ended early */

    StrBuf sb;
    sb_init(&sb, ps->arena);
    sb_puts(&sb, "syntax error: unexpected ");
    if (la == YYSYMBOL_YYEOF || at.start < 0) {
        sb_puts(&sb, "end of file");
    } else {
        int rel = at.start - ps->src->base, len = at.end - at.start;
        if (len > 40)
            len = 40;
        const char *kind = la == YYSYMBOL_IDENT || la == YYSYMBOL_QIDENT ? "identifier "
                         : la == YYSYMBOL_STRING ? "string "
                         : la == YYSYMBOL_NUMBER ? "number "
                         : "";
        /* quoted tokens show their own quotes */
        bool quoted = la == YYSYMBOL_STRING || la == YYSYMBOL_QIDENT;
        sb_printf(&sb, quoted ? "%s%.*s" : "%s'%.*s'", kind, len, ps->src->text + rel);
    }
    if (n > 0 && n < MAX_EXPECTED) {
        sb_puts(&sb, ", expecting ");
        for (int i = 0; i < n; i++) {
            if (i)
                sb_puts(&sb, i == n - 1 ? " or " : ", ");
            sb_puts(&sb, token_display(ps, expected[i]));
        }
    }
    diag_error(ps->diag, at, "%s", sb_str(&sb));
    return 0;
}
