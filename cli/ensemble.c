/* ensemble.c: the parameter ensemble of a batch (--ensemble N, [sweep]
 * ensemble): reads posterior.csv (set, weight, then one column per
 * SECTION.KEY) into the batch's parameter sets, each row as the --set
 * values "section.key=value" a member applies, checked for shape here and
 * for values when cli/batch.c loads the scenario with them.
 *
 * Every problem is reported as FILE:LINE (the file's own line numbers,
 * '#' comments and blank lines counted). Cost: one pass over the file; the
 * sets are held in memory (sets x keys strings).
 */
#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/batch.h"
#include "cli/batch_int.h"

typedef struct {
    char *field[BAT_POSTERIOR_MAX_KEYS + 3];
    size_t n;
    bool too_many, oom;
} line_fields;

static void lf_field(void *v, size_t len, void *data)
{
    line_fields *lf = data;
    if (lf->n == BAT_POSTERIOR_MAX_KEYS + 3) {
        lf->too_many = true;
        return;
    }
    char *c = malloc(len + 1);
    if (!c) {
        lf->oom = true;
        return;
    }
    memcpy(c, v ? v : "", len);
    c[len] = '\0';
    lf->field[lf->n++] = c;
}

static void lf_row(int c, void *data)
{
    (void)c;
    (void)data;
}

static void lf_free(line_fields *lf)
{
    for (size_t i = 0; i < lf->n; i++)
        free(lf->field[i]);
    lf->n = 0;
}

/* Splits one CSV line (quotes allowed within it) into lf; false on bad CSV. */
static bool lf_parse(const char *line, size_t len, line_fields *lf)
{
    struct csv_parser p;
    memset(lf, 0, sizeof *lf);
    csv_init(&p, CSV_STRICT | CSV_APPEND_NULL);
    bool ok = csv_parse(&p, line, len, lf_field, lf_row, lf) == len && csv_fini(&p, lf_field, lf_row, lf) == 0;
    csv_free(&p);
    return ok && !lf->oom;
}

static bool posterior_key_ok(const char *k)
{
    const char *dot = strchr(k, '.');
    if (!dot || dot == k || !dot[1])
        return false;
    for (const char *c = k; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
              *c == '.' || *c == '-'))
            return false;
    return true;
}

/* Reads b->posterior: '#' lines and blank lines are skipped; the header is
 * set,weight,SECTION.KEY,...; each row an integer id, a positive weight and
 * one value per key. Every problem is printed as FILE:LINE: ...; returns an
 * exit status (2 for a bad file). */
int bat_read_posterior(bat_batch *b)
{
    FILE *f = fopen(b->posterior, "r");
    if (!f) {
        fprintf(stderr, "ecnysim: %s: cannot read the parameter ensemble: %s (expected a CSV "
                        "set,weight,SECTION.KEY,... with one row per parameter set; --posterior FILE)\n",
                b->posterior, strerror(errno));
        return EXIT_BADINPUT;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, bad = 0, cap_sets = 0;
    bool header = false;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        size_t lead = strspn(line, " \t");
        if (line[lead] == '\0' || line[lead] == '#')
            continue;
        line_fields lf;
        if (!lf_parse(line, (size_t)len, &lf) || lf.too_many) {
            fprintf(stderr, "ecnysim: %s:%d: %s: expected comma-separated fields, at most %d keys\n", b->posterior,
                    lineno, lf.too_many ? "too many fields" : "bad CSV", BAT_POSTERIOR_MAX_KEYS);
            lf_free(&lf);
            bad++;
            break;
        }
        if (!header) {
            header = true;
            if (lf.n < 3 || strcmp(lf.field[0], "set") != 0 || strcmp(lf.field[1], "weight") != 0) {
                fprintf(stderr, "ecnysim: %s:%d: bad header: expected set,weight,SECTION.KEY,... (at least one key)\n",
                        b->posterior, lineno);
                bad++;
            }
            for (size_t i = 2; !bad && i < lf.n; i++) {
                if (!posterior_key_ok(lf.field[i])) {
                    fprintf(stderr, "ecnysim: %s:%d: column '%s': expected SECTION.KEY (named sections as "
                                    "city.suzhou.promotion)\n", b->posterior, lineno, lf.field[i]);
                    bad++;
                }
                for (size_t j = 2; j < i; j++)
                    if (strcmp(lf.field[i], lf.field[j]) == 0) {
                        fprintf(stderr, "ecnysim: %s:%d: column '%s' appears twice: expected each key once\n",
                                b->posterior, lineno, lf.field[i]);
                        bad++;
                    }
            }
            if (!bad) {
                b->n_keys = (int)lf.n - 2;
                for (int k = 0; k < b->n_keys; k++) {
                    b->key[k] = lf.field[k + 2];
                    lf.field[k + 2] = NULL;
                }
            }
            for (size_t i = 0; i < lf.n; i++)
                free(lf.field[i]);
            if (bad)
                break;
            continue;
        }
        if (lf.n != (size_t)b->n_keys + 2) {
            fprintf(stderr, "ecnysim: %s:%d: %zu fields: expected %d (set, weight and one value per key)\n",
                    b->posterior, lineno, lf.n, b->n_keys + 2);
            lf_free(&lf);
            bad++;
            continue;
        }
        char *end, *wend;
        errno = 0;
        long long id = strtoll(lf.field[0], &end, 10);
        bool id_bad = !lf.field[0][0] || *end || errno;
        double w = strtod(lf.field[1], &wend);
        if (id_bad) {
            fprintf(stderr, "ecnysim: %s:%d: set '%s': expected a whole number\n", b->posterior, lineno, lf.field[0]);
            bad++;
        }
        if (!lf.field[1][0] || *wend || !(w > 0) || w > 1e300) {
            fprintf(stderr, "ecnysim: %s:%d: weight '%s': expected a positive number\n", b->posterior, lineno,
                    lf.field[1]);
            bad++;
        }
        for (int k = 0; k < b->n_keys; k++)
            if (!lf.field[k + 2][0]) {
                fprintf(stderr, "ecnysim: %s:%d: empty value for '%s': expected a value the scenario accepts\n",
                        b->posterior, lineno, b->key[k]);
                bad++;
            }
        if (!bad) {
            if (b->n_sets == cap_sets) {
                int nc = cap_sets ? cap_sets * 2 : 64;
                int64_t *ids = realloc(b->set_id, (size_t)nc * sizeof *ids);
                if (ids)
                    b->set_id = ids;
                double *ws = ids ? realloc(b->weight, (size_t)nc * sizeof *ws) : NULL;
                if (ws)
                    b->weight = ws;
                int *ls = ws ? realloc(b->set_line, (size_t)nc * sizeof *ls) : NULL;
                if (ls)
                    b->set_line = ls;
                char **as = ls ? realloc(b->assign, (size_t)nc * (size_t)b->n_keys * sizeof *as) : NULL;
                if (!as) {
                    fprintf(stderr, "ecnysim: %s: out of memory\n", b->posterior);
                    lf_free(&lf);
                    free(line);
                    fclose(f);
                    return EXIT_RUNTIME;
                }
                b->assign = as;
                cap_sets = nc;
            }
            int r = b->n_sets;
            b->set_id[r] = id;
            b->weight[r] = w;
            b->set_line[r] = lineno;
            for (int k = 0; k < b->n_keys; k++)
                b->assign[(size_t)r * (size_t)b->n_keys + (size_t)k] =
                    bat_fmt_alloc("%s=%s", b->key[k], lf.field[k + 2]);
            b->n_sets++;
            for (int k = 0; k < b->n_keys; k++)
                if (!b->assign[(size_t)r * (size_t)b->n_keys + (size_t)k]) {
                    fprintf(stderr, "ecnysim: %s: out of memory\n", b->posterior);
                    lf_free(&lf);
                    free(line);
                    fclose(f);
                    return EXIT_RUNTIME;
                }
        }
        lf_free(&lf);
        if (bad >= 20)
            break;
    }
    free(line);
    bool read_error = ferror(f);
    fclose(f);
    if (read_error) {
        fprintf(stderr, "ecnysim: %s: read error\n", b->posterior);
        return EXIT_RUNTIME;
    }
    if (!bad && !header) {
        fprintf(stderr, "ecnysim: %s:%d: no header: expected set,weight,SECTION.KEY,... then one row per "
                        "parameter set\n", b->posterior, lineno);
        bad++;
    } else if (!bad && b->n_sets == 0) {
        fprintf(stderr, "ecnysim: %s:%d: no parameter sets: expected at least one row after the header\n",
                b->posterior, lineno);
        bad++;
    }
    for (int r = 1; !bad && r < b->n_sets; r++)
        b->weighted = b->weighted || b->weight[r] != b->weight[0];
    return bad ? EXIT_BADINPUT : EXIT_OK;
}

void bat_posterior_free(bat_batch *b)
{
    for (int k = 0; k < b->n_keys; k++)
        free(b->key[k]);
    for (size_t i = 0; b->assign && i < (size_t)b->n_sets * (size_t)b->n_keys; i++)
        free(b->assign[i]);
    free(b->assign);
    free(b->set_id);
    free(b->weight);
    free(b->set_line);
}
