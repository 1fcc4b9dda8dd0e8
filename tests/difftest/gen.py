#!/usr/bin/python3
"""tests/difftest/gen.py — random conditions, judged by rlsc and PostgreSQL.

    gen.py generate --seed S --n N            the conditions, one per line
    gen.py run --rlsc RLSC --catalog CAT --conn CONNINFO --seeds S1,S2 --n N
               --work DIR                     the differential test (TAP)

The generator writes typed conditions over tests/difftest/schema.sql from
PostgreSQL's own account of type resolution (the "Type Conversion" chapter:
operators, functions, value storage, UNION/CASE/IN/ARRAY): every expression
is drawn for a type it is meant to have, and its operands mostly from the
same type category, sometimes from another, so that both sides of every rule
get exercised: comparisons, arithmetic, string and pattern operators, casts
with valid and invalid type modifiers, quoted literals valid and invalid for
the type they meet, CASE (simple and searched, bare literals and NULL as
operands), IN lists that mix columns and literals, ANY/ALL over arrays and
subqueries, EXISTS and scalar subqueries (selecting columns, NULL, literals),
overloaded, VARIADIC, polymorphic and DEFAULT-parameter functions, contexts
of every type (declared on the condition's own line, with type modifiers),
tables outside public and oid columns.  The generator's idea of a type is
only a guide: PostgreSQL is the oracle, never the generator.

The run mode writes all conditions of a seed as one .rls file, one
`policy pK on TABLE for select using (COND);` per line (with the `context`
declarations it reads on the same line), so a diagnostic's line names its
condition.  `rlsc check` runs again on the lines that drew no error until a
pass is clean, so one rule's error never hides another's.  PostgreSQL gets,
inside a savepoint that is rolled back, rlsc's own CREATE POLICY (from
`rlsc sql`) for accepted conditions, and for rejected ones the condition with
each `$ctx` replaced by the read rlsc emits.  Everything is deterministic for
a seed: one random.Random per seed, lists only, no hash order.
"""

import argparse
import collections
import os
import random
import re
import subprocess
import sys

# ---------------------------------------------------------------- schema
# (kept in step with schema.sql; type names as the generator spells them)
TABLES = {
    't': [('id', 'bigint'), ('s_id', 'bigint'), ('i2', 'smallint'), ('i4', 'integer'),
          ('i8', 'bigint'), ('num', 'numeric'), ('f4', 'real'), ('f8', 'double precision'),
          ('txt', 'text'), ('vc', 'varchar'), ('ch', 'char'), ('flag', 'boolean'),
          ('d', 'date'), ('ts', 'timestamp'), ('tstz', 'timestamptz'), ('tm', 'time'),
          ('iv', 'interval'), ('uid', 'uuid'), ('js', 'json'), ('jsb', 'jsonb'),
          ('bin', 'bytea'), ('ip', 'inet'), ('net', 'cidr'), ('ints', 'integer[]'),
          ('tags', 'text[]'), ('o', 'oid'), ('pos', 'posint'), ('lbl', 'label'),
          ('ids', 'intlist')],
    's': [('id', 'bigint'), ('t_id', 'integer'), ('name', 'varchar'), ('qty', 'smallint'),
          ('ratio', 'numeric'), ('note', 'text'), ('born', 'date'), ('seen', 'timestamptz'),
          ('owner', 'uuid'), ('ok', 'boolean'), ('words', 'text[]'), ('meta', 'jsonb')],
    'other.notes': [('id', 'integer'), ('body', 'text'), ('score', 'numeric'),
                    ('at', 'timestamp'), ('t_id', 'bigint')],
    'other.s': [('id', 'integer'), ('label', 'char'), ('amount', 'double precision')],
}
# domains (schema.sql): the type each is over, and t's column of it
DOMAIN_BASE = {'posint': 'integer', 'label': 'text', 'intlist': 'integer[]'}
DOMAIN_COLUMN = {'posint': 'pos', 'label': 'lbl', 'intlist': 'ids'}
# policy tables, weighted; subquery tables (`notes` exists only as other.notes)
POLICY_TABLES = ['t'] * 6 + ['s', 'other.notes', 'other.s']
SUB_TABLES = ['s'] * 8 + ['t'] * 4 + ['other.notes'] * 3 + ['other.s'] * 3 + ['notes']

CATEGORY = {
    'smallint': 'N', 'integer': 'N', 'bigint': 'N', 'numeric': 'N', 'real': 'N',
    'double precision': 'N', 'oid': 'N',
    'text': 'S', 'varchar': 'S', 'char': 'S',
    'boolean': 'B', 'date': 'D', 'timestamp': 'D', 'timestamptz': 'D', 'time': 'D',
    'interval': 'T', 'uuid': 'U', 'json': 'J', 'jsonb': 'J', 'bytea': 'Y',
    'inet': 'I', 'cidr': 'I', 'integer[]': 'A', 'text[]': 'A',
}
TYPES = list(CATEGORY)
NUMERIC = [t for t in TYPES if CATEGORY[t] == 'N' and t != 'oid']
STRING = ['text', 'varchar', 'char']

# quoted literals, valid and invalid for each type (PostgreSQL 15 input rules)
LITERALS = {
    # `!` marks input PostgreSQL 15 rejects (drawn less often)
    'smallint': ['1', '-7', '32767', ' 12 ', '!32768', '!1.5', '!abc', '!', '!0x1F', '!1_000'],
    'integer': ['1', '-5', '2147483647', ' 3', '+4', '!2147483648', '!1.5', '!abc', '!1e3', '!'],
    'bigint': ['1', '9223372036854775807', '-1', '!9223372036854775808', '!x1', '!1.0'],
    'numeric': ['1.5', '1e5', 'NaN', 'Infinity', '-0.25', '.5', '1e-3', '!abc', '!1.2.3'],
    'real': ['1.5', '1e38', 'NaN', '-Infinity', '3.4e38', '!1e39', '!abc', '!1e-50'],
    'double precision': ['2.5', '1e308', 'inf', '-0', '!1e309', '!abc', '!1e-400'],
    'oid': ['1', '4294967295', '-1', '0', '!4294967296', '!abc'],
    'text': ['abc', '', "it's", 'a%b', '\\x', 'A_1'],
    'varchar': ['abc', '', 'abcdefghijklmnopqrstuvwxyz', 'x'],
    'char': ['abc', 'ab', 'abcd', ''],
    'boolean': ['true', 't', 'yes', 'on', '1', 'off', 'tru', '!maybe', '!'],
    'date': ['2024-01-02', 'today', 'infinity', '01/02/2024', 'epoch', '20240102', 'tomorrow',
             '!2024-02-30', '!2024-13-01', '!abc'],
    'timestamp': ['2024-01-02 03:04:05', '2024-01-02T03:04', 'now', 'epoch',
                  '2024-01-02 03:04:05.123456', '2024-01-02 03:04:60', '!2024-01-02 25:00', '!x'],
    'timestamptz': ['2024-01-02 03:04:05+02', '2024-01-02 03:04:05Z', 'now', '-infinity',
                    '2024-01-02 03:04:05 +02:00', 'yesterday', '!2024-01-02 03:04:05+25'],
    'time': ['03:04:05', '24:00:00', 'allballs', '3pm', '03:04', 'now', '!24:00:01', '!12:60'],
    'interval': ['1 day', '2 hours 3 minutes', 'P1D', '1 day ago', '1 day 02:00:00', '@ 1 day',
                 '3', '01:02', '1 year -2 months', '!1 fortnight', '!abc'],
    'uuid': ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
             'a0eebc999c0b4ef8bb6d6bb9bd380a11', '!a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', '!abc', '!'],
    'json': ['{}', '[1,2]', '{"a":1}', '"\\u0000"', 'null', '1e5', '!{bad', "!{'a':1}", '!'],
    'jsonb': ['{}', '[1,2]', '{"a":{"b":[true]}}', 'null', '"x"', '!{bad', '!"\\u0000"', '![1,'],
    'bytea': ['\\x00ff', 'abc', '\\\\', '\\001', '!\\xzz', '!\\x0'],
    'inet': ['10.0.0.1', '10.0.0.1/8', '::1', '!300.0.0.1', '!abc', '!10.0.0.0/33', '!10.1'],
    'cidr': ['10.0.0.0/8', '10.1', '::/0', '192.168.1.0/24', '!10.0.0.1/8', '!abc'],
    'integer[]': ['{1,2}', '{}', '{{1,2},{3,4}}', '{1,NULL}', '{ 1 , 2 }', '[1:2]={1,2}',
                  '!{a}', '!1,2', '!{2147483648}'],
    'text[]': ['{a,b}', '{"a,b"}', '{}', '{NULL}', '{{a},{b}}', '!a', '!{"x"'],
}
BARE_NUMBERS = ['1', '0', '-3', '1.5', '2147483648', '9223372036854775808', '1e5', '.5', '100000']

# casts: type names with valid and invalid modifiers
CAST_TYPES = {
    'smallint': ['smallint', 'int2'], 'integer': ['integer', 'int', 'int4'],
    'bigint': ['bigint', 'int8'],
    'numeric': ['numeric', 'numeric(10,2)', 'numeric(1001)', 'numeric(1000)', 'numeric(0)',
                'numeric(5,-2)', 'numeric(3,5)', 'decimal(4,1)', 'numeric(2,1001)'],
    'real': ['real', 'float4', 'float(24)', 'float(1)', 'float(0)'],
    'double precision': ['double precision', 'float8', 'float', 'float(25)', 'float(53)',
                         'float(54)'],
    'oid': ['oid'],
    'text': ['text'],
    'varchar': ['varchar', 'varchar(20)', 'varchar(0)', 'varchar(10485760)',
                'varchar(10485761)', 'character varying(3)'],
    'char': ['char', 'char(3)', 'char(0)', 'character(10485761)', 'bpchar', 'char(1)'],
    'boolean': ['boolean', 'bool'],
    'date': ['date'],
    'timestamp': ['timestamp', 'timestamp(3)', 'timestamp(7)', 'timestamp without time zone'],
    'timestamptz': ['timestamptz', 'timestamp(0) with time zone', 'timestamptz(7)'],
    'time': ['time', 'time(2)', 'time(7)', 'time without time zone'],
    'interval': ['interval', 'interval day', 'interval hour to minute', 'interval minute to hour',
                 'interval day to second(3)', 'interval second(7)', 'interval year to month',
                 'interval(2)'],
    'uuid': ['uuid'], 'json': ['json'], 'jsonb': ['jsonb'], 'bytea': ['bytea'],
    'inet': ['inet'], 'cidr': ['cidr'],
    'integer[]': ['integer[]', 'int[]', 'bigint[]'], 'text[]': ['text[]', 'varchar[]'],
}
TYPED_LITERAL_OK = ['date', 'timestamp', 'timestamptz', 'time', 'interval', 'integer',
                    'numeric', 'text', 'uuid', 'jsonb', 'json', 'boolean', 'inet', 'bytea',
                    'real', 'bigint']

COMPARE = ['=', '<>', '!=', '<', '<=', '>', '>=']
ARITH = ['+', '-', '*', '/', '%']


class Gen:
    """One condition: draws from rng, collects the contexts it declares."""

    def __init__(self, rng, tag):
        self.r = rng
        self.tag = tag          # unique per condition: context names k<tag>_<j>
        self.ctx = []           # (name, type as declared)
        self.scopes = []        # innermost last: (table, qualifier)

    def chance(self, p):
        return self.r.random() < p

    def pick(self, xs):
        return self.r.choice(xs)

    # ---- types
    def other_type(self, ty):
        """Mostly ty's category (often ty itself), sometimes anything."""
        x = self.r.random()
        if x < 0.5:
            return ty
        if x < 0.94:
            same = [t for t in TYPES if CATEGORY[t] == CATEGORY[ty]]
            return self.pick(same)
        return self.pick(TYPES)

    # ---- leaves
    def column(self, ty):
        """A column of type ty from a scope (innermost first), or None."""
        found = []
        for depth, (table, qual) in enumerate(reversed(self.scopes)):
            for name, cty in TABLES[table]:
                if cty == ty or DOMAIN_BASE.get(cty) == ty:
                    found.append((depth, name, qual))
        if not found:
            return None
        depth, name, qual = self.pick(found)
        shadowed = any(n == name for n, _ in TABLES[self.scopes[-1][0]])
        if depth > 0 and shadowed:
            return '%s.%s' % (qual, name)         # outer column, qualified
        if self.chance(0.15) and qual:
            return '%s.%s' % (qual, name)
        return name

    def context(self, ty):
        j = len(self.ctx)
        name = 'k%s_%d' % (self.tag, j)
        decl = self.pick(CAST_TYPES[ty]) if self.chance(0.3) else ty
        self.ctx.append((name, decl))
        return '$' + name

    def quoted(self, ty):
        good = [x for x in LITERALS[ty] if not x.startswith('!')]
        bad = [x[1:] for x in LITERALS[ty] if x.startswith('!')]
        s = self.pick(bad if bad and self.chance(0.2) else good)
        return "'" + s.replace("'", "''") + "'"

    def literal(self, ty):
        x = self.r.random()
        if CATEGORY[ty] == 'N' and x < 0.3:
            return self.pick(BARE_NUMBERS)
        if ty == 'boolean' and x < 0.3:
            return self.pick(['true', 'false'])
        q = self.quoted(ty)
        x = self.r.random()
        if x < 0.55:
            return q                                   # unknown-type literal
        if x < 0.75:
            return '%s::%s' % (q, self.pick(CAST_TYPES[ty]))
        if x < 0.88 and ty in TYPED_LITERAL_OK:
            return '%s %s' % (ty, q)                   # typed literal
        return 'cast(%s as %s)' % (q, self.pick(CAST_TYPES[ty]))

    # ---- expressions of (roughly) type ty
    def expr(self, ty, d):
        leafy = d <= 0 or self.chance(0.45)
        if leafy:
            x = self.r.random()
            if x < 0.5:
                c = self.column(ty)
                if c:
                    return c
            if x < 0.62:
                return self.context(ty)
            if x < 0.66:
                return 'null'
            return self.literal(ty)
        if ty in DOMAIN_BASE.values() and self.chance(0.06):
            return self.domain_expr(ty, d - 1)
        cat = CATEGORY[ty]
        choices = ['cast', 'case', 'func', 'sub', 'paren']
        if cat == 'N':
            choices += ['arith'] * 4
        if cat == 'S':
            choices += ['concat'] * 2
        if cat == 'D' or cat == 'T':
            choices += ['datearith'] * 2
        if cat == 'A':
            choices += ['array'] * 2
        if ty in ('integer', 'text'):
            choices += ['subscript']
        k = self.pick(choices)
        return getattr(self, 'e_' + k)(ty, d - 1)

    # ---- domains (issue 10): anyelement takes a domain as itself, where
    # operators, anyarray and most constructs smash it to its base type;
    # CASE/COALESCE/GREATEST keep it only when every input is that domain
    def domain_expr(self, base, d):
        """An expression of a domain over base, or of base by a construct
        that may or may not keep the domain."""
        dn = self.pick([n for n in sorted(DOMAIN_BASE) if DOMAIN_BASE[n] == base])
        col = DOMAIN_COLUMN[dn]
        c = self.column(dn) or '(select %s from t)' % col
        x = self.r.random()
        if x < 0.3:
            return c
        if x < 0.4:
            return '(%s)::%s' % (self.expr(base, d), dn)
        if x < 0.5:
            return 'coalesce(%s, %s)' % (c, self.pick([c, 'null', self.expr(base, d)]))
        if x < 0.6:
            return 'case when %s then %s%s end' % (
                self.cond(d), c, self.pick(['', ' else ' + c, ' else ' + self.expr(base, d)]))
        if x < 0.7:
            return 'pick(%s, %s)' % (c, self.pick([c, self.expr(base, d)]))
        if x < 0.78:
            return '(select %s from t z%s)' % (col, self.pick(['', ' where z.id = 1']))
        if base == 'integer':
            return self.pick(['-%s' % c, '(%s + 0)' % c, 'nullif(%s, 1)' % c,
                              'greatest(%s, %s)' % (c, self.pick([c, '1'])),
                              'first_of(%s)' % self.pick(['ids', '(select array_agg(pos) from t)'])])
        if base == 'text':
            return self.pick(['(%s || %s)' % (c, c), 'nullif(%s, %s)' % (c, c), 'lower(%s)' % c])
        return self.pick(['(select array_agg(pos) from t)', '(%s || pos)' % c,
                          '((select array_agg(pos) from t) || %s)' % self.pick(['pos', 'i4'])])

    def domain_call(self, ty, d):
        """pick() of a domain and a domain or its base, either way round."""
        a = self.domain_expr(ty, d)
        b = self.domain_expr(ty, d) if self.chance(0.5) else self.expr(self.other_type(ty), d)
        return 'pick(%s, %s)' % ((a, b) if self.chance(0.5) else (b, a))

    def e_paren(self, ty, d):
        return '(%s)' % self.expr(ty, d)

    def e_cast(self, ty, d):
        src = self.other_type(ty)
        target = self.pick(CAST_TYPES[ty])
        e = self.expr(src, d)
        if self.chance(0.5):
            return '(%s)::%s' % (e, target) if ' ' in e else '%s::%s' % (e, target)
        return 'cast(%s as %s)' % (e, target)

    def e_arith(self, ty, d):
        if self.chance(0.15):
            return '-(%s)' % self.expr(self.other_type(ty), d)     # never `--`
        op = self.pick(ARITH)
        return '(%s %s %s)' % (self.expr(ty, d), op, self.expr(self.other_type(ty), d))

    def e_concat(self, ty, d):
        rt = self.other_type(ty) if self.chance(0.5) else self.pick(TYPES)
        return '(%s || %s)' % (self.expr(ty, d), self.expr(rt, d))

    def e_datearith(self, ty, d):
        if ty == 'interval':
            a = self.pick(['timestamp', 'timestamptz', 'date', 'time', 'interval'])
            op = '-' if a != 'interval' or self.chance(0.5) else '+'
            if a == 'interval' and self.chance(0.3):
                return '(%s * %s)' % (self.expr('interval', d), self.expr(self.pick(NUMERIC), d))
            return '(%s %s %s)' % (self.expr(a, d), op, self.expr(self.other_type(a), d))
        op = self.pick(['+', '-'])
        rhs = self.pick(['interval', 'integer', 'interval', ty, 'text'])
        return '(%s %s %s)' % (self.expr(ty, d), op, self.expr(rhs, d))

    def e_array(self, ty, d):
        el = 'integer' if ty == 'integer[]' else 'text'
        x = self.r.random()
        if x < 0.4:
            items = [self.expr(self.other_type(el), d) for _ in range(self.r.randint(1, 3))]
            return 'array[%s]' % ', '.join(items)
        if x < 0.7:
            return '(%s || %s)' % (self.expr(ty, d), self.expr(self.other_type(el), d))
        return 'array_append(%s, %s)' % (self.expr(ty, d), self.expr(self.other_type(el), d))

    def e_subscript(self, ty, d):
        arr = 'integer[]' if ty == 'integer' else 'text[]'
        e = self.expr(arr, d)
        idx = self.pick(['1', '2', self.expr('integer', d), "'1'"])
        return '(%s)[%s]' % (e, idx) if not re.match(r'^[a-z_.]+$', e) else '%s[%s]' % (e, idx)

    def e_case(self, ty, d):
        n = self.r.randint(1, 2)
        results = [self.expr(self.other_type(ty) if self.chance(0.3) else ty, d)
                   for _ in range(n)]
        els = ' else %s' % self.expr(ty, d) if self.chance(0.6) else ''
        if self.chance(0.5):
            whens = ['when %s then %s' % (self.cond(d), r) for r in results]
            return 'case %s%s end' % (' '.join(whens), els)
        # simple CASE: the operand may be a bare literal or NULL
        st = self.pick(TYPES)
        x = self.r.random()
        if x < 0.2:
            op = self.quoted(st)
        elif x < 0.3:
            op = 'null'
        else:
            op = self.expr(st, d)
        whens = ['when %s then %s' % (self.expr(self.other_type(st), d), r) for r in results]
        return 'case %s %s%s end' % (op, ' '.join(whens), els)

    def e_sub(self, ty, d):
        table, qual, written = self.sub_table()
        self.scopes.append((table, qual))
        x = self.r.random()
        if x < 0.6:
            sel = self.expr(ty, d)
        elif x < 0.75:
            sel = 'null'
        else:
            sel = self.literal(ty) if self.chance(0.5) else self.quoted(ty)
        where = ' where %s' % self.cond(d) if self.chance(0.7) else ''
        self.scopes.pop()
        return '(select %s from %s%s)' % (sel, self.from_item(written, qual), where)

    def sub_table(self):
        name = self.pick(SUB_TABLES)
        table = 'other.notes' if name == 'notes' else name
        qual = self.pick(['x', 'y', 'z']) if self.chance(0.4) else name.split('.')[-1]
        return table, qual, name

    def from_item(self, name, qual):
        if qual != name.split('.')[-1]:
            return '%s %s' % (name, qual)
        return name

    def e_func(self, ty, d):
        cat = CATEGORY[ty]
        e = self.expr
        o = self.other_type
        fs = [lambda: 'coalesce(%s, %s)' % (e(ty, d), e(o(ty), d)),
              lambda: 'nullif(%s, %s)' % (e(ty, d), e(o(ty), d)),
              lambda: 'pick(%s, %s)' % (e(ty, d), e(o(ty), d))]
        if ty in DOMAIN_BASE.values():
            fs += [lambda: self.domain_call(ty, d)] * 2
        if cat in ('N', 'S', 'D', 'T'):
            fs += [lambda: '%s(%s, %s)' % (self.pick(['greatest', 'least']), e(ty, d), e(o(ty), d))]
        if cat == 'N':
            fs += [lambda: 'abs(%s)' % e(o(ty), d),
                   lambda: 'round(%s)' % e(o(ty), d),
                   lambda: 'round(%s, %s)' % (e(o(ty), d), e('integer', d)),
                   lambda: 'trunc(%s)' % e(o(ty), d),
                   lambda: 'length(%s)' % e(self.pick(STRING + ['bytea', 'text[]']), d),
                   lambda: 'score(%s)' % e(o(ty), d),
                   lambda: 'vsum(%s)' % ', '.join(e(o('integer'), d)
                                                   for _ in range(self.r.randint(1, 3))),
                   lambda: 'vsum(variadic %s)' % e('integer[]', d),
                   lambda: 'first_of(%s)' % e(self.pick(['integer[]', 'text[]']), d),
                   lambda: 'array_length(%s, 1)' % e(self.pick(['integer[]', 'text[]']), d),
                   lambda: 'extract(%s from %s)' % (self.pick(['year', 'epoch', 'hour', 'dow']),
                                                    e(self.pick(['date', 'timestamp', 'interval', 'time']), d)),
                   lambda: 'date_part(%s, %s)' % (self.quoted('text'), e(self.pick(['date', 'timestamptz']), d)),
                   lambda: 'mod(%s, %s)' % (e(ty, d), e(o(ty), d)),
                   lambda: 'power(%s, %s)' % (e(ty, d), e(o(ty), d)),
                   lambda: 'position(%s in %s)' % (e('text', d), e(o('text'), d)),
                   lambda: 'char_length(%s)' % e(o('text'), d),
                   lambda: 'ceil(%s)' % e(o(ty), d),
                   lambda: 'sign(%s)' % e(o(ty), d)]
        if cat == 'S':
            fs += [lambda: '%s(%s)' % (self.pick(['lower', 'upper', 'btrim', 'md5', 'initcap']), e(o(ty), d)),
                   lambda: 'substr(%s, %s)' % (e(o(ty), d), e(self.pick(['integer', 'bigint', 'text']), d)),
                   lambda: 'substring(%s from %s for %s)' % (e(o(ty), d), e('integer', d), e('integer', d)),
                   lambda: 'concat(%s)' % ', '.join(e(self.pick(TYPES), d) for _ in range(self.r.randint(1, 3))),
                   lambda: 'concat_ws(%s, %s, %s)' % (e('text', d), e(self.pick(TYPES), d), e(self.pick(TYPES), d)),
                   lambda: 'tag(%s)' % e(self.pick(['text', 'integer', 'varchar', 'bigint', 'smallint']), d),
                   lambda: "tag('x')",
                   lambda: 'vjoin(%s)' % ', '.join(e(o('text'), d) for _ in range(self.r.randint(1, 3))),
                   lambda: 'vjoin(variadic %s)' % e('text[]', d),
                   lambda: 'to_hex(%s)' % e(self.pick(NUMERIC), d),
                   lambda: 'to_char(%s, %s)' % (e(self.pick(['timestamp', 'numeric', 'integer', 'interval', 'text']), d), self.quoted('text')),
                   lambda: 'replace(%s, %s, %s)' % (e(ty, d), e(o(ty), d), e(o(ty), d)),
                   lambda: 'left(%s, %s)' % (e(ty, d), e('integer', d)),
                   lambda: 'repeat(%s, %s)' % (e(ty, d), e(o('integer'), d)),
                   lambda: 'split_part(%s, %s, %s)' % (e(ty, d), e(o(ty), d), e('integer', d)),
                   lambda: 'array_to_string(%s, %s)' % (e(self.pick(['integer[]', 'text[]']), d), e('text', d)),
                   lambda: 'host(%s)' % e(self.pick(['inet', 'cidr', 'text']), d),
                   lambda: '%s->>%s' % (e(self.pick(['json', 'jsonb']), d), self.pick(["'a'", '0', self.quoted('text')])),
                   lambda: 'current_user', lambda: 'session_user',
                   lambda: 'current_setting(%s)' % self.quoted('text'),
                   lambda: 'first_of(%s)' % e('text[]', d)]
        if cat == 'D':
            fs += [lambda: 'date_trunc(%s, %s)' % (self.quoted('text'), e(o(ty), d)),
                   lambda: self.pick(['now()', 'current_date', 'current_timestamp', 'localtimestamp',
                                      'current_time', 'clock_timestamp()', 'localtime']),
                   lambda: 'make_date(%s, %s, %s)' % (e('integer', d), e('integer', d), e('integer', d)),
                   lambda: 'to_timestamp(%s)' % e(self.pick(['double precision', 'integer', 'text']), d),
                   lambda: 'age(%s)' % e(o('timestamp'), d)]
        if cat == 'T':
            fs += [lambda: 'age(%s, %s)' % (e(o('timestamp'), d), e(o('timestamp'), d)),
                   lambda: 'age(%s)' % e(o('timestamptz'), d),
                   lambda: 'justify_days(%s)' % e('interval', d),
                   lambda: 'make_interval(days => %s)' % e('integer', d)]
        if cat == 'J':
            fs += [lambda: '%s->%s' % (e(ty, d), self.pick(["'a'", '0', self.quoted('text'), e('integer', d)])),
                   lambda: 'to_jsonb(%s)' % e(self.pick(TYPES), d),
                   lambda: 'jsonb_build_object(%s, %s)' % (e('text', d), e(self.pick(TYPES), d)),
                   lambda: '%s #> %s' % (e(ty, d), self.quoted('text[]'))]
        if cat == 'A':
            fs += [lambda: 'array_cat(%s, %s)' % (e(ty, d), e(o(ty), d)),
                   lambda: 'string_to_array(%s, %s)' % (e('text', d), e('text', d)),
                   lambda: 'array_remove(%s, %s)' % (e(ty, d), e(self.pick(['integer', 'text']), d)),
                   lambda: 'array(select %s from s)' % self.pick(['id', 'qty', 'name', 'note', 't_id'])]
        if cat == 'Y':
            fs += [lambda: 'decode(%s, %s)' % (e('text', d), self.pick(["'hex'", "'base64'", "'nope'"])),
                   lambda: 'sha256(%s)' % e(o('bytea'), d)]
        if cat == 'I':
            fs += [lambda: 'network(%s)' % e(o('inet'), d), lambda: 'inet_client_addr()']
        if cat == 'U':
            fs += [lambda: 'gen_random_uuid()']
        if cat == 'B':
            return self.cond(d)
        return self.pick(fs)()

    # ---- conditions (boolean)
    def cond(self, d):
        if d <= 0 or self.chance(0.25):
            return self.atom(d)
        x = self.r.random()
        if x < 0.3:
            return '(%s %s %s)' % (self.cond(d - 1), self.pick(['and', 'or']), self.cond(d - 1))
        if x < 0.37:
            return 'not %s' % self.cond(d - 1)
        return self.atom(d)

    def atom(self, d):
        d = max(d - 1, 0)
        k = self.pick(['cmp'] * 8 + ['isnull', 'distinct', 'bool', 'between', 'in', 'in', 'any',
                                     'any', 'exists', 'like', 'like', 'regex', 'istrue', 'boolfn',
                                     'contain', 'cmp_lit'])
        return getattr(self, 'a_' + k)(d)

    def a_cmp(self, d):
        ty = self.pick(TYPES)
        return '%s %s %s' % (self.expr(ty, d), self.pick(COMPARE), self.expr(self.other_type(ty), d))

    def a_cmp_lit(self, d):
        ty = self.pick(TYPES)
        c = self.column(ty) or self.context(ty)
        lit = self.quoted(self.other_type(ty)) if self.chance(0.8) else self.pick(BARE_NUMBERS)
        if self.chance(0.5):
            return '%s %s %s' % (c, self.pick(COMPARE), lit)
        return '%s %s %s' % (lit, self.pick(COMPARE), c)

    def a_isnull(self, d):
        return '%s is %snull' % (self.expr(self.pick(TYPES), d), self.pick(['', 'not ']))

    def a_distinct(self, d):
        ty = self.pick(TYPES)
        return '%s is %sdistinct from %s' % (self.expr(ty, d), self.pick(['', 'not ']),
                                             self.expr(self.other_type(ty), d))

    def a_bool(self, d):
        return self.expr('boolean', d) if d > 0 else (self.column('boolean') or self.context('boolean'))

    def a_istrue(self, d):
        return '(%s) is %s%s' % (self.expr('boolean', d), self.pick(['', 'not ']),
                                 self.pick(['true', 'false', 'unknown']))

    def a_between(self, d):
        ty = self.pick(TYPES)
        return '%s %sbetween %s and %s' % (self.expr(ty, d), self.pick(['', 'not ']),
                                          self.expr(self.other_type(ty), d),
                                          self.expr(self.other_type(ty), d))

    def a_in(self, d):
        ty = self.pick(TYPES)
        lhs = self.expr(ty, d)
        neg = self.pick(['', 'not '])
        if self.chance(0.25):
            table, qual, written = self.sub_table()
            self.scopes.append((table, qual))
            sel = self.expr(self.other_type(ty), d) if self.chance(0.8) else self.pick(['null', self.quoted(ty)])
            where = ' where %s' % self.cond(d) if self.chance(0.6) else ''
            self.scopes.pop()
            return '%s %sin (select %s from %s%s)' % (lhs, neg, sel, self.from_item(written, qual), where)
        items = []
        for _ in range(self.r.randint(1, 4)):
            x = self.r.random()
            if x < 0.4:
                items.append(self.quoted(self.other_type(ty)))
            elif x < 0.5:
                items.append(self.pick(BARE_NUMBERS + ['null']))
            else:
                items.append(self.expr(self.other_type(ty), d))
        return '%s %sin (%s)' % (lhs, neg, ', '.join(items))

    def a_any(self, d):
        ty = self.pick(TYPES)
        q = self.pick(['any', 'all', 'some'])
        op = self.pick(COMPARE + ['like', 'ilike'] if ty in STRING else COMPARE)
        x = self.r.random()
        if x < 0.3:
            table, qual, written = self.sub_table()
            self.scopes.append((table, qual))
            sel = self.expr(self.other_type(ty), d) if self.chance(0.85) else self.pick(['null', self.quoted(ty)])
            self.scopes.pop()
            rhs = '(select %s from %s)' % (sel, self.from_item(written, qual))
        elif x < 0.55:
            arr = self.pick(['integer[]', 'text[]'])
            rhs = '(%s)' % self.expr(arr, d)
        elif x < 0.9:
            arr = self.pick(['integer[]', 'text[]'])
            rhs = '(%s)' % self.quoted(arr)
        else:
            rhs = '(%s)' % self.quoted(self.other_type(ty))     # not an array
        return '%s %s %s %s' % (self.expr(ty, d), op, q, rhs)

    def a_exists(self, d):
        table, qual, written = self.sub_table()
        self.scopes.append((table, qual))
        sel = self.pick(['1', '*', 'null', self.expr(self.pick(TYPES), d)])
        where = ' where %s' % self.cond(d) if self.chance(0.8) else ''
        self.scopes.pop()
        return '%sexists (select %s from %s%s)' % (self.pick(['', 'not ']), sel,
                                                   self.from_item(written, qual), where)

    def a_like(self, d):
        ty = self.pick(STRING * 3 + ['bytea', 'integer', 'uuid'])
        op = self.pick(['like', 'ilike', 'not like', 'not ilike', 'similar to', 'not similar to',
                        '~~', '!~~'])
        pat = self.quoted('text') if self.chance(0.6) else self.expr(self.other_type(ty), d)
        esc = " escape '!'" if self.chance(0.1) and 'similar' not in op and '~' not in op else ''
        return '%s %s %s%s' % (self.expr(ty, d), op, pat, esc)

    def a_regex(self, d):
        ty = self.pick(STRING * 3 + ['integer', 'uuid'])
        op = self.pick(['~', '~*', '!~', '!~*'])
        pat = self.pick(["'^a'", "'[a-z]+'", "'('", self.expr('text', d)])
        return '%s %s %s' % (self.expr(ty, d), op, pat)

    def a_contain(self, d):
        x = self.r.random()
        if x < 0.3:
            return '%s %s %s' % (self.expr('jsonb', d), self.pick(['?', '@>', '<@', '?|', '?&']),
                                 self.pick([self.quoted('text'), self.quoted('jsonb'),
                                            self.quoted('text[]'), self.expr('jsonb', d)]))
        if x < 0.6:
            a = self.pick(['integer[]', 'text[]'])
            return '%s %s %s' % (self.expr(a, d), self.pick(['@>', '<@', '&&']),
                                 self.expr(self.other_type(a), d))
        if x < 0.8:
            return '%s %s %s' % (self.expr('inet', d), self.pick(['<<', '<<=', '>>', '>>=', '&&']),
                                 self.expr(self.pick(['inet', 'cidr', 'text']), d))
        return '%s %s %s' % (self.expr('text', d), self.pick(['^@', '@@']), self.expr('text', d))

    def a_boolfn(self, d):
        e = self.expr
        fs = [lambda: 'isfinite(%s)' % (e(self.pick(['date', 'timestamp', 'timestamptz', 'interval']), d) if self.chance(0.7) else self.quoted('date')),
              lambda: 'within(%s)' % e(self.pick(['integer', 'smallint', 'bigint']), d),
              lambda: 'within(%s, %s)' % (e('integer', d), e(self.pick(['integer', 'text']), d)),
              lambda: 'other.allowed(%s)' % e(self.pick(['bigint', 'integer', 'numeric']), d),
              lambda: 'allowed(%s)' % e('bigint', d),
              lambda: 'starts_with(%s, %s)' % (e(self.pick(STRING), d), e(self.pick(STRING), d)),
              lambda: 'pick(%s, %s)' % (e('boolean', d), e(self.other_type('boolean'), d)),
              lambda: 'has(%s, %s)' % (self.domain_expr('integer[]', d) if self.chance(0.5) else e('integer[]', d),
                                       self.domain_expr('integer', d) if self.chance(0.5) else e(self.other_type('integer'), d)),
              lambda: '(select %s)' % self.cond(d),
              lambda: 'pg_has_role(%s, %s)' % (self.pick(["'postgres'", 'current_user']), "'USAGE'"),
              lambda: 'jsonb_typeof(%s) = %s' % (e('jsonb', d), self.quoted('text'))]
        return self.pick(fs)()

    def condition(self, table, depth):
        self.scopes = [(table, table.split('.')[-1])]
        return self.cond(depth)


def generate(seed, n):
    """[(k, table, [(ctx, type)], condition, mode)] for one seed; mode is
    `policy` (a top-level policy statement, emitted as written) or `allow`
    (a rule in the table's block, which rlsc lowers and may rewrite)."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        table = rng.choice(POLICY_TABLES)
        mode = rng.choice(['policy', 'allow'])
        g = Gen(rng, '%d' % k)
        cond = g.condition(table, rng.randint(1, 3))
        out.append((k, table, g.ctx, cond, mode))
    return out


# ---------------------------------------------------------------- rlsc side
DIAG = re.compile(r'^[^\n:]+\.rls:(\d+):(\d+): error: (.*)$')


def ctx_read(setting, ty):
    return ("(SELECT CAST(NULLIF(pg_catalog.current_setting('%s', true), '') AS %s))"
            % (setting, ty))


def decls(case):
    k, table, ctx, cond, mode = case
    d = ''.join("context %s %s = 'app.%s'; " % (c, ty, c) for c, ty in ctx)
    return ('role r%d; ' % k if mode == 'allow' else '') + d


def rule(case):
    k, table, ctx, cond, mode = case
    if mode == 'allow':
        return 'allow select to r%d using (%s);' % (k, cond)
    return 'policy p%d on %s for select using (%s);' % (k, table, cond)


def rls_line(case):
    """The case on its own, as a one-line .rls (for reports)."""
    if case[4] == 'allow':
        return '%stable %s { %s }' % (decls(case), case[1], rule(case))
    return decls(case) + rule(case)


def run_rlsc(args, cmd, cases, path):
    """rlsc CMD on cases as one file -> (rc, {k: [errors]}, stdout, stderr).
    Layout: each case's declarations (its role, its contexts) on a line of
    their own, then the policy statements, then one block per table with
    the allow rules, one per line; every line but `app`, `table T {` and
    `}` belongs to one case."""
    lines = {}
    out = ['app difftest;']
    for c in cases:
        if decls(c):
            out.append(decls(c).rstrip())
            lines[len(out)] = c[0]
    for c in cases:
        if c[4] == 'policy':
            out.append(rule(c))
            lines[len(out)] = c[0]
    tables = []
    for c in cases:
        if c[4] == 'allow' and c[1] not in tables:
            tables.append(c[1])
    for t in tables:
        out.append('table %s {' % t)
        for c in cases:
            if c[4] == 'allow' and c[1] == t:
                out.append('    ' + rule(c))
                lines[len(out)] = c[0]
        out.append('}')
    with open(path, 'w') as f:
        f.write('\n'.join(out) + '\n')
    p = subprocess.run([args.rlsc, cmd] + args.source + [path],
                       capture_output=True, text=True, errors='replace')
    errs = collections.OrderedDict()
    for line in p.stderr.splitlines():
        m = DIAG.match(line)
        if m and int(m.group(1)) in lines:
            errs.setdefault(lines[int(m.group(1))], []).append(m.group(3))
    return p.returncode, errs, p.stdout, p.stderr


def check_all(args, cases, work):
    """{k: ('accept'|'reject'|'fail', [messages])}: rlsc check until a clean pass."""
    verdict = {}
    queue = [list(cases)]
    while queue:
        batch = queue.pop(0)
        if not batch:
            continue
        rc, errs, _, err = run_rlsc(args, 'check', batch, os.path.join(work, 'check.rls'))
        if rc == 0 and not errs:
            for c in batch:
                verdict[c[0]] = ('accept', [])
        elif rc == 1 and errs:
            rest = []
            for c in batch:
                if c[0] in errs:
                    verdict[c[0]] = ('reject', errs[c[0]])
                else:
                    rest.append(c)
            queue.append(rest)
        elif len(batch) == 1:
            verdict[batch[0][0]] = ('fail', ['exit %d: %s' % (rc, err.strip()[-300:])])
        else:
            h = (len(batch) + 1) // 2
            queue += [batch[:h], batch[h:]]
    return verdict


POLICY_RE = re.compile(r'^CREATE POLICY "(?:p(\d+)|allow_select_to_r(\d+)_[0-9a-f]+)" ON ')


def sql_all(args, cases, work):
    """{k: CREATE POLICY text} from rlsc sql on the accepted cases; failures
    bisected down to the case: {k: 'fail ...'}."""
    stmts, fails = {}, {}
    queue = [list(cases)]
    while queue:
        batch = queue.pop(0)
        if not batch:
            continue
        rc, _, out, err = run_rlsc(args, 'sql', batch, os.path.join(work, 'sql.rls'))
        if rc == 0:
            cur = None
            for line in out.splitlines():
                m = POLICY_RE.match(line)
                if m:
                    cur = int(m.group(1) or m.group(2))
                    stmts[cur] = [line]
                elif cur is not None:
                    # the role rK exists only in the file: any role will do
                    stmts[cur].append('    TO PUBLIC' if line.startswith('    TO ') else line)
                    if line.startswith('    USING') or line.startswith('    WITH CHECK'):
                        if line.endswith(';'):
                            cur = None
        elif len(batch) == 1:
            fails[batch[0][0]] = 'exit %d: %s' % (rc, err.strip()[-300:])
        else:
            h = (len(batch) + 1) // 2
            queue += [batch[:h], batch[h:]]
    return {k: '\n'.join(v) for k, v in stmts.items()}, fails


# ---------------------------------------------------------------- PostgreSQL side
def quote_table(table):
    return '.'.join('"%s"' % p for p in table.split('.'))


def pg_condition(case):
    """The condition as PostgreSQL should see it: $ctx -> rlsc's read."""
    k, table, ctx, cond, mode = case
    types = dict(ctx)
    return re.sub(r'\$(k\d+_\d+)\b', lambda m: ctx_read('app.' + m.group(1), types[m.group(1)]), cond)


class PgTrouble(Exception):
    """An error that says nothing about the condition (resources, a
    timeout, the connection, an internal error): never a verdict."""


# SQLSTATE classes of such errors: 53 insufficient resources, 57 operator
# intervention (statement_timeout), 08 connection, 58 system, XX internal
TROUBLE = ('53', '57', '08', '58', 'XX')


def pg_try(cur, sql):
    """None when PostgreSQL accepts sql, else its error message."""
    cur.execute('SAVEPOINT c')
    try:
        cur.execute(sql)
        res = None
    except Exception as e:          # psycopg2.Error: PostgreSQL's message
        code = getattr(e, 'pgcode', None) or 'XX'
        res = (getattr(e, 'pgerror', None) or str(e)).strip().splitlines()[0]
        res = re.sub(r'^ERROR:\s+', '', res)
        if code[:2] in TROUBLE:
            raise PgTrouble('%s (SQLSTATE %s) on: %s' % (res, code, sql))
    cur.execute('ROLLBACK TO SAVEPOINT c')
    return res


# ---------------------------------------------------------------- causes
TYPE_WORDS = sorted(set(list(CATEGORY) + [
    'character varying', 'character', 'timestamp without time zone', 'timestamp with time zone',
    'time without time zone', 'int2', 'int4', 'int8', 'float4', 'float8', 'bpchar', 'unknown',
    'bool', 'anyelement', 'anyarray', 'record', 'name', 'numeric', 'int', 'float', 'smallint[]',
    'bigint[]', 'boolean[]', 'numeric[]', 'character varying[]', 'uuid[]', 'date[]',
    'double precision[]', 'real[]', 'jsonb[]', 'json[]', 'bytea[]', 'inet[]', 'cidr[]',
    'timestamp[]', 'timestamptz[]', 'interval[]', 'time[]', 'oid[]', 'char[]', 'varchar[]'
]), key=len, reverse=True)
TYPE_RE = re.compile(r'(?<![\w.])(%s)(\(\d+(,\s*-?\d+)?\))?(?![\w])' %
                     '|'.join(re.escape(t).replace(r'\ ', r'\s') for t in TYPE_WORDS))


def mask(msg):
    """A message with names, literals, numbers and types masked: its cause.
    A syntax error keeps its token (the token is the cause) and drops the
    list of what was expected."""
    if msg.startswith('syntax error') or msg.startswith('unexpected'):
        return re.sub(r',? expecting .*', '', msg)
    m = re.sub(r"'(?:[^']|'')*'", "'…'", msg)
    m = re.sub(r'"(?:[^"]|"")*"', '"…"', m)
    m = TYPE_RE.sub('T', m)
    m = re.sub(r'\b\d+(\.\d+)?\b', 'N', m)
    m = re.sub(r'did you mean [^;)]*', 'did you mean …', m)
    m = re.sub(r'\b(column|table|relation|context|type) [\w.$]+', r'\1 X', m)
    return m


def family(pgmsg):
    """A false accept's family: PostgreSQL's message, masked."""
    return mask(pgmsg)


# ---------------------------------------------------------------- run
def run(args):
    import psycopg2
    seeds = [int(s) for s in args.seeds.split(',') if s.strip()]
    conn = psycopg2.connect(args.conn, options='-c statement_timeout=10s')
    cur = conn.cursor()
    tap = []
    totals = collections.Counter()
    fa_fam = collections.OrderedDict()       # family -> [(seed, case, pgerr, how)]
    fr_cause = collections.Counter()
    fr_example = {}
    fails = []
    log = open(os.path.join(args.work, 'verdicts.tsv'), 'w')
    for si, seed in enumerate(seeds):
        cases = generate(seed, args.n)
        # the types from a catalog file (`rlsc catalog --db`) for the 1st,
        # 3rd, ... seed, from the live database (--db) for the others
        if si % 2 == 0 or not args.db:
            args.source, via = ['--catalog', args.catalog], '--catalog'
        else:
            args.source, via = ['--db', args.db], '--db'
        # rlsc in files of --chunk cases: its cost grows faster than linearly
        # with the number of rules and contexts in one file
        verdict, stmts, sqlfail = {}, {}, {}
        for i in range(0, len(cases), args.chunk):
            part = cases[i:i + args.chunk]
            verdict.update(check_all(args, part, args.work))
            acc = [c for c in part if verdict[c[0]][0] == 'accept']
            st, sf = sql_all(args, acc, args.work)
            stmts.update(st)
            sqlfail.update(sf)
        seed_fa = []
        for c in cases:
            k = c[0]
            # a fresh transaction now and then: every CREATE POLICY, even
            # rolled back to its savepoint, leaves locks and subtransaction
            # state behind in the transaction
            if k % 200 == 0:
                conn.rollback()
            v, msgs = verdict[k]
            totals['conditions'] += 1
            orig = 'CREATE POLICY "p%d" ON %s FOR SELECT USING (%s)' % (k, quote_table(c[1]), pg_condition(c))
            pg = pg_try(cur, orig)
            kind = ''
            if v == 'fail':
                kind = 'rlsc-fail'
                fails.append((seed, c, msgs[0]))
            elif v == 'accept':
                totals['accepted'] += 1
                if k in sqlfail or k not in stmts:
                    kind = 'rlsc-fail'
                    fails.append((seed, c, 'rlsc sql: ' + sqlfail.get(k, 'no CREATE POLICY for p%d' % k)))
                else:
                    pg_sql = pg_try(cur, stmts[k])
                    if pg_sql is not None:
                        kind = 'FALSE-ACCEPT'
                        pg = pg_sql
                        seed_fa.append((seed, c, pg_sql, "rlsc's SQL"))
                    else:
                        # rlsc's SQL is what counts; the condition with the
                        # context reads substituted by hand may differ from
                        # it (rlsc emits some forms differently), so a
                        # failure there is only counted
                        if pg is not None:
                            totals['written-fails'] += 1
                        kind = 'agree-accept'
            else:
                if pg is None:
                    kind = 'false-reject'
                    cause = mask(msgs[0])
                    fr_cause[cause] += 1
                    fr_example.setdefault(cause, (seed, c, msgs[0]))
                else:
                    kind = 'agree-reject'
            totals[kind] += 1
            log.write('%d\t%d\t%s\t%s\t%s\t%s\t%s\n' % (seed, k, kind, c[1], rls_line(c),
                                                        ' | '.join(msgs), pg or ''))
        conn.rollback()
        for fa in seed_fa:
            fa_fam.setdefault(family(fa[2]), []).append(fa)
        if seed_fa:
            lines = ['not ok - seed %d (%s): %d false accepts in %d conditions'
                     % (seed, via, len(seed_fa), len(cases))]
            for s, c, pgerr, how in seed_fa[:args.show]:
                lines.append('#   condition:  %s   (seed %d, table %s)' % (rls_line(c), s, c[1]))
                lines.append('#   PostgreSQL: %s (on %s)' % (pgerr, how))
            if len(seed_fa) > args.show:
                lines.append('#   ... and %d more' % (len(seed_fa) - args.show))
            tap += lines
        else:
            tap.append('ok - seed %d (%s): no false accept in %d conditions (%d accepted)'
                       % (seed, via, len(cases), sum(1 for c in cases if verdict[c[0]][0] == 'accept')))
    log.close()
    if fails:
        tap.append('not ok - rlsc ran cleanly on every condition (%d failures)' % len(fails))
        for s, c, why in fails[:args.show]:
            tap.append('#   condition:  %s   (seed %d)' % (rls_line(c), s))
            tap.append('#   rlsc:       %s' % why.replace('\n', ' '))
    else:
        tap.append('ok - rlsc ran cleanly on every condition')
    n = totals['conditions']
    fr = totals['false-reject']
    note = ['# conditions %d, accepted %d, agree-accept %d, agree-reject %d, FALSE ACCEPT %d, '
            'false reject %d (%.2f %% of conditions), rlsc failures %d'
            % (n, totals['accepted'], totals['agree-accept'], totals['agree-reject'],
               totals['FALSE-ACCEPT'], fr, 100.0 * fr / max(n, 1), totals['rlsc-fail'])]
    if totals['written-fails']:
        note.append("# accepted conditions whose SQL passes though the hand-substituted text fails: %d"
                    % totals['written-fails'])
    if fa_fam:
        note.append('# false accepts by PostgreSQL error (masked):')
        for fam, xs in sorted(fa_fam.items(), key=lambda kv: -len(kv[1])):
            s, c, pgerr, how = xs[0]
            note.append('#   %5d  %s' % (len(xs), fam))
            note.append('#          e.g. seed %d: %s' % (s, rls_line(c)))
            note.append('#          PostgreSQL: %s' % pgerr)
    if fr_cause:
        note.append('# false rejects by rlsc message (masked), top %d of %d causes:'
                    % (min(args.top, len(fr_cause)), len(fr_cause)))
        for cause, cnt in sorted(fr_cause.items(), key=lambda kv: (-kv[1], kv[0]))[:args.top]:
            s, c, msg = fr_example[cause]
            note.append('#   %5d  %s' % (cnt, cause))
            note.append('#          e.g. seed %d: %s' % (s, rls_line(c)))
    print('\n'.join(tap + note))
    sys.stdout.flush()
    return 0


def run_or_bail(args):
    try:
        return run(args)
    except PgTrouble as e:
        print('Bail out! PostgreSQL failed for a reason other than the condition: %s' % e)
        return 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    g = sub.add_parser('generate')
    g.add_argument('--seed', type=int, default=1)
    g.add_argument('--n', type=int, default=20)
    r = sub.add_parser('run')
    r.add_argument('--rlsc', required=True)
    r.add_argument('--catalog', required=True)
    r.add_argument('--conn', required=True, help='PostgreSQL, for the verdicts')
    r.add_argument('--db', help='rlsc check --db CONNINFO for every other seed')
    r.add_argument('--seeds', default='1')
    r.add_argument('--n', type=int, default=1000)
    r.add_argument('--work', required=True)
    r.add_argument('--chunk', type=int, default=1500, help='cases per rlsc run')
    r.add_argument('--show', type=int, default=20, help='false accepts shown per seed')
    r.add_argument('--top', type=int, default=15, help='false-reject causes shown')
    args = ap.parse_args()
    if args.cmd == 'generate':
        for c in generate(args.seed, args.n):
            print(rls_line(c))
        return 0
    return run_or_bail(args)


if __name__ == '__main__':
    sys.exit(main())
