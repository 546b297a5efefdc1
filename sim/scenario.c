/* scenario.c: loads a scenario INI under a schema; see scenario.h.
 *
 * One pass over the file (scan_file) reads every section header and
 * "key = value" line with its line number, with iniparser 4.1's rules for
 * values (quotes, ; and # comments), and refuses what iniparser silently
 * accepts (duplicate keys, keys before any section, text that is not UTF-8,
 * a line continued with '\', a quote not closed). Entries are indexed by a
 * hash of (section, key): no step is quadratic in the number of sections.
 * Values are parsed and checked here, once, at load; the simulation only
 * reads parsed values. Cost: O(file size + keys x schema keys), all at load
 * time (10,000 sections: a few milliseconds; bench/bench_loader.sh).
 */
#include "sim/scenario.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim/calendar.h"
#include "sim/table.h"

#define SCN_LINE_MAX 1000

typedef struct {
    int64_t i;  /* INT, MONEY (fen), BOOL, DATE (day number) */
    double r;   /* REAL */
    char *text; /* the text as given, or the default */
    int line;
    bool set;
} scn_value;

struct scn_instance {
    const scn_section *def;
    const scn_doc *doc;
    char *name;
    int line;
    scn_value *v;
};

typedef struct {
    char *section; /* lower-cased, trimmed */
    char *key;     /* lower-cased; NULL for a section header */
    char *value;   /* quotes and comments removed; NULL for a section header */
    int line;
} scan_entry;

struct scn_doc {
    const scn_schema *schema;
    char *path;
    uint64_t hash;
    scn_instance **inst;
    size_t n, cap;
    scan_entry *scan;
    size_t n_scan;
    size_t *slot; /* open-addressing index of scan: entry + 1, 0 = empty */
    size_t n_slots;
    /* instances of each schema section, in file order (scn_count, scn_nth) */
    scn_instance ***by_section;
    size_t *n_by_section;
};

/* ---- small helpers ---- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static char *trim(char *s)
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
static void suggest(const char *given, const char *const *names, size_t n, char *out, size_t out_len)
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

static const scn_section *find_section_def(const scn_schema *schema, const char *name)
{
    for (size_t i = 0; i < schema->n_sections; i++)
        if (strcmp(schema->sections[i].name, name) == 0)
            return &schema->sections[i];
    return NULL;
}

static int find_key_index(const scn_section *def, const char *key)
{
    for (size_t i = 0; i < def->n_keys; i++)
        if (strcmp(def->keys[i].key, key) == 0)
            return (int)i;
    return -1;
}

static const char *type_expectation(const scn_key *k)
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
static bool parse_money(const char *s, int64_t *fen_out)
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
        if (!parse_money(t, &fen)) {
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

static void format_bound(const scn_key *k, double v, char *out, size_t len)
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
static bool parse_value(const scn_key *k, const char *text, scn_value *v, const char *where,
                        const char *section_label, err_list *errs)
{
    char lo[32], hi[32];
    format_bound(k, k->min, lo, sizeof lo);
    format_bound(k, k->max, hi, sizeof hi);
    errno = 0;
    switch (k->type) {
    case SCN_INT: {
        char *end = NULL;
        long long x = strtoll(text, &end, 10);
        if (!*text || *end || errno == ERANGE) {
            err_add(errs, "%s: '%s' in [%s] is '%s': expected %s in %s..%s%s%s", where, k->key, section_label, text,
                    type_expectation(k), lo, hi, k->unit[0] ? " " : "", k->unit);
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
                    type_expectation(k), lo, hi, k->unit[0] ? " " : "", k->unit);
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
        if (!parse_money(text, &fen)) {
            err_add(errs, "%s: '%s' in [%s] is '%s': expected %s (at most %s yuan)", where, k->key, section_label,
                    text, type_expectation(k), hi);
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

/* ---- the document ---- */

static scn_instance *instance_new(scn_doc *doc, const scn_section *def, const char *name, int line)
{
    if (doc->n == doc->cap) {
        size_t cap = doc->cap ? doc->cap * 2 : 16;
        scn_instance **grown = realloc(doc->inst, cap * sizeof *grown);
        if (!grown)
            return NULL;
        doc->inst = grown;
        doc->cap = cap;
    }
    scn_instance *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->def = def;
    in->doc = doc;
    in->line = line;
    in->name = dup_str(name);
    in->v = calloc(def->n_keys ? def->n_keys : 1, sizeof *in->v);
    if (!in->name || !in->v) {
        free(in->name);
        free(in->v);
        free(in);
        return NULL;
    }
    doc->inst[doc->n++] = in;
    return in;
}

static scn_instance *find_instance(const scn_doc *doc, const scn_section *def, const char *name)
{
    for (size_t i = 0; i < doc->n; i++)
        if (doc->inst[i]->def == def && strcmp(doc->inst[i]->name, name) == 0)
            return doc->inst[i];
    return NULL;
}

void scn_free(scn_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n; i++) {
        scn_instance *in = doc->inst[i];
        for (size_t k = 0; k < in->def->n_keys; k++)
            free(in->v[k].text);
        free(in->v);
        free(in->name);
        free(in);
    }
    for (size_t i = 0; i < doc->n_scan; i++) {
        free(doc->scan[i].section);
        free(doc->scan[i].key);
        free(doc->scan[i].value);
    }
    free(doc->scan);
    free(doc->slot);
    if (doc->by_section)
        for (size_t i = 0; i < doc->schema->n_sections; i++)
            free(doc->by_section[i]);
    free(doc->by_section);
    free(doc->n_by_section);
    free(doc->inst);
    free(doc->path);
    free(doc);
}

/* The entries of the file (section headers and keys) are indexed by a hash
 * of (section, key) so that duplicate checks and line look-ups cost O(1):
 * 10,000 sections load in milliseconds, not minutes. */
static uint64_t entry_hash(const char *section, const char *key)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char *c = section; *c; c++)
        h = (h ^ (unsigned char)*c) * 0x100000001b3ull;
    h = (h ^ 0xffu) * 0x100000001b3ull; /* separator: no key is "" */
    for (const char *c = key ? key : ""; *c; c++)
        h = (h ^ (unsigned char)*c) * 0x100000001b3ull;
    return h;
}

static size_t scan_find(const scn_doc *doc, const char *section, const char *key)
{
    if (!doc->n_slots)
        return SIZE_MAX;
    size_t mask = doc->n_slots - 1;
    for (size_t s = (size_t)entry_hash(section, key) & mask;; s = (s + 1) & mask) {
        size_t i = doc->slot[s];
        if (i == 0)
            return SIZE_MAX;
        const scan_entry *e = &doc->scan[i - 1];
        if (strcmp(e->section, section) == 0 && (key ? e->key && strcmp(e->key, key) == 0 : !e->key))
            return i - 1;
    }
}

static int scan_line_of(const scn_doc *doc, const char *section, const char *key)
{
    size_t i = scan_find(doc, section, key);
    return i == SIZE_MAX ? 0 : doc->scan[i].line;
}

static bool index_grow(scn_doc *doc)
{
    size_t n = doc->n_slots ? doc->n_slots * 2 : 256;
    size_t *slot = calloc(n, sizeof *slot);
    if (!slot)
        return false;
    for (size_t i = 0; i < doc->n_scan; i++) {
        const scan_entry *e = &doc->scan[i];
        size_t s = (size_t)entry_hash(e->section, e->key) & (n - 1);
        while (slot[s])
            s = (s + 1) & (n - 1);
        slot[s] = i + 1;
    }
    free(doc->slot);
    doc->slot = slot;
    doc->n_slots = n;
    return true;
}

static bool scan_add(scn_doc *doc, size_t *cap, const char *section, const char *key, const char *value, int line)
{
    if (doc->n_scan == *cap) {
        size_t grown = *cap ? *cap * 2 : 64;
        scan_entry *s = realloc(doc->scan, grown * sizeof *s);
        if (!s)
            return false;
        doc->scan = s;
        *cap = grown;
    }
    if ((doc->n_scan + 1) * 2 > doc->n_slots && !index_grow(doc))
        return false;
    scan_entry *e = &doc->scan[doc->n_scan];
    e->section = dup_str(section);
    e->key = key ? dup_str(key) : NULL;
    e->value = value ? dup_str(value) : NULL;
    e->line = line;
    if (!e->section || (key && !e->key) || (value && !e->value)) {
        free(e->section);
        free(e->key);
        free(e->value);
        return false;
    }
    size_t mask = doc->n_slots - 1;
    size_t s = (size_t)entry_hash(section, key) & mask;
    while (doc->slot[s])
        s = (s + 1) & mask;
    doc->slot[s] = ++doc->n_scan;
    return true;
}

/* Checks the bytes are UTF-8 text: no NUL, no invalid sequences. Reports the line. */
static bool check_text(const char *path, const unsigned char *buf, size_t n, err_list *errs)
{
    /* A byte-order mark is refused, not skipped: iniparser reads the file
     * itself and would take the mark as part of the first line. */
    if (n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) {
        err_add(errs, "%s:1: the file starts with a UTF-8 byte-order mark (BOM): save it as UTF-8 without BOM", path);
        return false;
    }
    int line = 1;
    for (size_t i = 0; i < n;) {
        unsigned char c = buf[i];
        if (c == '\n') {
            line++;
            i++;
            continue;
        }
        if (c == 0 || (c < 0x20 && c != '\t' && c != '\r')) {
            err_add(errs, "%s:%d: not a text file (control byte 0x%02x): expected an INI scenario in UTF-8", path,
                    line, c);
            return false;
        }
        if (c < 0x80) {
            i++;
            continue;
        }
        int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = len && i + (size_t)len <= n && c >= 0xC2 && c <= 0xF4;
        for (int k = 1; ok && k < len; k++)
            ok = (buf[i + (size_t)k] & 0xC0) == 0x80;
        if (!ok) {
            err_add(errs, "%s:%d: byte 0x%02x is not valid UTF-8: save the scenario as UTF-8 text", path, line, c);
            return false;
        }
        i += (size_t)len;
    }
    return true;
}

/* Parses the value part of "key = value" as iniparser 4.1 reads it (the
 * reference for every shipped scenario): a value in "double" or 'single'
 * quotes is taken as is, up to the closing quote; an unquoted value ends at
 * ';' or '#' and is trimmed; "" and '' are empty. Stricter than iniparser:
 * a quote that is not closed, or text after the closing quote other than a
 * comment, is an error (iniparser silently cut the value). Writes the value
 * into v (in place); returns NULL or what is wrong. */
static const char *parse_ini_value(char *v, char **out)
{
    v = trim(v);
    if (*v == '"' || *v == '\'') {
        char q = *v;
        char *close = strchr(v + 1, q);
        if (!close)
            return q == '"' ? "the value's '\"' is not closed: expected \"text\"" : "the value's ' is not closed: expected 'text'";
        char *rest = trim(close + 1);
        if (*rest && *rest != ';' && *rest != '#')
            return "text after the closing quote: expected only a ; comment after a quoted value";
        *close = '\0';
        *out = v + 1;
        return NULL;
    }
    v[strcspn(v, ";#")] = '\0';
    *out = trim(v);
    return NULL;
}

/* Reads the file line by line: section headers and "key = value" lines,
 * each kept with its line (scan_entry, indexed by hash). Reports every
 * problem iniparser would reject or hide: syntax errors, duplicates, long
 * lines, keys outside any section, a line ending in '\' (iniparser joined it
 * silently with the next one). One pass, O(file size). */
static bool scan_file(scn_doc *doc, char *text, err_list *errs)
{
    size_t cap = 0;
    char section[256] = "";
    bool ok = true, header_broken = false;
    int line = 0;
    for (char *p = text; p && *p;) {
        line++;
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        size_t len = strlen(p);
        char *s = trim(p);
        char shown[64];
        snprintf(shown, sizeof shown, "%.60s", s);
        if (len > SCN_LINE_MAX) {
            err_add(errs, "%s:%d: line is %zu characters long: expected at most %d", doc->path, line, len,
                    SCN_LINE_MAX);
            ok = false;
        } else if (*s == ';' || *s == '#' || !*s) {
            /* comment or blank */
        } else if (s[strlen(s) - 1] == '\\') {
            err_add(errs, "%s:%d: the line ends with '\\': expected each key = value on one line (ecnysim does not "
                          "join lines)", doc->path, line);
            ok = false;
        } else if (*s == '[') {
            char *close = strchr(s, ']');
            /* A broken header is reported once; the keys under it are not
             * blamed on the previous section. */
            header_broken = !close || (size_t)(close - s - 1) >= sizeof section || close[1] != '\0' ||
                            strchr(s + 1, ':') != NULL || close == s + 1;
            if (!close) {
                err_add(errs, "%s:%d: section header '%s' has no closing ']': expected [name]", doc->path, line, shown);
                ok = false;
            } else if ((size_t)(close - s - 1) >= sizeof section) {
                err_add(errs, "%s:%d: section name is %zu characters long: expected at most %zu", doc->path, line,
                        (size_t)(close - s - 1), sizeof section - 1);
                ok = false;
            } else if (close[1] != '\0') {
                err_add(errs, "%s:%d: syntax error at '%s': expected [section], key = value, or a ; comment%s",
                        doc->path, line, shown,
                        strpbrk(close, ";#") ? " (put a comment after a [section] header on its own line)" : "");
                ok = false;
            } else if (close == s + 1 || strchr(s + 1, ':')) {
                err_add(errs, "%s:%d: section header '%s': expected [name] or [name.NAME] (letters, digits, '_', "
                              "'-'; no ':')", doc->path, line, shown);
                ok = false;
            } else {
                size_t n = (size_t)(close - s - 1);
                memcpy(section, s + 1, n);
                section[n] = '\0';
                char *t = trim(section);
                memmove(section, t, strlen(t) + 1);
                lower(section);
                int first = scan_line_of(doc, section, NULL);
                if (first) {
                    err_add(errs, "%s:%d: section [%s] appears twice (first at line %d): expected each section once",
                            doc->path, line, section, first);
                    ok = false;
                } else if (!scan_add(doc, &cap, section, NULL, NULL, line)) {
                    return false;
                }
            }
        } else if (!header_broken) {
            char *eq = strchr(s, '=');
            char *key = s;
            if (eq) {
                *eq = '\0';
                key = trim(s);
            }
            if (!eq || !*key) {
                if (eq)
                    *eq = '=';
                err_add(errs, "%s:%d: syntax error at '%s': expected [section], key = value, or a ; comment",
                        doc->path, line, shown);
                ok = false;
            } else {
                lower(key);
                char *value = NULL;
                const char *bad = parse_ini_value(eq + 1, &value);
                int first = section[0] ? scan_line_of(doc, section, key) : 0;
                if (!section[0]) {
                    err_add(errs, "%s:%d: key '%s' is outside any section: expected it under a [section] header",
                            doc->path, line, key);
                    ok = false;
                } else if (bad) {
                    err_add(errs, "%s:%d: '%s' in [%s]: %s", doc->path, line, key, section, bad);
                    ok = false;
                } else if (first) {
                    err_add(errs, "%s:%d: key '%s' in [%s] is given twice (first at line %d): expected it once",
                            doc->path, line, key, section, first);
                    ok = false;
                } else if (!scan_add(doc, &cap, section, key, value, line)) {
                    return false;
                }
            }
        }
        p = nl ? nl + 1 : NULL;
    }
    return ok;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void section_label(const scn_instance *in, char *out, size_t len)
{
    if (in->def->named)
        snprintf(out, len, "%s.%s", in->def->name, in->name);
    else
        snprintf(out, len, "%s", in->def->name);
}

static bool set_value(scn_instance *in, int k, const char *text, int line, const char *where, err_list *errs)
{
    char label[300];
    section_label(in, label, sizeof label);
    scn_value v = {0};
    const scn_key *key = &in->def->keys[k];
    bool derived = !text[0] && key->def && !key->def[0]; /* empty: left to the model */
    if (!derived && !parse_value(key, text, &v, where, label, errs))
        return false;
    char *copy = dup_str(text);
    if (!copy) {
        err_add_kind(errs, ERR_MEMORY, "%s: out of memory", where);
        return false;
    }
    free(in->v[k].text);
    v.text = copy;
    v.line = line;
    v.set = true;
    in->v[k] = v;
    return true;
}

/* Splits "city.suzhou" into the schema section and the instance name,
 * reporting unknown or misnamed sections. */
static const scn_section *resolve_section(const scn_schema *schema, const char *full, const char **name_out,
                                          char *base, size_t base_len, const char *where, err_list *errs)
{
    const char *dot = strchr(full, '.');
    size_t blen = dot ? (size_t)(dot - full) : strlen(full);
    if (blen >= base_len)
        blen = base_len - 1;
    memcpy(base, full, blen);
    base[blen] = '\0';
    *name_out = dot ? dot + 1 : "";
    const scn_section *def = find_section_def(schema, base);
    if (!def) {
        const char *names[128];
        size_t n = 0;
        for (size_t i = 0; i < schema->n_sections && n < 128; i++)
            names[n++] = schema->sections[i].name;
        char hint[200];
        suggest(base, names, n, hint, sizeof hint);
        err_add(errs, "%s: unknown section [%s]%s: see 'ecnysim describe' for the sections", where, full, hint);
        return NULL;
    }
    if (def->named && !**name_out) {
        err_add(errs, "%s: section [%s] needs a name: expected [%s.NAME], e.g. [%s.main]", where, full, def->name,
                def->name);
        return NULL;
    }
    if (!def->named && **name_out) {
        err_add(errs, "%s: section [%s] takes no name: expected [%s]", where, full, def->name);
        return NULL;
    }
    if (def->named) {
        for (const char *c = *name_out; *c; c++) {
            if (!(isalnum((unsigned char)*c) || *c == '_' || *c == '-')) {
                err_add(errs, "%s: section name '%s' in [%s]: expected letters, digits, '_' or '-'", where, *name_out,
                        full);
                return NULL;
            }
        }
    }
    return def;
}

static void unknown_key(const scn_section *def, const char *key, const char *label, const char *where,
                        err_list *errs)
{
    const char *names[256];
    size_t n = 0;
    for (size_t i = 0; i < def->n_keys && n < 256; i++)
        names[n++] = def->keys[i].key;
    char hint[200];
    suggest(key, names, n, hint, sizeof hint);
    err_add(errs, "%s: unknown key '%s' in [%s]%s: see 'ecnysim describe %s'", where, key, label, hint, def->name);
}

static bool apply_set(scn_doc *doc, const char *set, err_list *errs)
{
    char where[400];
    snprintf(where, sizeof where, "--set %s", set);
    const char *eq = strchr(set, '=');
    const char *lastdot = NULL;
    for (const char *c = set; *c && c != eq; c++)
        if (*c == '.')
            lastdot = c;
    if (!eq || !lastdot) {
        err_add(errs, "%s: expected section.key=value (named sections as city.suzhou.key=value)", where);
        return false;
    }
    char full[256], key[256];
    size_t flen = (size_t)(lastdot - set), klen = (size_t)(eq - lastdot - 1);
    if (flen >= sizeof full || klen >= sizeof key || klen == 0) {
        err_add(errs, "%s: expected section.key=value", where);
        return false;
    }
    memcpy(full, set, flen);
    full[flen] = '\0';
    memcpy(key, lastdot + 1, klen);
    key[klen] = '\0';
    lower(full);
    lower(key);
    char base[128];
    const char *name;
    const scn_section *def = resolve_section(doc->schema, full, &name, base, sizeof base, where, errs);
    if (!def)
        return false;
    scn_instance *in = find_instance(doc, def, name);
    if (!in) {
        /* A repeatable section may be added by --set when every key has a
         * default (wallet_class.1.balance_cap_yuan=50 on a file without
         * [wallet_class.1]); one with required keys must be in the file. */
        const char *required = NULL;
        for (size_t i = 0; def->named && i < def->n_keys && !required; i++)
            if (!def->keys[i].def)
                required = def->keys[i].key;
        if (def->named && def->required) { /* [city.*]: what is simulated is said in the file */
            err_add(errs, "%s: there is no section [%s] in %s to change: expected one of the file's [%s.*] "
                          "sections (a new [%s.NAME] is added in the file, not by --set)",
                    where, full, doc->path, def->name, def->name);
            return false;
        }
        if (required) {
            err_add(errs, "%s: there is no section [%s] in %s to change, and a new one needs keys without a "
                          "default ('%s'): expected one of the file's [%s.*] sections, or the section added to "
                          "the file", where, full, doc->path, required, def->name);
            return false;
        }
        in = instance_new(doc, def, name, 0);
        if (!in)
            return false;
    }
    int k = find_key_index(def, key);
    if (k < 0) {
        unknown_key(def, key, full, where, errs);
        return false;
    }
    return set_value(in, k, eq + 1, 0, where, errs);
}

static bool fill_defaults(scn_doc *doc, err_list *errs)
{
    bool ok = true;
    /* Single sections always exist, so the model can read their defaults. */
    for (size_t s = 0; s < doc->schema->n_sections; s++) {
        const scn_section *def = &doc->schema->sections[s];
        bool present = false;
        for (size_t i = 0; i < doc->n; i++)
            present |= doc->inst[i]->def == def;
        if (!present && def->required) {
            err_add(errs, "%s:1: missing section [%s%s]: expected it (%s)", doc->path, def->name,
                    def->named ? ".NAME" : "", def->doc);
            ok = false;
        } else if (!present && !def->named && !instance_new(doc, def, "", 0)) {
            return false;
        }
    }
    for (size_t i = 0; i < doc->n; i++) {
        scn_instance *in = doc->inst[i];
        char label[300];
        section_label(in, label, sizeof label);
        for (size_t k = 0; k < in->def->n_keys; k++) {
            if (in->v[k].set)
                continue;
            const scn_key *key = &in->def->keys[k];
            if (!key->def) {
                err_add(errs, "%s:%d: missing key '%s' in [%s]: expected %s (%s)", doc->path, in->line, key->key,
                        label, type_expectation(key), key->doc);
                ok = false;
                continue;
            }
            char where[300];
            snprintf(where, sizeof where, "default of %s", key->key);
            scn_value v = {0};
            /* An empty default means "not given": the model derives the value. */
            bool parsed = key->def[0] == '\0' ? true : parse_value(key, key->def, &v, where, label, errs);
            assert(parsed && "schema default must parse");
            if (!parsed)
                return false;
            v.text = dup_str(key->def);
            if (!v.text)
                return false;
            in->v[k] = v;
        }
    }
    return ok;
}

/* Lists the instances of each schema section in file order, so that
 * scn_count and scn_nth cost O(schema sections), not O(instances). */
static bool index_sections(scn_doc *doc)
{
    size_t ns = doc->schema->n_sections;
    doc->by_section = calloc(ns ? ns : 1, sizeof *doc->by_section);
    doc->n_by_section = calloc(ns ? ns : 1, sizeof *doc->n_by_section);
    if (!doc->by_section || !doc->n_by_section)
        return false;
    for (size_t i = 0; i < doc->n; i++)
        doc->n_by_section[doc->inst[i]->def - doc->schema->sections]++;
    for (size_t s = 0; s < ns; s++) {
        doc->by_section[s] = calloc(doc->n_by_section[s] ? doc->n_by_section[s] : 1, sizeof **doc->by_section);
        if (!doc->by_section[s])
            return false;
        doc->n_by_section[s] = 0;
    }
    for (size_t i = 0; i < doc->n; i++) {
        size_t s = (size_t)(doc->inst[i]->def - doc->schema->sections);
        doc->by_section[s][doc->n_by_section[s]++] = doc->inst[i];
    }
    return true;
}

scn_doc *scn_load(const scn_schema *schema, const char *path, const char *const *sets, int n_sets,
                  err_list *errs)
{
    int errors_before = errs->count;
    scn_doc *doc = calloc(1, sizeof *doc);
    if (!doc) {
        err_add_kind(errs, ERR_MEMORY, "%s: out of memory", path);
        return NULL;
    }
    doc->schema = schema;
    doc->path = dup_str(path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_add(errs, "%s: cannot open scenario: %s", path, strerror(errno));
        scn_free(doc);
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= (64u << 20)) {
                err_add(errs, "%s: scenario is over 64 MiB: expected a hand-written INI file", path);
                free(buf);
                buf = NULL;
                break;
            }
            char *grown = realloc(buf, cap * 2 + 1);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    bool read_error = ferror(f);
    fclose(f);
    if (!buf || read_error) {
        if (errs->count == errors_before)
            err_add_kind(errs, buf ? ERR_INPUT : ERR_MEMORY, "%s: cannot read scenario%s", path, buf ? ": read error (is it a folder?)" : ": out of memory");
        free(buf);
        scn_free(doc);
        return NULL;
    }
    buf[n] = '\0';
    doc->hash = fnv1a(0xcbf29ce484222325ull, buf, n);
    for (int i = 0; i < n_sets; i++)
        doc->hash = fnv1a(doc->hash, sets[i], strlen(sets[i]) + 1);
    bool text_ok = n > 0 && check_text(path, (unsigned char *)buf, n, errs);
    if (n == 0)
        err_add(errs, "%s:1: the scenario is empty: expected at least a [scenario] section", path);
    bool scan_ok = text_ok && scan_file(doc, buf, errs);
    free(buf);
    if (!text_ok || !scan_ok) {
        scn_free(doc);
        return NULL;
    }

    scn_instance *in = NULL;
    const scn_section *def = NULL;
    for (size_t e = 0; e < doc->n_scan; e++) {
        const scan_entry *en = &doc->scan[e];
        char where[600];
        if (!en->key) { /* a section header */
            snprintf(where, sizeof where, "%s:%d", path, en->line);
            char base[128];
            const char *name;
            in = NULL;
            def = resolve_section(schema, en->section, &name, base, sizeof base, where, errs);
            if (def && !(in = instance_new(doc, def, name, en->line))) {
                err_add_kind(errs, ERR_MEMORY, "%s: out of memory", path);
                break;
            }
            continue;
        }
        /* A section declared without keys is free-form provenance ([run] in a
         * manifest): recorded by ecnysim and ignored when the file is run. */
        if (!in || def->n_keys == 0)
            continue;
        const char *key = en->key;
        snprintf(where, sizeof where, "%s:%d", path, en->line);
        int ki = find_key_index(def, key);
        if (ki < 0) {
            unknown_key(def, key, en->section, where, errs);
            continue;
        }
        const char *value = en->value;
        /* Empty is "not given" for keys whose default is empty (derived by
         * the model); scn_write_resolved writes them that way. */
        bool empty_ok = def->keys[ki].type == SCN_STRING || def->keys[ki].type == SCN_LIST ||
                        (def->keys[ki].def && !def->keys[ki].def[0]);
        if (!*value && !empty_ok) {
            err_add(errs, "%s: '%s' in [%s] has no value: expected %s", where, key, en->section,
                    type_expectation(&def->keys[ki]));
            continue;
        }
        set_value(in, ki, value, en->line, where, errs);
    }
    for (int i = 0; i < n_sets; i++)
        apply_set(doc, sets[i], errs);
    if (errs->count == errors_before && !fill_defaults(doc, errs) && errs->count == errors_before)
        err_add_kind(errs, ERR_MEMORY, "%s: out of memory filling the defaults", path);
    if (errs->count == errors_before && !index_sections(doc))
        err_add_kind(errs, ERR_MEMORY, "%s: out of memory", path);
    if (errs->count != errors_before) {
        scn_free(doc);
        return NULL;
    }
    return doc;
}

/* ---- accessors ---- */

const char *scn_path(const scn_doc *doc) { return doc->path; }
uint64_t scn_hash(const scn_doc *doc) { return doc->hash; }

const scn_instance *scn_single(const scn_doc *doc, const char *section)
{
    for (size_t i = 0; i < doc->n; i++)
        if (!doc->inst[i]->def->named && strcmp(doc->inst[i]->def->name, section) == 0)
            return doc->inst[i];
    assert(!"scn_single: section not in the schema or named");
    return NULL;
}

static long section_index(const scn_doc *doc, const char *section)
{
    for (size_t s = 0; s < doc->schema->n_sections; s++)
        if (strcmp(doc->schema->sections[s].name, section) == 0)
            return (long)s;
    return -1;
}

size_t scn_count(const scn_doc *doc, const char *section)
{
    long s = section_index(doc, section);
    return s < 0 ? 0 : doc->n_by_section[s];
}

const scn_instance *scn_nth(const scn_doc *doc, const char *section, size_t nth)
{
    long s = section_index(doc, section);
    return s < 0 || nth >= doc->n_by_section[s] ? NULL : doc->by_section[s][nth];
}

const scn_instance *scn_find(const scn_doc *doc, const char *section, const char *name)
{
    for (size_t i = 0; i < doc->n; i++)
        if (strcmp(doc->inst[i]->def->name, section) == 0 && strcmp(doc->inst[i]->name, name) == 0)
            return doc->inst[i];
    return NULL;
}

static const scn_value *value_of(const scn_instance *in, const char *key, scn_type type)
{
    int k = find_key_index(in->def, key);
    assert(k >= 0 && "key not in schema");
    /* scn_str gives the text as written for a key of any type (messages
     * quote it); the typed accessors must match the schema. */
    assert((in->def->keys[k].type == type || type == SCN_STRING) && "key has another type");
    (void)type;
    return &in->v[k];
}

int64_t scn_int(const scn_instance *in, const char *key) { return value_of(in, key, SCN_INT)->i; }
double scn_real(const scn_instance *in, const char *key) { return value_of(in, key, SCN_REAL)->r; }
int64_t scn_fen(const scn_instance *in, const char *key) { return value_of(in, key, SCN_MONEY)->i; }
bool scn_bool(const scn_instance *in, const char *key) { return value_of(in, key, SCN_BOOL)->i != 0; }
int32_t scn_date(const scn_instance *in, const char *key) { return (int32_t)value_of(in, key, SCN_DATE)->i; }

size_t scn_fen_list(const scn_instance *in, const char *key, int64_t *fen, size_t max)
{
    int k = find_key_index(in->def, key);
    assert(k >= 0 && in->def->keys[k].type == SCN_LIST && strcmp(in->def->keys[k].unit, "yuan") == 0);
    char buf[SCN_LINE_MAX + 1];
    snprintf(buf, sizeof buf, "%s", in->v[k].text ? in->v[k].text : "");
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save), n++) {
        int64_t v = 0;
        bool ok = parse_money(t, &v);
        assert(ok && "checked when the scenario was loaded");
        (void)ok;
        if (n < max)
            fen[n] = v;
    }
    return n;
}

const char *scn_str(const scn_instance *in, const char *key)
{
    const scn_value *v = value_of(in, key, SCN_STRING);
    return v->text ? v->text : "";
}

bool scn_is_set(const scn_instance *in, const char *key)
{
    int k = find_key_index(in->def, key);
    assert(k >= 0);
    return in->v[k].set;
}

bool scn_is_override(const scn_instance *in, const char *key)
{
    int k = find_key_index(in->def, key);
    assert(k >= 0);
    return in->v[k].set && in->v[k].line == 0;
}

bool scn_has(const scn_instance *in, const char *key)
{
    int k = find_key_index(in->def, key);
    assert(k >= 0);
    return in->v[k].text && in->v[k].text[0];
}

const char *scn_name(const scn_instance *in) { return in->name; }
const char *scn_section_name(const scn_instance *in) { return in->def->name; }

int scn_line(const scn_instance *in, const char *key)
{
    if (key) {
        int k = find_key_index(in->def, key);
        if (k >= 0 && in->v[k].line)
            return in->v[k].line;
    }
    return in->line;
}

void scn_where(const scn_doc *doc, const scn_instance *in, const char *key, char *out, size_t out_len)
{
    snprintf(out, out_len, "%s:%d", doc->path, scn_line(in, key));
}

/* ---- writing ---- */

static bool needs_quotes(const char *s)
{
    return strpbrk(s, ";#\"") != NULL || (s[0] && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[strlen(s) - 1])));
}

void scn_write_resolved(const scn_doc *doc, FILE *to)
{
    for (size_t s = 0; s < doc->schema->n_sections; s++) {
        const scn_section *def = &doc->schema->sections[s];
        for (size_t i = 0; i < doc->n; i++) {
            const scn_instance *in = doc->inst[i];
            if (in->def != def || def->n_keys == 0)
                continue;
            if (def->named)
                fprintf(to, "\n[%s.%s]\n", def->name, in->name);
            else
                fprintf(to, "\n[%s]\n", def->name);
            for (size_t k = 0; k < def->n_keys; k++) {
                const char *t = in->v[k].text ? in->v[k].text : "";
                if (!t[0] && def->keys[k].type != SCN_STRING && def->keys[k].type != SCN_LIST)
                    fprintf(to, "; %s = (not given: derived, see 'ecnysim describe %s')\n", def->keys[k].key,
                            def->name);
                else if (needs_quotes(t) && strchr(t, '"') && !strchr(t, '\''))
                    fprintf(to, "%s = '%s'\n", def->keys[k].key, t); /* reads back as written */
                else if (needs_quotes(t))
                    fprintf(to, "%s = \"%s\"\n", def->keys[k].key, t);
                else
                    fprintf(to, "%s = %s\n", def->keys[k].key, t);
            }
        }
    }
}

static const char *type_name(scn_type t)
{
    static const char *names[] = {"integer", "real", "yuan", "bool", "date", "text", "choice", "list"};
    return names[t];
}

static void describe_range(const scn_key *k, char *out, size_t len)
{
    char lo[32], hi[32];
    out[0] = '\0';
    switch (k->type) {
    case SCN_INT:
    case SCN_REAL:
    case SCN_MONEY:
        format_bound(k, k->min, lo, sizeof lo);
        format_bound(k, k->max, hi, sizeof hi);
        snprintf(out, len, "%s..%s", lo, hi);
        break;
    case SCN_DATE:
        if (k->max > k->min) {
            char a[CAL_DATE_LEN], b[CAL_DATE_LEN];
            cal_format((int32_t)k->min, a);
            cal_format((int32_t)k->max, b);
            snprintf(out, len, "%s..%s", a, b);
        }
        break;
    case SCN_CHOICE:
        snprintf(out, len, "%s", k->choices);
        break;
    default:
        break;
    }
}

bool scn_describe(const scn_schema *schema, const char *section, bool markdown, FILE *to)
{
    bool found = false;
    if (markdown && !section)
        fprintf(to, "# Scenario reference\n\nGenerated by `ecnysim describe --markdown` from the schema in "
                    "`models/schema.c`; do not edit by hand (`make docs` regenerates it).\n"
                    "Money is written in yuan (at most 2 decimals) and held as integer fen.\n");
    for (size_t s = 0; s < schema->n_sections; s++) {
        const scn_section *def = &schema->sections[s];
        if (section && strcmp(section, def->name) != 0)
            continue;
        found = true;
        char head[160];
        snprintf(head, sizeof head, "[%s%s]", def->name, def->named ? ".NAME" : "");
        if (markdown) {
            fprintf(to, "\n## %s\n\n%s%s%s\n\n", head, def->doc, def->named ? " Repeatable, one per NAME." : "",
                    def->required ? " Required." : "");
            fprintf(to, "| key | type | default | range | unit | meaning |\n|---|---|---|---|---|---|\n");
        } else {
            fprintf(to, "%s%s\n  %s%s%s\n", s && !section ? "\n" : "", head, def->doc,
                    def->named ? " (repeatable)" : "", def->required ? " (required)" : "");
        }
        for (size_t k = 0; k < def->n_keys; k++) {
            const scn_key *key = &def->keys[k];
            char range[160];
            describe_range(key, range, sizeof range);
            const char *dflt = key->def ? (key->def[0] ? key->def : "(empty)") : "(required)";
            if (markdown)
                fprintf(to, "| `%s` | %s | %s | %s | %s | %s |\n", key->key, type_name(key->type), dflt, range,
                        key->unit, key->doc);
            else
                fprintf(to, "  %-28s %-7s default %-12s %s%s%s%s  %s\n", key->key, type_name(key->type), dflt,
                        range[0] ? "range " : "", range, key->unit[0] ? " " : "", key->unit, key->doc);
        }
    }
    return found;
}
