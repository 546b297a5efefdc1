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
 *
 * Files. This file reads the INI text and builds the document (scan, --set,
 * defaults); sim/scenario_value.c parses and checks one typed value (money
 * in fen, numbers, dates, choices, ranges) and suggests the nearest name for
 * a typo; sim/scenario_read.c answers the models' questions about a loaded
 * document and prints it (the resolved scenario, the reference). The
 * document's layout is in sim/scenario_int.h.
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
    in->name = scn_dup(name);
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
    e->section = scn_dup(section);
    e->key = key ? scn_dup(key) : NULL;
    e->value = value ? scn_dup(value) : NULL;
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
    v = scn_trim(v);
    if (*v == '"' || *v == '\'') {
        char q = *v;
        char *close = strchr(v + 1, q);
        if (!close)
            return q == '"' ? "the value's '\"' is not closed: expected \"text\"" : "the value's ' is not closed: expected 'text'";
        char *rest = scn_trim(close + 1);
        if (*rest && *rest != ';' && *rest != '#')
            return "text after the closing quote: expected only a ; comment after a quoted value";
        *close = '\0';
        *out = v + 1;
        return NULL;
    }
    v[strcspn(v, ";#")] = '\0';
    *out = scn_trim(v);
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
        char *s = scn_trim(p);
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
                char *t = scn_trim(section);
                memmove(section, t, strlen(t) + 1);
                scn_lower(section);
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
                key = scn_trim(s);
            }
            if (!eq || !*key) {
                if (eq)
                    *eq = '=';
                err_add(errs, "%s:%d: syntax error at '%s': expected [section], key = value, or a ; comment",
                        doc->path, line, shown);
                ok = false;
            } else {
                scn_lower(key);
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
    if (!derived && !scn_parse_value(key, text, &v, where, label, errs))
        return false;
    char *copy = scn_dup(text);
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
    const scn_section *def = scn_section_def(schema, base);
    if (!def) {
        const char *names[128];
        size_t n = 0;
        for (size_t i = 0; i < schema->n_sections && n < 128; i++)
            names[n++] = schema->sections[i].name;
        char hint[200];
        scn_suggest(base, names, n, hint, sizeof hint);
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
    scn_suggest(key, names, n, hint, sizeof hint);
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
    scn_lower(full);
    scn_lower(key);
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
    int k = scn_key_index(def, key);
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
                        label, scn_type_expectation(key), key->doc);
                ok = false;
                continue;
            }
            char where[300];
            snprintf(where, sizeof where, "default of %s", key->key);
            scn_value v = {0};
            /* An empty default means "not given": the model derives the value. */
            bool parsed = key->def[0] == '\0' ? true : scn_parse_value(key, key->def, &v, where, label, errs);
            assert(parsed && "schema default must parse");
            if (!parsed)
                return false;
            v.text = scn_dup(key->def);
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
    doc->path = scn_dup(path);
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
        int ki = scn_key_index(def, key);
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
                    scn_type_expectation(&def->keys[ki]));
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

