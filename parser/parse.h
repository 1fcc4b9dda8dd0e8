/*
 * parse.h — state shared by the scanner (lexer.l), the grammar (parser.y)
 * and the driver (parse.c).  Private to parser/.
 */
#ifndef RLSC_PARSE_H
#define RLSC_PARSE_H

#include "ast.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* Scanner and parser state of one file: the flex extra and the bison
 * parse-param. */
typedef struct ParseState {
    Arena *arena;
    Diag *diag;
    AstFile *file;
    SrcFile *src;
    int pos;           /* scanner offset, relative to src->text */
    int fed;           /* bytes of src->text handed to flex so far */
    int comment_depth; /* nesting of block comments */
    int comment_start; /* where the outermost open comment began */
    int last_end;      /* end of the last token returned: where EOF is */
    bool eof_reported; /* a lexical error already explained the EOF */
    /* where the scanner is in a `test` block (lexer.l, lex_test_token) */
    int depth;         /* braces open */
    bool mid_stmt;     /* tokens of the current statement have been read */
    enum {
        LEX_TEST_NONE,
        LEX_TEST_HEAD,   /* after `test`, before its `{` */
        LEX_TEST_BODY,   /* in the block, where a line starts */
        LEX_TEST_EXPECT, /* after `expect` */
        LEX_TEST_COUNT,  /* after `expect N` */
        LEX_TEST_LINE,   /* its `:` starts the SQL */
    } test;
    int sql_start;     /* where the SQL of a test line starts (like pos) */
    int dollar_start, dollar_len; /* the open $tag$ in that SQL */
} ParseState;

/* Where a keyword may still stand as a name: the third column of
 * kwlist.h, which says what each means. */
typedef enum KeywordCategory {
    RESERVED_KEYWORD,
    UNRESERVED_KEYWORD,
    TYPE_UNRESERVED_KEYWORD,
} KeywordCategory;

/* Scans and parses ps->src into ps->file (lexer.l). */
void lex_parse(ParseState *ps);

/* The keyword table (parse.c, from kwlist.h): the token of a lower-case
 * word, or 0. */
int lex_keyword(const char *word);
/* The same, with the table's own copy of the word (NULL: no keyword), so
 * the scanner need not keep one of its own for every keyword it reads. */
const char *lex_keyword_text(const char *word, int *token);

#endif
