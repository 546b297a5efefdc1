/* scenario_read.c: what the models and the command line ask of a loaded
 * scenario (sections, instances, typed values, where a key was set) and the
 * two ways it is printed: the resolved scenario of a manifest (every default
 * filled: 'ecnysim run' accepts it) and the reference ('ecnysim describe').
 *
 * Cost: an accessor is a lookup of the key in its section's schema (a few
 * string compares); nothing here allocates.
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
    int k = scn_key_index(in->def, key);
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
    int k = scn_key_index(in->def, key);
    assert(k >= 0 && in->def->keys[k].type == SCN_LIST && strcmp(in->def->keys[k].unit, "yuan") == 0);
    char buf[SCN_LINE_MAX + 1];
    snprintf(buf, sizeof buf, "%s", in->v[k].text ? in->v[k].text : "");
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save), n++) {
        int64_t v = 0;
        bool ok = scn_parse_money(t, &v);
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
    int k = scn_key_index(in->def, key);
    assert(k >= 0);
    return in->v[k].set;
}

bool scn_is_override(const scn_instance *in, const char *key)
{
    int k = scn_key_index(in->def, key);
    assert(k >= 0);
    return in->v[k].set && in->v[k].line == 0;
}

bool scn_has(const scn_instance *in, const char *key)
{
    int k = scn_key_index(in->def, key);
    assert(k >= 0);
    return in->v[k].text && in->v[k].text[0];
}

const char *scn_name(const scn_instance *in) { return in->name; }
const char *scn_section_name(const scn_instance *in) { return in->def->name; }

int scn_line(const scn_instance *in, const char *key)
{
    if (key) {
        int k = scn_key_index(in->def, key);
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
        scn_format_bound(k, k->min, lo, sizeof lo);
        scn_format_bound(k, k->max, hi, sizeof hi);
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

