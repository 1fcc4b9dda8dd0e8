/*
 * test_lexer.c — the scanner (parser/lexer.l).
 *
 * The scanner is reached only through parse_source, so each test parses a
 * small file and looks at the AST the tokens ended up in, or at the
 * diagnostics: lexical errors are counted, reported with the exact span
 * (the caret line shows it) and skipped, so parsing goes on.
 */
#include "unit.h"

#include "parse.h"
#include "parser.h"

#include <string.h>

/* The condition of `policy p on t using (COND);`, or NULL if it failed. */
static Expr *cond(const char *text)
{
    AstFile *f = u_parse(arena_printf(u_arena(), "policy p on t using (%s);", text));
    if (f->policies.n != 1)
        return NULL;
    return ((Rule *)f->policies.items[0])->using_;
}

static const char *block_name(const AstFile *f, int i)
{
    return i < f->blocks.n ? ((Block *)f->blocks.items[i])->name.name : "<none>";
}

static void test_keywords_are_case_insensitive(void)
{
    AstFile *f = u_parse("APP billing;\n"
                         "CoNtExT tenant BIGINT = 'app.tenant_id';\n"
                         "Role admin ByPass;\n"
                         "MODEL Invoice { Tenant customer_id; ALLOW Select TO admin; }\n");
    ASSERT_INT(u_errors(), 0);
    ASSERT_STR(f->app.name, "billing");
    ASSERT_INT(f->contexts.n, 1);
    ASSERT_INT(f->roles.n, 1);
    CU_ASSERT(f->roles.n == 1 && ((RoleDecl *)f->roles.items[0])->bypass);
    CU_ASSERT_FATAL(f->blocks.n == 1);
    Block *b = f->blocks.items[0];
    CU_ASSERT(b->is_model);
    ASSERT_INT(b->rules.n, 2);
}

static void test_unquoted_identifiers_fold_to_lower_case(void)
{
    AstFile *f = u_parse("app Billing;\n"
                         "table Audit_LOG { }\n"
                         "table ÄBC { }\n" /* ASCII only, as PostgreSQL folds UTF-8 */
                         "policy p on T using ($Tenant = Customer.ID);\n");
    ASSERT_INT(u_errors(), 0);
    ASSERT_STR(f->app.name, "billing");
    ASSERT_STR(block_name(f, 0), "audit_log");
    ASSERT_STR(block_name(f, 1), "Äbc");
    CU_ASSERT_FATAL(f->policies.n == 1);
    Expr *e = ((Rule *)f->policies.items[0])->using_;
    ASSERT_STR(e->a->text, "tenant");
    ASSERT_STR(e->b->qual, "customer");
    ASSERT_STR(e->b->text, "id");
}

static void test_quoted_identifiers_keep_case_and_undouble_quotes(void)
{
    AstFile *f = u_parse("table \"Order Items\" { }\n"
                         "table \"a\"\"b\" { }\n"
                         "table \"select\" { }\n"); /* quoting makes a keyword a name */
    ASSERT_INT(u_errors(), 0);
    ASSERT_STR(block_name(f, 0), "Order Items");
    ASSERT_STR(block_name(f, 1), "a\"b");
    ASSERT_STR(block_name(f, 2), "select");
}

static void test_string_literals_undouble_quotes(void)
{
    Expr *e = cond("s in ('it''s', '', '''', 'a -- b /* c */')");
    CU_ASSERT_FATAL(e && e->kind == E_IN_LIST && e->args.n == 4);
    ASSERT_STR(e->args.items[0]->text, "it's");
    ASSERT_STR(e->args.items[1]->text, "");
    ASSERT_STR(e->args.items[2]->text, "'");
    /* comment markers inside a string are text */
    ASSERT_STR(e->args.items[3]->text, "a -- b /* c */");
}

static void test_numbers_keep_their_spelling(void)
{
    Expr *e = cond("n in (1, 1.5, .5, 1e10, 2.5E-3, 7.)");
    ASSERT_INT(u_errors(), 0);
    CU_ASSERT_FATAL(e && e->kind == E_IN_LIST && e->args.n == 6);
    const char *want[] = {"1", "1.5", ".5", "1e10", "2.5E-3", "7."};
    for (int i = 0; i < 6; i++) {
        CU_ASSERT(e->args.items[i]->kind == E_NUMBER);
        ASSERT_STR(e->args.items[i]->text, want[i]);
    }
}

static void test_dollar_name_is_a_context_reference(void)
{
    Expr *e = cond("$user = $Tenant_ID2");
    CU_ASSERT_FATAL(e && e->kind == E_BINARY);
    CU_ASSERT(e->a->kind == E_CONTEXT && e->b->kind == E_CONTEXT);
    ASSERT_STR(e->a->text, "user");
    ASSERT_STR(e->b->text, "tenant_id2");
}

static void test_line_and_nested_block_comments_are_skipped(void)
{
    AstFile *f = u_parse("-- a line comment; role hidden;\n"
                         "role a; /* outer /* inner */ role hidden2; */ role b;\n"
                         "role/**/c; /* ** / * */ role d; -- last line, no newline");
    ASSERT_INT(u_errors(), 0);
    ASSERT_INT(f->roles.n, 4);
    if (f->roles.n == 4) {
        ASSERT_STR(((RoleDecl *)f->roles.items[1])->name.name, "b");
        ASSERT_STR(((RoleDecl *)f->roles.items[3])->name.name, "d");
    }
}

/* Each lexical error: counted once, at the right place, then skipped. */
static void test_unterminated_string_is_reported_at_its_quote(void)
{
    u_parse("role r;\npolicy p on t using (a = 'abc);\n");
    ASSERT_INT(u_errors(), 1); /* the end of file it runs into is no second error */
    ASSERT_HAS(u_messages(),
               "test.rls:2:26: error: unterminated string literal\n"
               "  policy p on t using (a = 'abc);\n"
               "                           ^\n");
}

static void test_unterminated_comment_is_reported_at_its_opening(void)
{
    AstFile *f = u_parse("role r;\n  /* never /* closed */\nrole s;\n");
    ASSERT_INT(u_errors(), 1);
    ASSERT_INT(f->roles.n, 1);
    ASSERT_STR(u_messages(),
               "test.rls:2:3: error: unterminated /* comment\n"
               "    /* never /* closed */\n"
               "    ^~\n");
}

static void test_unterminated_quoted_identifier_is_reported(void)
{
    u_parse("table \"abc { }\n");
    CU_ASSERT(u_errors() >= 1);
    ASSERT_HAS(u_messages(),
               "test.rls:1:7: error: unterminated quoted identifier\n"
               "  table \"abc { }\n"
               "        ^\n");
}

static void test_bad_character_is_skipped(void)
{
    AstFile *f = u_parse("role r @;\nrole s;\n");
    ASSERT_INT(u_errors(), 1);
    ASSERT_INT(f->roles.n, 2); /* parsing went on as if '@' were not there */
    ASSERT_STR(u_messages(),
               "test.rls:1:8: error: unexpected character '@'\n"
               "  role r @;\n"
               "         ^\n");
}

/* Operators as scan.l reads them: the longest run of operator characters,
 * cut where a comment starts, trailing + and - dropped unless the run has
 * one of ~!@#^&|`?% (so `a=-1` is `=` and `-`, but `a@>-1` is one `@>-`). */
static void test_operators_are_the_longest_run(void)
{
    Expr *e = cond("a=-1");
    CU_ASSERT_FATAL(e && e->kind == E_BINARY);
    CU_ASSERT(e->op == OP_EQ && e->b->kind == E_UNARY && e->b->op == OP_MINUS);
    e = cond("a<>-1");
    CU_ASSERT_FATAL(e && e->kind == E_BINARY);
    CU_ASSERT(e->op == OP_NE && e->b->kind == E_UNARY);
    e = cond("a<<=b");
    CU_ASSERT_FATAL(e && e->kind == E_BINARY);
    CU_ASSERT(e->op == OP_SUBNET_EQ);
    e = cond("a!~~*b");
    CU_ASSERT_FATAL(e && e->kind == E_BINARY);
    CU_ASSERT(e->op == OP_NOT_TILIKE);
    e = cond("a->>'k'");
    CU_ASSERT_FATAL(e && e->kind == E_BINARY);
    CU_ASSERT(e->op == OP_FIELD_TEXT);
    e = cond("a</**/-1");
    CU_ASSERT_FATAL(e && e->kind == E_BINARY);
    CU_ASSERT(e->op == OP_LT && e->b->kind == E_UNARY);
    ASSERT_INT(u_errors(), 0);
    u_parse("policy p on t using (a @>-1);");
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(), "error: operator @>- is not one rlsc knows\n");
}

static void test_control_byte_is_named_in_hex(void)
{
    u_parse("role r\x01;");
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(), "test.rls:1:7: error: unexpected byte 0x01\n");
}

static void test_number_followed_by_letters_is_one_error(void)
{
    Expr *e = cond("a = 12abc");
    ASSERT_INT(u_errors(), 1);
    CU_ASSERT(e && e->kind == E_BINARY && e->b->kind == E_NUMBER);
    ASSERT_STR(u_messages(),
               "test.rls:1:26: error: invalid number '12abc'\n"
               "  policy p on t using (a = 12abc);\n"
               "                           ^~~~~\n");
}

static void test_positional_parameter_is_not_a_context(void)
{
    cond("a = $1");
    ASSERT_INT(u_errors(), 1);
    ASSERT_STR(u_messages(),
               "test.rls:1:26: error: '$1' is not a context reference: write $name\n"
               "  policy p on t using (a = $1);\n"
               "                           ^~\n");
}

static void test_zero_length_quoted_identifier_is_an_error(void)
{
    u_parse("table \"\" { }");
    ASSERT_INT(u_errors(), 1);
    ASSERT_HAS(u_messages(), "test.rls:1:7: error: zero-length quoted identifier\n");
}

static void test_columns_count_characters_not_bytes(void)
{
    /* "é" is two bytes but one column */
    u_parse("role \"é\" @;");
    ASSERT_HAS(u_messages(),
               "test.rls:1:10: error: unexpected character '@'\n"
               "  role \"é\" @;\n"
               "           ^\n");
}

/* ---- the keywords: parser/kwlist.h, and the table parse.c builds from it */

static const struct {
    const char *word;
    int token;
    KeywordCategory category;
} kwlist[] = {
#define RLS_KEYWORD(word, token, category) {word, token, category},
#include "kwlist.h"
#undef RLS_KEYWORD
};
enum { NKEYWORDS = sizeof kwlist / sizeof kwlist[0] };

static void test_keyword_list_is_sorted(void)
{
    /* parse.c bisects it: each word after the one before, in byte order */
    StrBuf bad;
    sb_init(&bad, u_arena());
    for (int i = 1; i < NKEYWORDS; i++)
        if (strcmp(kwlist[i - 1].word, kwlist[i].word) >= 0)
            sb_printf(&bad, "'%s' before '%s'\n", kwlist[i - 1].word, kwlist[i].word);
    ASSERT_STR(sb_str(&bad), "");
}

static void test_keyword_table_finds_every_keyword(void)
{
    StrBuf bad;
    sb_init(&bad, u_arena());
    for (int i = 0; i < NKEYWORDS; i++)
        if (lex_keyword(kwlist[i].word) != kwlist[i].token)
            sb_printf(&bad, "'%s' gives token %d, not %d\n", kwlist[i].word,
                      lex_keyword(kwlist[i].word), kwlist[i].token);
    ASSERT_STR(sb_str(&bad), "");
    /* spot checks that a word maps to its own token */
    ASSERT_INT(lex_keyword("aggregate"), AGGREGATE);
    ASSERT_INT(lex_keyword("select"), SELECT);
    ASSERT_INT(lex_keyword("without"), WITHOUT);
    CU_ASSERT(parse_is_keyword("tenant") && !parse_is_keyword("view"));
}

static void test_keyword_table_gives_distinct_tokens(void)
{
    /* one token per word, except the SQL value functions, which share one */
    int dups = 0, valuefuncs = 0;
    for (int i = 0; i < NKEYWORDS; i++) {
        if (kwlist[i].token == VALUEFUNC) {
            valuefuncs++;
            continue;
        }
        for (int j = 0; j < i; j++)
            dups += kwlist[i].token == kwlist[j].token;
    }
    ASSERT_INT(dups, 0);
    CU_ASSERT(valuefuncs > 0);
}

static void test_value_functions_keep_their_word(void)
{
    /* the words that share VALUEFUNC stay apart in the AST */
    StrBuf bad;
    sb_init(&bad, u_arena());
    for (int i = 0; i < NKEYWORDS; i++) {
        if (kwlist[i].token != VALUEFUNC)
            continue;
        Expr *e = cond(kwlist[i].word);
        if (u_errors() || !e || e->kind != E_SPECIAL || strcmp(e->text, kwlist[i].word))
            sb_printf(&bad, "'%s' does not read as a value function\n", kwlist[i].word);
    }
    ASSERT_STR(sb_str(&bad), "");
}

/* The categories of kwlist.h say what the grammar accepts: tests/unit/keywords.sh
 * compares the rule lists, this checks them by parsing each keyword. */
static void test_keyword_categories_say_where_a_keyword_is_a_name(void)
{
    static const char *const category[] = {
        [RESERVED_KEYWORD] = "reserved",
        [UNRESERVED_KEYWORD] = "unreserved",
        [TYPE_UNRESERVED_KEYWORD] = "type_unreserved",
    };
    StrBuf bad;
    sb_init(&bad, u_arena());
    for (int i = 0; i < NKEYWORDS; i++) {
        const char *w = kwlist[i].word;
        KeywordCategory c = kwlist[i].category;

        AstFile *f = u_parse(arena_printf(u_arena(), "table %s { }", w));
        bool is_name = u_errors() == 0 && f->blocks.n == 1 && strcmp(block_name(f, 0), w) == 0;
        if (is_name != (c != RESERVED_KEYWORD))
            sb_printf(&bad, "'%s' (%s) %s a table name\n", w, category[c],
                      is_name ? "is" : "is not");

        f = u_parse(arena_printf(u_arena(), "context c %s = 'a.b';", w));
        bool is_type = u_errors() == 0 && f->contexts.n == 1
                       && strcmp(((ContextDecl *)f->contexts.items[0])->type->text, w) == 0;
        if (is_type != (c == TYPE_UNRESERVED_KEYWORD))
            sb_printf(&bad, "'%s' (%s) %s a type name\n", w, category[c],
                      is_type ? "is" : "is not");
    }
    ASSERT_STR(sb_str(&bad), "");
}

static void test_keyword_table_rejects_other_words(void)
{
    /* neighbours of keywords in sort order, prefixes, and words the
     * language reads as plain identifiers */
    const char *const words[] = {"", "a", "alla", "allows", "b", "contexts",
                                 "current", "view", "add", "change", "public",
                                 "sel", "setof", "zzz", "withou", "ALL"};
    int hits = 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        hits += lex_keyword(words[i]) != 0;
    ASSERT_INT(hits, 0);
}

static CU_TestInfo lexer_tests[] = {
    {"keywords are case-insensitive", test_keywords_are_case_insensitive},
    {"unquoted identifiers fold to lower case", test_unquoted_identifiers_fold_to_lower_case},
    {"quoted identifiers keep case and undouble \"\"", test_quoted_identifiers_keep_case_and_undouble_quotes},
    {"string literals undouble ''", test_string_literals_undouble_quotes},
    {"numbers keep their spelling (1, 1.5, .5, 1e10)", test_numbers_keep_their_spelling},
    {"$name is a context reference", test_dollar_name_is_a_context_reference},
    {"-- and nested /* */ comments are skipped", test_line_and_nested_block_comments_are_skipped},
    {"unterminated string is reported at its quote", test_unterminated_string_is_reported_at_its_quote},
    {"unterminated comment is reported at its opening", test_unterminated_comment_is_reported_at_its_opening},
    {"unterminated quoted identifier is reported", test_unterminated_quoted_identifier_is_reported},
    {"bad character is reported and skipped", test_bad_character_is_skipped},
    {"operators are the longest run of operator characters", test_operators_are_the_longest_run},
    {"control byte is named in hex", test_control_byte_is_named_in_hex},
    {"12abc is one invalid number", test_number_followed_by_letters_is_one_error},
    {"$1 is not a context reference", test_positional_parameter_is_not_a_context},
    {"\"\" is an error", test_zero_length_quoted_identifier_is_an_error},
    {"columns count characters, not bytes", test_columns_count_characters_not_bytes},
    {"kwlist.h is sorted", test_keyword_list_is_sorted},
    {"keyword table finds every keyword of kwlist.h", test_keyword_table_finds_every_keyword},
    {"keyword table gives distinct tokens", test_keyword_table_gives_distinct_tokens},
    {"value functions keep their word", test_value_functions_keep_their_word},
    {"keyword categories say where a keyword is a name", test_keyword_categories_say_where_a_keyword_is_a_name},
    {"keyword table rejects other words", test_keyword_table_rejects_other_words},
    CU_TEST_INFO_NULL,
};

void add_lexer_suite(void) { unit_add_suite("lexer", lexer_tests); }
