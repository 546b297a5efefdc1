/* scenario_value.c: one scenario value, parsed and checked against its
 * schema key: integers, reals, money (yuan text to int64 fen, never through
 * a double), booleans, dates, choices, fen lists and ranges, with the
 * message a planner reads when a value is wrong; and the nearest valid name
 * for a misspelt key or section (edit distance).
 *
 * Cost: O(length of the value); a suggestion O(names x length^2).
 */
#include "sim/scenario.h"
#include "sim/scenario_int.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/calendar.h"
#include "sim/table.h"

/* ---- small helpers ---- */

char *scn_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

void scn_lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

char *scn_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

size_t scn_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return la > lb ? la : lb;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Writes " (did you mean 'x'?)" into out when a close name exists. */
void scn_suggest(const char *given, const char *const *names, size_t n, char *out, size_t out_len)
{
    out[0] = '\0';
    size_t best = SIZE_MAX;
    const char *best_name = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t d = scn_edit_distance(given, names[i]);
        if (d < best) {
            best = d;
            best_name = names[i];
        }
    }
    size_t len = strlen(given);
    size_t allowed = len < 6 ? 2 : len / 3 + 1;
    if (best_name && best <= allowed)
        snprintf(out, out_len, " (did you mean '%s'?)", best_name);
}

const scn_section *scn_section_def(const scn_schema *schema, const char *name)
{
    for (size_t i = 0; i < schema->n_sections; i++)
        if (strcmp(schema->sections[i].name, name) == 0)
            return &schema->sections[i];
    return NULL;
}

int scn_key_index(const scn_section *def, const char *key)
{
    for (size_t i = 0; i < def->n_keys; i++)
        if (strcmp(def->keys[i].key, key) == 0)
            return (int)i;
    return -1;
}

const char *scn_type_expectation(const scn_key *k)
{
    switch (k->type) {
    case SCN_INT: return "a whole number";
    case SCN_REAL: return "a number";
    case SCN_MONEY: return "an amount in yuan with at most 2 decimals, like 200 or 0.01";
    case SCN_BOOL: return "true or false";
    case SCN_DATE: return "a date YYYY-MM-DD";
    case SCN_STRING: return "text";
    case SCN_CHOICE: return "one of the listed words";
    case SCN_LIST: return "a comma-separated list";
    }
    return "a value";
}

/* Parses yuan text into fen exactly (no floating point). */
bool scn_parse_money(const char *s, int64_t *fen_out)
{
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (!isdigit((unsigned char)*p))
        return false;
    int64_t whole = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole > (INT64_MAX / 100 - 9) / 10)
            return false;
        whole = whole * 10 + (*p - '0');
    }
    int64_t frac = 0;
    if (*p == '.') {
        p++;
        int digits = 0;
        for (; isdigit((unsigned char)*p); p++, digits++) {
            if (digits >= 2)
                return false;
            frac = frac * 10 + (*p - '0');
        }
        if (digits == 0)
            return false;
        if (digits == 1)
            frac *= 10;
    }
    if (*p != '\0')
        return false;
    int64_t fen = whole * 100 + frac;
    *fen_out = neg ? -fen : fen;
    return true;
}

/* A list of amounts (a SCN_LIST in yuan, like envelope_yuan = 88,100,128):
 * each word, split at commas and spaces as scn_fen_list splits it, is money
 * exactly as a SCN_MONEY value is (so 200.005 is refused, never rounded);
 * the model checks how many and their range. */
static bool check_money_list(const scn_key *k, const char *text, const char *where, const char *section_label,
                             err_list *errs)
{
    char buf[SCN_LINE_MAX + 1];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int64_t fen;
        if (!scn_parse_money(t, &fen)) {
            err_add(errs, "%s: '%s' in [%s] has '%s': expected amounts in yuan with at most 2 decimals, like 200 or 0.01 "
                    "(a list: \"88,100,128\")", where, k->key, section_label, t);
            return false;
        }
    }
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool choice_ok(const char *choices, const char *s)
{
    size_t n = strlen(s);
    const char *p = choices;
    while (p && *p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, s, n) == 0)
            return true;
        p = bar ? bar + 1 : NULL;
    }
    return false;
}

void scn_format_bound(const scn_key *k, double v, char *out, size_t len)
{
    if (k->type == SCN_REAL)
        snprintf(out, len, "%g", v);
    else if (k->type == SCN_MONEY && v != floor(v))
        snprintf(out, len, "%.2f", v); /* 0.01 yuan, not "0" */
    else
        snprintf(out, len, "%.0f", v);
}

/* A schema bound as an exact integer: comparing in double would let values
 * within 2^-53 of a large bound through (1e17 + 1 fen rounds to 1e17). */
static int64_t bound_i64(double b)
{
    if (b >= 9223372036854775807.0)
        return INT64_MAX;
    if (b <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)llround(b);
}

/* Parses text for key k into v. On failure adds one message located at where. */
bool scn_parse_value(const scn_key *k, const char *text, scn_value *v, const char *where,
                     const char *section_label, err_list *errs)
{
    char lo[32], hi[32];
    scn_format_bound(k, k->min, lo, sizeof lo);
    scn_format_bound(k, k->max, hi, sizeof hi);
    errno = 0;
    switch (k->type) {
    case SCN_INT: {
        char *end = NULL;
        long long x = strtoll(text, &end, 10);
        if (!*text || *end || errno == ERANGE) {
            err_add(errs, "%s: '%s' in [%s] is '%s': expected %s in %s..%s%s%s", where, k->key, section_label, text,
                    scn_type_expectation(k), lo, hi, k->unit[0] ? " " : "", k->unit);
            return false;
        }
        if (x < bound_i64(k->min) || x > bound_i64(k->max)) {
            err_add(errs, "%s: '%s' in [%s] is %lld: expected %s..%s%s%s", where, k->key, section_label, x, lo, hi,
                    k->unit[0] ? " " : "", k->unit);
            return false;
        }
        v->i = x;
        return true;
    }
    case SCN_REAL: {
        char *end = NULL;
        double x = strtod(text, &end);
        if (!tab_decimal(text) || *end || errno == ERANGE || !isfinite(x)) {
            err_add(errs, "%s: '%s' in [%s] is '%s': expected %s in %s..%s%s%s", where, k->key, section_label, text,
                    scn_type_expectation(k), lo, hi, k->unit[0] ? " " : "", k->unit);
            return false;
        }
        if (x < k->min || x > k->max) {
            err_add(errs, "%s: '%s' in [%s] is %g: expected %s..%s%s%s", where, k->key, section_label, x, lo, hi,
                    k->unit[0] ? " " : "", k->unit);
            return false;
        }
        v->r = x;
        return true;
    }
    case SCN_MONEY: {
        int64_t fen;
        if (!scn_parse_money(text, &fen)) {
            err_add(errs, "%s: '%s' in [%s] is '%s': expected %s (at most %s yuan)", where, k->key, section_label,
                    text, scn_type_expectation(k), hi);
            return false;
        }
        if (fen < bound_i64(k->min * 100.0) || fen > bound_i64(k->max * 100.0)) {
            err_add(errs, "%s: '%s' in [%s] is %s yuan: expected %s..%s yuan", where, k->key, section_label, text, lo,
                    hi);
            return false;
        }
        v->i = fen;
        return true;
    }
    case SCN_BOOL: {
        bool b;
        if (!parse_bool(text, &b)) {
            err_add(errs, "%s: '%s' in [%s] is '%s': expected true or false", where, k->key, section_label, text);
            return false;
        }
        v->i = b;
        return true;
    }
    case SCN_DATE: {
        int32_t day;
        if (!cal_parse_date(text, &day)) {
            err_add(errs, "%s: '%s' in [%s] is '%s': expected a real date YYYY-MM-DD", where, k->key, section_label,
                    text);
            return false;
        }
        if (k->max > k->min) {
            char a[CAL_DATE_LEN], b[CAL_DATE_LEN];
            if (day < (int32_t)k->min || day > (int32_t)k->max) {
                cal_format((int32_t)k->min, a);
                cal_format((int32_t)k->max, b);
                err_add(errs, "%s: '%s' in [%s] is %s: expected a date from %s to %s", where, k->key, section_label,
                        text, a, b);
                return false;
            }
        }
        v->i = day;
        return true;
    }
    case SCN_CHOICE:
        if (!choice_ok(k->choices, text)) {
            err_add(errs, "%s: '%s' in [%s] is '%s': expected one of %s", where, k->key, section_label, text,
                    k->choices);
            return false;
        }
        return true;
    case SCN_STRING:
    case SCN_LIST:
        if (strlen(text) > SCN_LINE_MAX) {
            err_add(errs, "%s: '%s' in [%s] is too long: expected at most %d characters", where, k->key,
                    section_label, SCN_LINE_MAX);
            return false;
        }
        return strcmp(k->unit, "yuan") != 0 || check_money_list(k, text, where, section_label, errs);
    }
    return false;
}

