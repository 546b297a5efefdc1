/* scenario_int.h: the scenario document's private layout, shared by the
 * files of the scenario module only (sim/scenario.c: reading and building,
 * scenario_value.c: typed values, scenario_read.c: accessors and printing).
 */
#ifndef ECNYSIM_SCENARIO_INT_H
#define ECNYSIM_SCENARIO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/error.h"
#include "sim/scenario.h"

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

/* sim/scenario_value.c. A copy of s (malloc; NULL when out of memory). */
char *scn_dup(const char *s);
/* Lower-cases s in place. */
void scn_lower(char *s);
/* s without leading and trailing white space (trailing cut in place). */
char *scn_trim(char *s);
/* Writes " (did you mean 'x'?)" into out when a close name exists, else "". */
void scn_suggest(const char *given, const char *const *names, size_t n, char *out, size_t out_len);
/* The schema's section called name, or NULL. */
const scn_section *scn_section_def(const scn_schema *schema, const char *name);
/* The index of key in def's keys, or -1. */
int scn_key_index(const scn_section *def, const char *key);
/* What a value of k's type looks like, for messages ("an integer", ...). */
const char *scn_type_expectation(const scn_key *k);
/* Parses yuan text into fen exactly (no floating point); false when not money. */
bool scn_parse_money(const char *s, int64_t *fen_out);
/* A schema bound of k as a planner writes it. */
void scn_format_bound(const scn_key *k, double v, char *out, size_t len);
/* Parses text for key k into v. On failure adds one message located at where. */
bool scn_parse_value(const scn_key *k, const char *text, scn_value *v, const char *where,
                     const char *section_label, err_list *errs);

#endif
