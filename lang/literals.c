/*
 * literals.c — the validity of quoted literals: PostgreSQL's input
 * functions (boolin, int4in, numeric_in, date_in, interval_in, uuid_in,
 * json_in and jsonb_in, byteain, inet_in and cidr_in, array_in), mirrored.
 *
 * A quoted literal has type unknown until it meets a typed operand;
 * PostgreSQL then runs the type's input function when it creates the
 * policy, and refuses the policy if the text is not valid input.  The type
 * checker asks literal_error() the same question at compile time.
 *
 * The promise is one-sided: what this module accepts, PostgreSQL accepts.
 * Where PostgreSQL's rules are too intricate to mirror exactly (date
 * styles, interval syntax, enum labels), this module is deliberately
 * stricter; each such rule is listed in tests/agreement/STRICTER.md with
 * the reason.
 */
#include "types.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- input functions, mirrored */

static const char *skip_ws(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

static bool trailing_ws_only(const char *s)
{
    return *skip_ws(s) == '\0';
}

static bool lit_bool(const char *s)
{
    /* boolin: trims, then a case-insensitive prefix of a keyword. */
    s = skip_ws(s);
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0)
        return false;
    static const struct { const char *word; size_t min; } words[] = {
        {"true", 1}, {"false", 1}, {"yes", 1}, {"no", 1}, {"on", 2}, {"off", 2},
        {"1", 1}, {"0", 1},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (n >= words[i].min && n <= strlen(words[i].word)
            && strncasecmp(s, words[i].word, n) == 0)
            return true;
    return false;
}

static const char *lit_int(const char *s, long long lo, long long hi)
{
    const char *p = skip_ws(s);
    bool neg = false;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (!isdigit((unsigned char)*p))
        return "is not an integer";
    unsigned long long v = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (ULLONG_MAX - 9) / 10)
            return "is out of range";
        v = v * 10 + (unsigned long long)(*p - '0');
    }
    if (!trailing_ws_only(p))
        return "is not an integer";
    if (neg ? v > (unsigned long long)hi + 1 || (long long)(0 - v) < lo
            : v > (unsigned long long)hi)
        return "is out of range";
    return NULL;
}

/* [ws][sign](digits[.digits]|.digits)[e[sign]digits][ws] */
static bool lit_decimal_syntax(const char *s)
{
    const char *p = skip_ws(s);
    if (*p == '+' || *p == '-')
        p++;
    bool digits = false;
    while (isdigit((unsigned char)*p))
        p++, digits = true;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++, digits = true;
    }
    if (!digits)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return trailing_ws_only(p);
}

/* float4in, float8in and (since PostgreSQL 14) numeric_in take the same
 * words, in any case, with white space around them.  A signed NaN is left
 * out: the floats take it only through the C library's strtod. */
static bool lit_word(const char *s, const char *const *words);

static bool lit_special_number(const char *s)
{
    static const char *const words[] = {"nan", "infinity", "+infinity", "-infinity",
                                        "inf", "+inf", "-inf", NULL};
    return lit_word(s, words);
}

/* numeric's limits: fewer than 131072 digits before the point and at
 * most 16383 after it, once the exponent is applied. */
bool literal_numeric_in_range(const char *s)
{
    const char *p = skip_ws(s);
    if (*p == '+' || *p == '-')
        p++;
    long before = 0, frac = 0, msd_at = 0; /* msd_at: 1-based, 0 = none */
    bool point = false, msd_in_frac = false;
    for (; isdigit((unsigned char)*p) || *p == '.'; p++) {
        if (*p == '.') {
            point = true;
            continue;
        }
        point ? frac++ : before++;
        if (*p != '0' && !msd_at) {
            msd_at = point ? frac : before;
            msd_in_frac = point;
        }
    }
    long exp = 0;
    if (*p == 'e' || *p == 'E') {
        errno = 0;
        exp = strtol(p + 1, NULL, 10);
        if (errno == ERANGE || labs(exp) > 100000000L)
            return !msd_at;
    }
    if (!msd_at)
        return true; /* zero */
    /* weight: digits of the integer part counted from the first nonzero */
    long weight = msd_in_frac ? 1 - msd_at : before - msd_at + 1;
    return weight + exp <= 131072 && frac - exp <= 16383;
}

static const char *lit_number(const Type *t, const char *s)
{
    switch (t->rank) {
    case 1: return lit_int(s, -32768, 32767);
    case 2: return lit_int(s, INT_MIN, INT_MAX);
    case 3:
        /* oidin also takes a negative number that fits in int4, as the
         * oid with the same bits ('-1' is 4294967295) */
        if (strcmp(t->name, "oid") == 0)
            return lit_int(s, INT_MIN, 4294967295LL);
        return lit_int(s, LLONG_MIN, LLONG_MAX);
    default: break;
    }
    bool floating = t->rank >= 5;
    if (lit_special_number(s))
        return NULL;
    if (!lit_decimal_syntax(s))
        return "is not a number";
    if (floating) {
        errno = 0;
        double v = t->rank == 5 ? (double)strtof(s, NULL) : strtod(s, NULL);
        if (errno == ERANGE && (v == 0.0 || isinf(v)))
            return "is out of range";
    } else if (!literal_numeric_in_range(s)) {
        return "is out of range";
    }
    return NULL;
}

static bool lit_uuid(const char *s)
{
    size_t n = strlen(s);
    if (n && s[0] == '{') {
        if (s[n - 1] != '}')
            return false;
        s++, n -= 2;
    }
    int hex = 0;
    for (size_t i = 0; i < n; i++) {
        if (isxdigit((unsigned char)s[i]))
            hex++;
        else if (s[i] == '-' && hex % 4 == 0 && hex > 0 && hex < 32 && s[i + 1] != '-'
                 && i + 1 < n)
            continue;
        else
            return false;
    }
    return hex == 32;
}

static int lit_digits(const char **p, int min, int max)
{
    int n = 0, v = 0;
    while (isdigit((unsigned char)**p) && n < max) {
        v = v * 10 + (**p - '0');
        (*p)++, n++;
    }
    return n >= min ? v : -1;
}

/* YYYY-MM-DD, or YYYYMMDD where compact (DecodeNumberField reads eight
 * digits so whatever the DateStyle); a day that exists. */
static bool lit_ymd(const char **p, bool compact)
{
    const char *q = *p;
    int y, m, d;
    if (compact && strspn(q, "0123456789") == 8) {
        y = lit_digits(&q, 4, 4), m = lit_digits(&q, 2, 2), d = lit_digits(&q, 2, 2);
    } else {
        y = lit_digits(&q, 4, 4);
        if (y < 0 || *q++ != '-')
            return false;
        m = lit_digits(&q, 2, 2);
        if (m < 0 || *q++ != '-')
            return false;
        d = lit_digits(&q, 2, 2);
    }
    if (y < 1 || m < 1 || m > 12)
        return false;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int max = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    *p = q;
    return d >= 1 && d <= max;
}

/* H:M[:S[.frac]], fields of one or two digits.  Seconds may be 60 (a leap
 * second rolls over), but the time may not pass 24:00:00: PostgreSQL takes
 * 23:59:60 and 24:00:00, not 23:59:60.5 or 24:00:01. */
static bool lit_hms(const char **p)
{
    int h = lit_digits(p, 1, 2);
    if (h < 0 || **p != ':')
        return false;
    (*p)++;
    int m = lit_digits(p, 1, 2);
    if (m < 0 || m > 59)
        return false;
    int sec = 0;
    bool frac = false;
    if (**p == ':') {
        (*p)++;
        sec = lit_digits(p, 1, 2);
        if (sec < 0 || sec > 60)
            return false;
        if (**p == '.') {
            (*p)++;
            if (!isdigit((unsigned char)**p))
                return false;
            for (; isdigit((unsigned char)**p); (*p)++)
                frac |= **p != '0';
        }
    }
    long day = h * 3600L + m * 60L + sec;
    return day < 86400 || (day == 86400 && !frac);
}

/* HHMMSS after a date (DecodeNumberField), within 23:59:59. */
static bool lit_hhmmss(const char **p)
{
    const char *q = *p;
    if (strspn(q, "0123456789") != 6)
        return false;
    int h = lit_digits(&q, 2, 2), m = lit_digits(&q, 2, 2), sec = lit_digits(&q, 2, 2);
    if (h > 23 || m > 59 || sec > 59)
        return false;
    *p = q;
    return true;
}

/* [spaces](Z | ±HH[[:]MM]), at most 15:59 away from UTC; or nothing. */
static bool lit_zone(const char **p)
{
    const char *q = *p;
    while (*q == ' ')
        q++;
    if (*q == 'Z' || *q == 'z') {
        *p = q + 1;
        return true;
    }
    if (*q != '+' && *q != '-')
        return true; /* no zone */
    *p = q + 1;
    int h = lit_digits(p, 2, 2);
    if (h < 0 || h > 15)
        return false;
    if (**p == ':')
        (*p)++;
    if (isdigit((unsigned char)**p)) {
        int m = lit_digits(p, 2, 2);
        if (m < 0 || m > 59)
            return false;
    } else if ((*p)[-1] == ':') {
        return false;
    }
    return true;
}

static bool lit_word(const char *s, const char *const *words)
{
    s = skip_ws(s);
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    for (; *words; words++)
        if (strlen(*words) == n && strncasecmp(s, *words, n) == 0)
            return true;
    return false;
}

/* date_in, timestamp_in, timestamptz_in, time_in and timetz_in on the
 * forms whose meaning does not depend on DateStyle: an ISO 8601 date, then
 * optionally a time and a zone (a date reads the time and ignores it, as
 * PostgreSQL does); a time, after an optional date and a space. */
bool literal_frozen(const Type *t, const char *lit)
{
    static const char *const words[] = {"now", "today", "tomorrow", "yesterday", NULL};
    return t->cat == TC_DATETIME && lit_word(lit, words);
}

static const char *lit_datetime(const Type *t, const char *s)
{
    static const char *const date_words[] = {"today", "tomorrow", "yesterday", "epoch",
                                             "infinity", "-infinity", "now", NULL};
    static const char *const ts_words[] = {"today", "tomorrow", "yesterday", "epoch",
                                           "infinity", "-infinity", "now", NULL};
    static const char *const time_words[] = {"now", "allballs", NULL};
    const char *p = skip_ws(s);
    if (t->rank >= 10) {
        static const char *const bad = "is not a time (use ISO 8601 'HH:MM[:SS]')";
        if (lit_word(s, time_words))
            return NULL;
        const char *q = p;
        if (lit_ymd(&q, false) && *q == ' ')
            p = q + 1; /* the date is read and ignored ('T' is not taken here) */
        if (!lit_hms(&p) || !lit_zone(&p) || !trailing_ws_only(p))
            return bad;
        return NULL;
    }
    const char *bad = t->rank == 1 ? "is not a date (use ISO 8601 'YYYY-MM-DD')"
                                   : "is not a timestamp (use ISO 8601 'YYYY-MM-DD HH:MM:SS')";
    if (lit_word(s, t->rank == 1 ? date_words : ts_words))
        return NULL;
    if (!lit_ymd(&p, true)) {
        /* ISO-shaped but no such day (2024-02-30) deserves its own words */
        const char *q = skip_ws(s);
        bool iso = strlen(q) >= 10 && q[4] == '-' && q[7] == '-';
        for (int i = 0; iso && i < 10; i++)
            iso = i == 4 || i == 7 || isdigit((unsigned char)q[i]);
        if (iso)
            return "is not a valid date: there is no such month or day";
        return bad;
    }
    if ((*p == ' ' || *p == 'T' || *p == 't') && isdigit((unsigned char)p[1])) {
        p++;
        if (!(lit_hhmmss(&p) || lit_hms(&p)) || !lit_zone(&p))
            return bad;
    }
    return trailing_ws_only(p) ? NULL : bad;
}

/* ---- intervals (interval_in): units ('1 year 2 mons -3 hours'), a time
 * field ('1 day 02:00:00'), a bare number of seconds ('3'), the '@' prefix,
 * 'ago', and ISO 8601 durations ('P1Y2M3DT4H5M6.5S'). */

enum { IV_US, IV_MS, IV_SEC, IV_MIN, IV_HOUR, IV_DAY, IV_WEEK, IV_MON, IV_YEAR,
       IV_DECADE, IV_CENTURY, IV_MILLENNIUM };

/* Digits a number of a unit may have before its point: few enough that no
 * sum of fields overflows the interval's months (int32), days (int32) or
 * microseconds (int64); PostgreSQL's exact limits are larger. */
static int iv_max_digits(int field)
{
    return field >= IV_MON ? 5 : 8;
}

/* [sign](digits[.digits]|.digits), a digit after the sign ('+.5' is not
 * a number to PostgreSQL); *frac if there is a fraction. */
static bool iv_number(const char **pp, int max_digits, bool *frac)
{
    const char *p = *pp;
    if (*p == '+' || *p == '-')
        if (!isdigit((unsigned char)*++p))
            return false;
    int n = 0;
    for (; isdigit((unsigned char)*p); p++)
        if (++n > max_digits)
            return false;
    *frac = false;
    if (*p == '.') {
        p++;
        for (; isdigit((unsigned char)*p); p++, n++)
            *frac |= *p != '0';
    }
    if (n == 0)
        return false;
    *pp = p;
    return true;
}

/* [sign]H:MM[:SS[.frac]], hours of up to 9 digits, ending the word. */
static bool iv_time(const char **pp)
{
    const char *p = *pp;
    if (*p == '+' || *p == '-')
        p++;
    int h = 0;
    while (isdigit((unsigned char)*p))
        if (++h > 9)
            return false;
        else
            p++;
    for (int part = 0; part < 2 && *p == ':'; part++) {
        if (!isdigit((unsigned char)p[1]) || p[1] > '5' || !isdigit((unsigned char)p[2]))
            return false;
        p += 3;
        if (part == 0 && *p != ':')
            break;
    }
    if (h == 0 || p - *pp < h + 3)
        return false;
    if (*p == '.' && p[-3] == ':' && p - *pp > h + 4) {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p && !isspace((unsigned char)*p))
        return false;
    *pp = p;
    return true;
}

/* DecodeISO8601Interval, format with designators: P[nY][nM][nW][nD][T[nH][nM][nS]],
 * in that order, each once; no white space around. */
static bool iv_iso8601(const char *p)
{
    static const struct { char unit; int field; } date[] = {
        {'Y', IV_YEAR}, {'M', IV_MON}, {'W', IV_WEEK}, {'D', IV_DAY}},
        time[] = {{'H', IV_HOUR}, {'M', IV_MIN}, {'S', IV_SEC}};
    size_t next = 0;
    bool any = false, in_time = false;
    for (p++; *p;) {
        if (*p == 'T' && !in_time) {
            in_time = true, next = 0, p++;
            if (!*p)
                return false;
            continue;
        }
        size_t n = in_time ? 3 : 4;
        const char *q = p;
        bool frac;
        if (*p == '+' || !iv_number(&q, 8, &frac)) /* a minus only */
            return false;
        size_t u = next;
        while (u < n && (in_time ? time[u].unit : date[u].unit) != *q)
            u++;
        if (u == n)
            return false;
        /* the months and years are bounded as in the other forms */
        int field = in_time ? time[u].field : date[u].field;
        p = p + (*p == '+' || *p == '-');
        if (strspn(p, "0123456789") > (size_t)iv_max_digits(field))
            return false;
        p = q + 1, next = u + 1, any = true;
    }
    return any;
}

static const char *lit_interval(const char *s)
{
    static const struct { const char *word; int field; } units[] = {
        {"microsecond", IV_US}, {"microseconds", IV_US}, {"us", IV_US},
        {"millisecond", IV_MS}, {"milliseconds", IV_MS}, {"ms", IV_MS},
        {"second", IV_SEC}, {"seconds", IV_SEC}, {"sec", IV_SEC}, {"secs", IV_SEC},
        {"s", IV_SEC},
        {"minute", IV_MIN}, {"minutes", IV_MIN}, {"min", IV_MIN}, {"mins", IV_MIN},
        {"m", IV_MIN},
        {"hour", IV_HOUR}, {"hours", IV_HOUR}, {"hr", IV_HOUR}, {"hrs", IV_HOUR},
        {"h", IV_HOUR},
        {"day", IV_DAY}, {"days", IV_DAY}, {"d", IV_DAY},
        {"week", IV_WEEK}, {"weeks", IV_WEEK}, {"w", IV_WEEK},
        {"month", IV_MON}, {"months", IV_MON}, {"mon", IV_MON}, {"mons", IV_MON},
        {"year", IV_YEAR}, {"years", IV_YEAR}, {"yr", IV_YEAR}, {"yrs", IV_YEAR},
        {"y", IV_YEAR},
        {"decade", IV_DECADE}, {"decades", IV_DECADE}, {"century", IV_CENTURY},
        {"centuries", IV_CENTURY}, {"millennium", IV_MILLENNIUM},
        {"millennia", IV_MILLENNIUM}};
    static const char *const bad =
        "is not an interval (use forms like '3 days', '01:30:00' or 'P3DT1H30M')";
    /* the time field and fractional seconds take all of the seconds */
    const unsigned all_secs = 1u << IV_SEC | 1u << IV_MS | 1u << IV_US;
    if (s[0] == 'P')
        return iv_iso8601(s) ? NULL : bad;
    const char *p = skip_ws(s);
    if (*p == '@')
        p = skip_ws(p + 1);
    const char *q = p;
    bool frac;
    if (p == skip_ws(s) && iv_number(&q, 9, &frac) && trailing_ws_only(q))
        return NULL; /* a number of seconds */
    unsigned seen = 0;
    int n = 0;
    bool first_neg = false, later_unsigned = false;
    while (*p) {
        bool sign = *p == '+' || *p == '-';
        if (n == 0)
            first_neg = *p == '-';
        else if (!sign)
            later_unsigned = true;
        unsigned bits;
        q = p;
        if (iv_time(&q)) {
            bits = 1u << IV_HOUR | 1u << IV_MIN | all_secs;
        } else {
            if (!iv_number(&q, 18, &frac) || (q[-1] == '.' && isalpha((unsigned char)*q)))
                return bad; /* '1.day' is not a number and a unit to PostgreSQL */
            const char *w = skip_ws(q);
            for (q = w; isalpha((unsigned char)*q); q++)
                ;
            if (*q && !isspace((unsigned char)*q))
                return bad; /* '1 day2 hours' */
            int field = -1;
            for (size_t u = 0; u < sizeof units / sizeof units[0] && field < 0; u++)
                if ((size_t)(q - w) == strlen(units[u].word)
                    && strncasecmp(w, units[u].word, (size_t)(q - w)) == 0)
                    field = units[u].field;
            if (field < 0)
                return bad;
            if (strspn(p + sign, "0123456789") > (size_t)iv_max_digits(field))
                return "is too large an interval for rlsc to check (at most 99999 years or "
                       "months, 99999999 of the other units)";
            bits = field == IV_SEC && frac ? all_secs : 1u << field;
        }
        if (seen & bits)
            return "is not an interval (a unit is given twice)";
        seen |= bits, n++;
        p = skip_ws(q);
        if (strncasecmp(p, "ago", 3) == 0 && trailing_ws_only(p + 3))
            break;
    }
    if (n == 0)
        return bad;
    /* IntervalStyle sql_standard applies a leading minus to every field
     * without a sign of its own: '-1 day 2 hours' is -1 day -2 hours there,
     * -1 day +2 hours elsewhere. */
    if (first_neg && later_unsigned)
        return "is an interval whose meaning depends on IntervalStyle (a leading minus "
               "applies to the other fields in sql_standard); give every field its sign";
    return NULL;
}

/* ---- JSON (RFC 8259), as json_in/jsonb_in accept it */

static bool json_value(const char **p, int depth, bool jsonb);

static void json_ws(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
        (*p)++;
}

static int json_hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static bool json_string(const char **p, bool jsonb)
{
    (*p)++;
    bool want_low = false; /* jsonb: a high surrogate needs a low one next */
    while (**p && **p != '"') {
        unsigned char c = (unsigned char)**p;
        if (c < 0x20)
            return false;
        if (c == '\\' && (*p)[1] == 'u') {
            (*p)++;
            for (int i = 1; i <= 4; i++)
                if (!isxdigit((unsigned char)(*p)[i]))
                    return false;
            int cp = json_hex4(*p + 1);
            if (cp == 0)
                return false; /* jsonb rejects \u0000; so do we, for json too */
            if (jsonb) {
                bool high = cp >= 0xD800 && cp <= 0xDBFF, low = cp >= 0xDC00 && cp <= 0xDFFF;
                if (want_low != low || (want_low && high))
                    return false;
                want_low = high;
            }
            *p += 4;
        } else if (want_low) {
            return false;
        } else if (c == '\\') {
            (*p)++;
            if (!**p || !strchr("\"\\/bfnrt", **p))
                return false;
        }
        (*p)++;
    }
    if (**p != '"' || want_low)
        return false;
    (*p)++;
    return true;
}

static bool json_number(const char **p)
{
    if (**p == '-')
        (*p)++;
    if (**p == '0')
        (*p)++;
    else if (isdigit((unsigned char)**p))
        while (isdigit((unsigned char)**p))
            (*p)++;
    else
        return false;
    if (**p == '.') {
        (*p)++;
        if (!isdigit((unsigned char)**p))
            return false;
        while (isdigit((unsigned char)**p))
            (*p)++;
    }
    if (**p == 'e' || **p == 'E') {
        (*p)++;
        if (**p == '+' || **p == '-')
            (*p)++;
        if (!isdigit((unsigned char)**p))
            return false;
        while (isdigit((unsigned char)**p))
            (*p)++;
    }
    return true;
}

static bool json_value(const char **p, int depth, bool jsonb)
{
    if (depth > 100)
        return false;
    json_ws(p);
    switch (**p) {
    case '"':
        return json_string(p, jsonb);
    case '{':
        (*p)++;
        json_ws(p);
        if (**p == '}') {
            (*p)++;
            return true;
        }
        for (;;) {
            json_ws(p);
            if (**p != '"' || !json_string(p, jsonb))
                return false;
            json_ws(p);
            if (**p != ':')
                return false;
            (*p)++;
            if (!json_value(p, depth + 1, jsonb))
                return false;
            json_ws(p);
            if (**p == '}') {
                (*p)++;
                return true;
            }
            if (**p != ',')
                return false;
            (*p)++;
        }
    case '[':
        (*p)++;
        json_ws(p);
        if (**p == ']') {
            (*p)++;
            return true;
        }
        for (;;) {
            if (!json_value(p, depth + 1, jsonb))
                return false;
            json_ws(p);
            if (**p == ']') {
                (*p)++;
                return true;
            }
            if (**p != ',')
                return false;
            (*p)++;
        }
    case 't':
        return strncmp(*p, "true", 4) == 0 && (*p += 4);
    case 'f':
        return strncmp(*p, "false", 5) == 0 && (*p += 5);
    case 'n':
        return strncmp(*p, "null", 4) == 0 && (*p += 4);
    default: {
        const char *start = *p;
        if (!json_number(p))
            return false;
        /* jsonb stores numbers as numeric, with numeric's range */
        return !jsonb || literal_numeric_in_range(start);
    }
    }
}

static bool lit_json(const char *s, bool jsonb)
{
    const char *p = s;
    if (!json_value(&p, 0, jsonb))
        return false;
    json_ws(&p);
    return *p == '\0';
}

static bool lit_bytea(const char *s)
{
    if (s[0] == '\\' && s[1] == 'x') {
        const char *p = s + 2;
        while (*p) {
            if (isspace((unsigned char)*p)) {
                p++;
                continue;
            }
            if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]))
                return false;
            p += 2;
        }
        return true;
    }
    for (const char *p = s; *p; p++) {
        if (*p != '\\')
            continue;
        if (p[1] == '\\')
            p++;
        else if (p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0'
                 && p[3] <= '7')
            p += 3;
        else
            return false;
    }
    return true;
}

/* ---- inet and cidr (network_in): PostgreSQL's own address parser, not
 * the C library's, because it differs: IPv4 octets may have leading zeros,
 * inet takes '10/8', cidr takes abbreviated classful networks ('10.1' is
 * 10.1.0.0/16) and hex ('0x0a'), IPv6 prefix lengths have no leading
 * zeros. */

/* getbits: decimal digits without a leading zero, at most max; the end
 * of the number, or NULL. */
static const char *net_nolead(const char *p, int max, int *out)
{
    int v = 0, n = 0;
    for (; isdigit((unsigned char)*p); p++, n++) {
        if (n > 0 && v == 0)
            return NULL;
        v = v * 10 + (*p - '0');
        if (v > max)
            return NULL;
    }
    if (n == 0)
        return NULL;
    *out = v;
    return p;
}

/* getv4: dotted decimal inside an IPv6 address, from the start of its
 * token: up to 4 octets (an empty one before '.' or '/' is 0), then an
 * optional /bits. */
static bool net_v6_tail_v4(const char *p, unsigned char *dst, int *bits)
{
    int n = 0, digits = 0, v = 0;
    for (;; p++) {
        if (isdigit((unsigned char)*p)) {
            if (digits++ && v == 0)
                return false; /* no leading zeros */
            if ((v = v * 10 + (*p - '0')) > 255)
                return false;
        } else if (*p == '.' || *p == '/') {
            if (n > 3)
                return false;
            dst[n++] = (unsigned char)v;
            if (*p == '/') {
                const char *e = net_nolead(p + 1, 128, bits);
                return e && *e == '\0';
            }
            v = 0, digits = 0;
        } else if (*p == '\0') {
            if (!digits || n > 3)
                return false;
            dst[n] = (unsigned char)v;
            return true;
        } else {
            return false;
        }
    }
}

/* inet_cidr_pton_ipv6: the same for inet and cidr. */
static bool net_v6(const char *p, unsigned char addr[16], int *bits)
{
    int tp = 0, colon = -1, digits = 0;
    unsigned val = 0;
    const char *tok;
    *bits = -1;
    memset(addr, 0, 16);
    if (*p == ':' && *++p != ':')
        return false;
    tok = p;
    for (char ch; (ch = *p++) != '\0';) {
        if (isxdigit((unsigned char)ch)) {
            val = val << 4 | (unsigned)(isdigit((unsigned char)ch) ? ch - '0'
                                                                   : (ch | 0x20) - 'a' + 10);
            if (++digits > 4)
                return false;
            continue;
        }
        if (ch == ':') {
            tok = p;
            if (!digits) {
                if (colon >= 0)
                    return false;
                colon = tp;
                continue;
            }
            if (*p == '\0' || tp + 2 > 16)
                return false;
            addr[tp++] = (unsigned char)(val >> 8), addr[tp++] = (unsigned char)val;
            digits = 0, val = 0;
            continue;
        }
        if (ch == '.' && tp + 4 <= 16 && net_v6_tail_v4(tok, addr + tp, bits)) {
            tp += 4, digits = 0;
            break;
        }
        if (ch == '/') {
            const char *e = net_nolead(p, 128, bits);
            if (e && *e == '\0')
                break;
        }
        return false;
    }
    if (digits) {
        if (tp + 2 > 16)
            return false;
        addr[tp++] = (unsigned char)(val >> 8), addr[tp++] = (unsigned char)val;
    }
    if (*bits < 0)
        *bits = 128;
    if (colon >= 0) {
        if (tp == 16)
            return false;
        int n = tp - colon;
        memmove(addr + 16 - n, addr + colon, (size_t)n);
        memset(addr + colon, 0, (size_t)(16 - n - colon));
        tp = 16;
    }
    return tp == 16;
}

/* Decimal /bits of an IPv4 address: leading zeros allowed, nothing after;
 * at most 32. */
static bool net_v4_bits(const char *p, int *bits)
{
    int v = 0;
    if (!isdigit((unsigned char)*p))
        return false;
    for (; isdigit((unsigned char)*p); p++)
        if ((v = v * 10 + (*p - '0')) > 1000)
            return false;
    *bits = v;
    return *p == '\0' && v <= 32;
}

/* inet_net_pton_ipv4: 1 to 4 decimal octets, a trailing '.' allowed,
 * /bits; all four octets without /bits; bits/8 octets at least. */
static bool net_v4_inet(const char *p, unsigned char addr[4], int *bits)
{
    int n = 0;
    memset(addr, 0, 4);
    *bits = -1;
    while (isdigit((unsigned char)*p)) {
        int v = 0;
        for (; isdigit((unsigned char)*p); p++)
            if ((v = v * 10 + (*p - '0')) > 255)
                return false;
        if (n == 4)
            return false;
        addr[n++] = (unsigned char)v;
        if (*p == '\0' || *p == '/')
            break;
        if (*p++ != '.')
            return false;
    }
    if (*p == '/' && n > 0 && !net_v4_bits(p + 1, bits))
        return false;
    if (*p != '\0' && *p != '/')
        return false;
    if (*bits < 0) {
        if (n != 4)
            return false;
        *bits = 32;
    }
    return n > 0 && *bits / 8 <= n;
}

/* inet_cidr_pton_ipv4: hex ('0x0a0b'), or 1 to 4 decimal octets; without
 * /bits the mask is the address class's, widened to the octets given. */
static bool net_v4_cidr(const char *p, unsigned char addr[4], int *bits)
{
    int n = 0;
    memset(addr, 0, 4);
    *bits = -1;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
        int nyb = 0;
        for (p += 2; isxdigit((unsigned char)*p); p++, nyb++) {
            if (nyb / 2 >= 4)
                return false;
            int d = isdigit((unsigned char)*p) ? *p - '0' : (*p | 0x20) - 'a' + 10;
            addr[nyb / 2] = (unsigned char)(addr[nyb / 2] | d << (nyb % 2 ? 0 : 4));
        }
        n = (nyb + 1) / 2;
    } else if (isdigit((unsigned char)*p)) {
        for (;;) {
            int v = 0;
            for (; isdigit((unsigned char)*p); p++)
                if ((v = v * 10 + (*p - '0')) > 255)
                    return false;
            if (n == 4)
                return false;
            addr[n++] = (unsigned char)v;
            if (*p == '\0' || *p == '/')
                break;
            if (*p++ != '.' || !isdigit((unsigned char)*p))
                return false;
        }
    } else {
        return false;
    }
    if (*p == '/') {
        if (!net_v4_bits(p + 1, bits))
            return false;
    } else if (*p != '\0') {
        return false;
    }
    if (*bits < 0) {
        int a = addr[0];
        *bits = a >= 240 ? 32 : a >= 224 ? 8 : a >= 192 ? 24 : a >= 128 ? 16 : 8;
        if (*bits < n * 8)
            *bits = n * 8;
        if (*bits == 8 && a == 224)
            *bits = 4;
    }
    return true;
}

/* network_in: IPv6 if there is a colon anywhere; cidr: no bits set right
 * of the mask. */
static bool lit_network(const char *s, bool cidr)
{
    unsigned char addr[16];
    int bits, len;
    bool ok;
    if (strchr(s, ':')) {
        ok = net_v6(s, addr, &bits), len = 16;
    } else {
        ok = cidr ? net_v4_cidr(s, addr, &bits) : net_v4_inet(s, addr, &bits);
        len = 4;
    }
    if (!ok || !cidr)
        return ok;
    for (int i = 0; i < len; i++) {
        int keep = bits - i * 8; /* bits of this byte inside the mask */
        unsigned char host = (unsigned char)(keep >= 8 ? 0 : keep <= 0 ? 0xff : 0xff >> keep);
        if (addr[i] & host)
            return false;
    }
    return true;
}

/* ---- arrays (array_in): '{...}' nested up to 6 levels, every sub-array
 * of a level as long as the others, after optional bounds '[1:2][0:1]='
 * that must match the braces. */

enum { ARR_MAXDIM = 6 };

typedef struct ArrShape {
    int ndim;              /* levels of braces; 0 until the first element */
    int dim[ARR_MAXDIM];   /* elements per level, -1 until a level closes */
} ArrShape;

/* One element, quoted or not; NULL if it is valid input for elem. */
static const char *arr_element(Arena *a, const Type *elem, const char **pp)
{
    const char *p = *pp;
    StrBuf el;
    sb_init(&el, a);
    bool quoted = false;
    if (*p == '"') {
        quoted = true;
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1])
                p++;
            sb_putc(&el, *p);
        }
        if (*p++ != '"')
            return "is not an array literal (unterminated quotes)";
    } else {
        while (*p && *p != ',' && *p != '}') {
            if (*p == '\\' || *p == '"' || *p == '{')
                return "is not an array literal rlsc can check (quote elements with \")";
            sb_putc(&el, *p++);
        }
        while (el.len && isspace((unsigned char)el.data[el.len - 1]))
            el.data[--el.len] = '\0';
        if (el.len == 0)
            return "is not an array literal (empty element)";
    }
    *pp = p;
    if (quoted || strcasecmp(sb_str(&el), "null") != 0) {
        const char *why = literal_error(a, elem, sb_str(&el));
        if (why)
            return arena_printf(a, "has an element that %s", why);
    }
    return NULL;
}

/* The braces at *pp (on its '{'), at nesting level depth. */
static const char *arr_level(Arena *a, const Type *elem, const char **pp, int depth,
                             ArrShape *sh)
{
    static const char *const ragged =
        "is not an array literal: its sub-arrays must have matching dimensions";
    if (depth == ARR_MAXDIM)
        return "has more than 6 dimensions, the most an array may have";
    const char *p = skip_ws(*pp + 1);
    if (*p == '}') {
        /* '{}' is the empty array, but not inside another */
        if (depth > 0)
            return ragged;
        *pp = p + 1;
        return NULL;
    }
    bool sub = *p == '{';
    if (sh->ndim == 0)
        sh->ndim = sub ? 0 : depth + 1; /* set where the first element is */
    else if (sub != (depth + 1 < sh->ndim))
        return ragged;
    int n = 0;
    for (;;) {
        p = skip_ws(p);
        if ((*p == '{') != sub)
            return ragged;
        const char *why = sub ? arr_level(a, elem, &p, depth + 1, sh) : arr_element(a, elem, &p);
        if (why)
            return why;
        n++;
        p = skip_ws(p);
        if (*p == '}')
            break;
        if (*p++ != ',')
            return "is not an array literal";
    }
    if (sh->dim[depth] >= 0 && sh->dim[depth] != n)
        return ragged;
    sh->dim[depth] = n;
    *pp = p + 1;
    return NULL;
}

/* A bound of '[lb:ub]': a sign and at most 9 digits, so that lb + length
 * cannot overflow (PostgreSQL's atoi takes more; its limit is int4). */
static bool arr_bound(const char **pp, long *v)
{
    const char *p = *pp;
    bool neg = *p == '-';
    if (*p == '+' || *p == '-')
        p++;
    int n = 0;
    for (*v = 0; isdigit((unsigned char)*p) && n < 9; p++, n++)
        *v = *v * 10 + (*p - '0');
    if (n == 0 || isdigit((unsigned char)*p))
        return false;
    if (neg)
        *v = -*v;
    *pp = p;
    return true;
}

static const char *lit_array(Arena *a, const Type *elem, const char *s)
{
    static const char *const bad_bounds =
        "is not an array literal (bounds are written '[1:2]={...}')";
    const char *p = skip_ws(s);
    int nb = 0, bdim[ARR_MAXDIM];
    while (*p == '[') {
        if (nb == ARR_MAXDIM)
            return "has more than 6 dimensions, the most an array may have";
        long lb = 1, ub;
        p++;
        if (!arr_bound(&p, &ub))
            return bad_bounds;
        if (*p == ':') {
            p++;
            lb = ub;
            if (!arr_bound(&p, &ub))
                return bad_bounds;
        }
        if (*p++ != ']')
            return bad_bounds;
        if (ub < lb)
            return "is not an array literal: an upper bound is less than its lower bound";
        bdim[nb++] = (int)(ub - lb + 1);
        p = skip_ws(p);
    }
    if (nb > 0) {
        if (*p++ != '=')
            return bad_bounds;
        p = skip_ws(p);
    }
    if (*p != '{')
        return "is not an array literal (write '{...}')";
    ArrShape sh = {0, {-1, -1, -1, -1, -1, -1}};
    const char *why = arr_level(a, elem, &p, 0, &sh);
    if (why)
        return why;
    if (!trailing_ws_only(p))
        return "is not an array literal";
    if (nb > 0) {
        bool same = nb == sh.ndim;
        for (int i = 0; same && i < nb; i++)
            same = bdim[i] == sh.dim[i];
        if (!same)
            return "is not an array literal: its bounds do not match its elements";
    }
    return NULL;
}

const char *literal_error(Arena *a, const Type *t, const char *lit)
{
    switch (t->cat) {
    case TC_ANY:
    case TC_UNKNOWN:
    case TC_NULL:
    case TC_STRING:
        return NULL;
    case TC_BOOL:
        return lit_bool(lit) ? NULL : "is not a boolean";
    case TC_NUMERIC:
        return lit_number(t, lit);
    case TC_DATETIME:
        return lit_datetime(t, lit);
    case TC_TIMESPAN:
        return lit_interval(lit);
    case TC_UUID:
        return lit_uuid(lit) ? NULL : "is not a uuid";
    case TC_JSON:
    case TC_JSONB:
        return lit_json(lit, t->cat == TC_JSONB) ? NULL : "is not valid JSON";
    case TC_BYTEA:
        return lit_bytea(lit) ? NULL : "is not a bytea literal";
    case TC_NETWORK:
        if (t->rank != 2)
            return lit_network(lit, false) ? NULL : "is not an IP address";
        if (!lit_network(lit, true))
            return lit_network(lit, false)
                       ? "is not a cidr value: it has bits set right of its mask"
                       : "is not a cidr value";
        /* A literal meeting a cidr through an operator is read as inet
         * (cidr has only inet's operators); elsewhere (casts, CASE, arrays)
         * as cidr.  Valid for both, it is valid wherever it stands. */
        return lit_network(lit, false)
                   ? NULL
                   : "is an abbreviated cidr value, which PostgreSQL reads as inet where "
                     "it meets an operator; write the network in full (as '10.1.0.0/16')";
    case TC_ARRAY:
        return lit_array(a, t->elem, lit);
    case TC_OTHER:
        return arena_printf(a, "cannot be checked: %s is a user-defined type whose "
                               "values rlsc does not know (deliberately stricter)",
                            t->name);
    }
    return NULL;
}
