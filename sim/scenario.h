/* scenario.h: schema-driven scenario loading (prefix scn_).
 *
 * A schema (one table, declared by the models) lists every INI section and
 * key with its type, default, range, unit and a one-line doc. scn_load reads
 * a scenario with iniparser, checks every key against the schema (unknown
 * sections and keys get the nearest valid name as a suggestion; wrong types,
 * out-of-range values and impossible dates are refused), applies --set
 * overrides through the same checks, and fills defaults. Every problem in a
 * file is reported, each as "FILE:LINE: ..." naming the key and what was
 * expected. The same table prints the reference (scn_describe) and the
 * resolved scenario (scn_write_resolved), so docs and code cannot drift.
 *
 * Sections are either single ([scenario]) or named and repeatable
 * ([city.suzhou], [airdrop.luohu_2020]); names are lower-cased, as
 * iniparser stores them.
 */
#ifndef ECNYSIM_SCENARIO_H
#define ECNYSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/error.h"

typedef enum {
    SCN_INT,    /* integer, int64 */
    SCN_REAL,   /* real number */
    SCN_MONEY,  /* yuan with at most 2 decimals, stored as int64 fen */
    SCN_BOOL,   /* true/false, yes/no, on/off, 1/0 */
    SCN_DATE,   /* YYYY-MM-DD, a real date */
    SCN_STRING, /* free text */
    SCN_CHOICE, /* one of the words in choices, "a|b|c" */
    SCN_LIST    /* comma-separated words; the model checks each word */
} scn_type;

typedef struct {
    const char *key;
    scn_type type;
    const char *def;   /* default as text; NULL = required; "" = empty allowed for text */
    double min, max;   /* inclusive range for INT, REAL, MONEY (in yuan) */
    const char *unit;  /* "yuan", "people", "1/day", "" */
    const char *doc;   /* one line */
    const char *choices;
} scn_key;

/* A section with no keys (keys NULL, n_keys 0) is free-form: its keys are
 * not checked and it is not written back (manifest provenance). */
typedef struct {
    const char *name;  /* "scenario", "city", "airdrop" */
    bool named;        /* [name.INSTANCE], may repeat */
    bool required;     /* must appear (at least once when named) */
    const char *doc;
    const scn_key *keys;
    size_t n_keys;
} scn_section;

typedef struct {
    const scn_section *sections;
    size_t n_sections;
} scn_schema;

typedef struct scn_doc scn_doc;
typedef struct scn_instance scn_instance;

/* Loads path under schema, then applies n_sets overrides "section.key=value"
 * (named sections as "city.suzhou.key=value"). Returns NULL with every
 * problem in errs; the caller owns the result (scn_free). */
scn_doc *scn_load(const scn_schema *schema, const char *path, const char *const *sets, int n_sets,
                  err_list *errs);
void scn_free(scn_doc *doc); /* NULL is fine */

const char *scn_path(const scn_doc *doc);
/* FNV-1a hash of the file's bytes and the overrides, for provenance. */
uint64_t scn_hash(const scn_doc *doc);

/* The single section name (always present: defaults when not in the file). */
const scn_instance *scn_single(const scn_doc *doc, const char *section);
/* Named sections: how many, and the i-th in file order. */
size_t scn_count(const scn_doc *doc, const char *section);
const scn_instance *scn_nth(const scn_doc *doc, const char *section, size_t i);
/* The named instance section.name, or NULL. */
const scn_instance *scn_find(const scn_doc *doc, const char *section, const char *name);

/* Accessors. The key must be in the schema with that type (asserted). */
int64_t scn_int(const scn_instance *in, const char *key);
double scn_real(const scn_instance *in, const char *key);
int64_t scn_fen(const scn_instance *in, const char *key);
/* A list of amounts in yuan (a SCN_LIST whose unit is "yuan", each word
 * checked as money when loaded): writes the first max of them as fen and
 * returns how many there are (more than max: the caller refuses them). */
size_t scn_fen_list(const scn_instance *in, const char *key, int64_t *fen, size_t max);
bool scn_bool(const scn_instance *in, const char *key);
int32_t scn_date(const scn_instance *in, const char *key);
const char *scn_str(const scn_instance *in, const char *key); /* STRING, CHOICE, LIST; any type: the text as written */
bool scn_is_set(const scn_instance *in, const char *key);     /* given in the file or --set */
/* True when the value came from a --set override, not the file. */
bool scn_is_override(const scn_instance *in, const char *key);
/* False when the key was left at an empty default ("derive it"). */
bool scn_has(const scn_instance *in, const char *key);
const char *scn_name(const scn_instance *in);                  /* instance name, "" if single */
const char *scn_section_name(const scn_instance *in);
/* Line of the key in the file (or of the section header when the key was
 * defaulted; 0 when neither is in the file) and a "FILE:LINE" location. */
int scn_line(const scn_instance *in, const char *key);
void scn_where(const scn_doc *doc, const scn_instance *in, const char *key, char *out, size_t out_len);

/* Writes every section and key, defaults filled, as a loadable INI file. */
void scn_write_resolved(const scn_doc *doc, FILE *to);
/* Prints the reference of one section (or all when section is NULL), as
 * text or markdown. Returns false when the section is unknown. */
bool scn_describe(const scn_schema *schema, const char *section, bool markdown, FILE *to);

/* Edit distance, for "did you mean" suggestions. */
size_t scn_edit_distance(const char *a, const char *b);

#endif
