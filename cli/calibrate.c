/* calibrate.c: 'ecnysim calibrate': fits real-valued scenario keys to
 * observed series.
 *
 * Targets are rows (date, city, metric, value[, weight]) naming any column of
 * the per-day files a run writes (daily.csv, ledger.csv, ...). One
 * evaluation runs R replications with the same seeds every time (common
 * random numbers: bat_seed(base, 1..R)), through the batch runner (so --jobs
 * applies), and takes the replicated mean of every target; the objective is
 * sum of weight * ((mean - value) / |value|)^2 (sts_objective). GSL's
 * Nelder-Mead simplex (nmsimplex2) minimises it in log space for keys that
 * start positive with a lower bound >= 0 (p = start * e^x, first step 30 %),
 * else in a linear space scaled by |start|; a point outside the schema range
 * is run at the bound and pays a penalty, so the fit stays in range. It
 * stops when the simplex size is below 1e-3 or after --max-evals.
 * Outputs (results/NAME-calibration/, committed atomically): fit.csv,
 * quality.csv, trace.csv (every evaluation), fitted.ini (the resolved
 * scenario with the fitted values applied) and manifest.ini (provenance).
 * Cost: evaluations x R runs; the run folders of an evaluation are scratch.
 */
#include <dirent.h>
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "models/schema.h"
#include "cli/batch.h"
#include "sim/output.h"
#include "sim/scenario.h"
#include "sim/stats.h"
#include "sim/table.h"

#define CAL_MAX_FIT 16
#define CAL_MAX_FILES 16
#define CAL_PATH 4096

typedef struct {
    char key[256];
    double start, lo, hi, scale;
    bool log_space;
    char set[320]; /* "key=value" of the evaluation under way */
} cal_param;

typedef struct {
    /* targets */
    size_t n_t;
    char **date, **city, **metric;
    int *line, *file; /* file: index into files */
    double *value, *weight, *sum, *model, *best_model;
    char files[CAL_MAX_FILES][64];
    int n_files;
    /* parameters */
    cal_param p[CAL_MAX_FIT];
    int n_p;
    double *pvals, *best_p;
    /* evaluation */
    const cli_args *a;
    const char *targets_path;
    int reps, jobs, evals, max_evals;
    bat_run *runs;
    const char **sets; /* reps x per_run */
    char (*seed_set)[48];
    bat_exec x;
    prog_bar bar;
    double best_f;
    bool failed, interrupted;
    int status;
    out_csv *trace;
    out_run *out;
    err_list *errs;
    char work[CAL_PATH], work_final[CAL_PATH];
} calib;

static double to_param(const cal_param *p, double x)
{
    return p->log_space ? p->start * exp(x) : p->start + x * p->scale;
}

/* Finds which per-day file of a run holds each target's metric (first evaluation). */
static bool map_files(calib *c, const char *run_dir)
{
    DIR *d = opendir(run_dir);
    if (!d) {
        err_add(c->errs, "%s: cannot read: %s", run_dir, strerror(errno));
        return false;
    }
    char names[CAL_MAX_FILES][64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < CAL_MAX_FILES) {
        size_t len = strlen(e->d_name);
        if (len > 4 && len < 64 && strcmp(e->d_name + len - 4, ".csv") == 0)
            snprintf(names[n++], 64, "%s", e->d_name);
    }
    closedir(d);
    /* a fixed order: daily.csv first, then by name */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            bool swap = strcmp(names[j], "daily.csv") == 0 ||
                        (strcmp(names[i], "daily.csv") != 0 && strcmp(names[j], names[i]) < 0);
            if (swap) {
                char t[64];
                memcpy(t, names[i], 64);
                memcpy(names[i], names[j], 64);
                memcpy(names[j], t, 64);
            }
        }
    for (size_t t = 0; t < c->n_t; t++)
        c->file[t] = -1;
    err_list *quiet = malloc(sizeof *quiet);
    if (!quiet)
        return false;
    for (int i = 0; i < n; i++) {
        char path[CAL_PATH + 64];
        snprintf(path, sizeof path, "%s/%s", run_dir, names[i]);
        bat_table tb;
        err_init(quiet);
        if (!bat_table_read(path, &tb, quiet))
            continue; /* not a per-day table */
        int idx = -1;
        for (size_t t = 0; t < c->n_t; t++) {
            if (c->file[t] >= 0 || bat_table_col(&tb, c->metric[t]) < 0)
                continue;
            if (idx < 0) {
                idx = c->n_files++;
                snprintf(c->files[idx], sizeof c->files[idx], "%s", names[i]);
            }
            c->file[t] = idx;
        }
        bat_table_free(&tb);
    }
    free(quiet);
    bool ok = true;
    for (size_t t = 0; t < c->n_t; t++) {
        if (c->file[t] < 0) {
            err_add(c->errs, "%s:%d: metric '%s' is not a column of any per-day file of a run: expected a column of "
                             "daily.csv or ledger.csv",
                    c->targets_path, c->line[t], c->metric[t]);
            ok = false;
        }
    }
    return ok;
}

/* Adds one finished run's values of every target to the sums. */
static bool collect_run(void *vctx, int i)
{
    calib *c = vctx;
    char dir[CAL_PATH + 32];
    snprintf(dir, sizeof dir, "%s/run-%04d", c->work, i + 1);
    if (c->n_files == 0 && !map_files(c, dir))
        return false;
    for (int f = 0; f < c->n_files; f++) {
        char path[CAL_PATH + 128];
        snprintf(path, sizeof path, "%s/%s", dir, c->files[f]);
        bat_table tb;
        if (!bat_table_read(path, &tb, c->errs))
            return false;
        bool ok = true;
        for (size_t t = 0; t < c->n_t && ok; t++) {
            if (c->file[t] != f)
                continue;
            int col = bat_table_col(&tb, c->metric[t]);
            size_t r = 0;
            while (r < tb.n_rows && (strcmp(tb.date[r], c->date[t]) != 0 || strcmp(tb.city[r], c->city[t]) != 0))
                r++;
            if (r == tb.n_rows || col < 0) {
                err_add(c->errs, "%s:%d: no row for date %s and city '%s' in %s: expected a simulated date and city",
                        c->targets_path, c->line[t], c->date[t], c->city[t], c->files[f]);
                ok = false;
                break;
            }
            c->sum[t] += tb.v[r * (size_t)tb.n_val + (size_t)col];
        }
        bat_table_free(&tb);
        if (!ok)
            return false;
    }
    return true;
}

static double objective(const gsl_vector *xv, void *vctx)
{
    calib *c = vctx;
    if (c->failed)
        return GSL_NAN;
    double penalty = 0;
    for (int k = 0; k < c->n_p; k++) {
        cal_param *p = &c->p[k];
        double v = to_param(p, gsl_vector_get(xv, (size_t)k));
        if (v < p->lo || v > p->hi) {
            double out = (v < p->lo ? p->lo - v : v - p->hi) / p->scale;
            penalty += 1e3 * (1 + out * out);
            v = v < p->lo ? p->lo : p->hi;
        }
        char num[40], set[sizeof p->set];
        snprintf(set, sizeof set, "%s=%s", p->key, bat_num(num, v));
        memcpy(p->set, set, sizeof set);
        c->pvals[k] = strtod(num, NULL); /* the value run, as written */
    }
    for (size_t t = 0; t < c->n_t; t++)
        c->sum[t] = 0;
    c->x.runs_before = c->evals * c->reps;
    int n_done = 0;
    int st = bat_execute(&c->x, c->runs, c->reps, &n_done, &c->interrupted);
    c->evals++;
    if (st != EXIT_OK) {
        c->failed = true;
        c->status = st;
        return GSL_NAN;
    }
    for (size_t t = 0; t < c->n_t; t++)
        c->model[t] = c->sum[t] / c->reps;
    double f = sts_objective(c->model, c->value, c->weight, c->n_t) + penalty;
    char num[40];
    out_csv_int(c->trace, c->evals);
    for (int k = 0; k < c->n_p; k++)
        out_csv_str(c->trace, bat_num(num, c->pvals[k]));
    out_csv_str(c->trace, bat_num(num, f));
    out_csv_end_row(c->trace);
    if (f < c->best_f) {
        c->best_f = f;
        memcpy(c->best_p, c->pvals, (size_t)c->n_p * sizeof *c->best_p);
        memcpy(c->best_model, c->model, c->n_t * sizeof *c->model);
    }
    return f;
}

static int parse_fit(calib *c, const scn_doc *doc, const char *list)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        while (*tok == ' ')
            tok++;
        if (c->n_p == CAL_MAX_FIT) {
            fprintf(stderr, "ecnysim: --fit: more than %d keys\n", CAL_MAX_FIT);
            return EXIT_BADINPUT;
        }
        cal_param *p = &c->p[c->n_p];
        snprintf(p->key, sizeof p->key, "%s", tok);
        char *last = strrchr(p->key, '.');
        char *first = strchr(p->key, '.');
        if (!last) {
            fprintf(stderr, "ecnysim: --fit '%s': expected section.key (named sections as city.suzhou.key)\n", tok);
            return EXIT_BADINPUT;
        }
        char section[256], name[256] = "";
        snprintf(section, sizeof section, "%.*s", (int)(first - p->key), p->key);
        if (first != last)
            snprintf(name, sizeof name, "%.*s", (int)(last - first - 1), first + 1);
        const scn_section *def = NULL;
        for (size_t s = 0; s < ecny_schema.n_sections; s++)
            if (strcmp(ecny_schema.sections[s].name, section) == 0)
                def = &ecny_schema.sections[s];
        const scn_key *kd = NULL;
        for (size_t k = 0; def && k < def->n_keys; k++)
            if (strcmp(def->keys[k].key, last + 1) == 0)
                kd = &def->keys[k];
        if (!kd) {
            fprintf(stderr, "ecnysim: --fit '%s': no such key: see 'ecnysim describe %s'\n", tok, section);
            return EXIT_BADINPUT;
        }
        if (kd->type != SCN_REAL) {
            fprintf(stderr, "ecnysim: --fit '%s': not a real-valued key: expected a key of type real\n", tok);
            return EXIT_BADINPUT;
        }
        const scn_instance *in = def->named ? scn_find(doc, section, name) : scn_single(doc, section);
        if (!in || (def->named != (name[0] != '\0'))) {
            fprintf(stderr, "ecnysim: --fit '%s': the scenario has no section [%s%s%s]\n", tok, section,
                    name[0] ? "." : "", name);
            return EXIT_BADINPUT;
        }
        p->start = scn_real(in, last + 1);
        p->lo = kd->min;
        p->hi = kd->max;
        p->log_space = p->start > 0 && p->lo >= 0;
        p->scale = p->log_space ? p->start : (p->start != 0 ? fabs(p->start) : fmin(1.0, (p->hi - p->lo) / 2));
        c->n_p++;
    }
    if (c->n_p == 0) {
        fprintf(stderr, "ecnysim: --fit needs keys: expected --fit section.key[,section.key...]\n");
        return EXIT_BADINPUT;
    }
    return EXIT_OK;
}

static int read_targets(calib *c)
{
    static const char *const req[] = {"date", "city", "metric", "value"};
    tab_table *t = tab_read(c->targets_path, req, 4, c->errs);
    if (!t)
        return EXIT_BADINPUT;
    size_t n = tab_rows(t);
    c->n_t = n;
    c->date = calloc(n + 1, sizeof *c->date);
    c->city = calloc(n + 1, sizeof *c->city);
    c->metric = calloc(n + 1, sizeof *c->metric);
    c->line = calloc(n + 1, sizeof *c->line);
    c->file = calloc(n + 1, sizeof *c->file);
    c->value = calloc(n + 1, sizeof *c->value);
    c->weight = calloc(n + 1, sizeof *c->weight);
    c->sum = calloc(n + 1, sizeof *c->sum);
    c->model = calloc(n + 1, sizeof *c->model);
    c->best_model = calloc(n + 1, sizeof *c->best_model);
    if (!c->date || !c->city || !c->metric || !c->line || !c->file || !c->value || !c->weight || !c->sum ||
        !c->model || !c->best_model) {
        tab_free(t);
        err_add_kind(c->errs, ERR_MEMORY, "out of memory");
        return EXIT_RUNTIME;
    }
    bool ok = n > 0;
    if (!ok)
        err_add(c->errs, "%s: no target rows: expected date,city,metric,value[,weight] rows", c->targets_path);
    for (size_t r = 0; r < n; r++) {
        int32_t day;
        const char *s;
        ok &= tab_date(t, r, "date", &day, c->errs);
        c->date[r] = strdup(tab_get(t, r, "date"));
        ok &= tab_text(t, r, "city", &s, c->errs);
        c->city[r] = strdup(tab_get(t, r, "city"));
        ok &= tab_text(t, r, "metric", &s, c->errs);
        c->metric[r] = strdup(tab_get(t, r, "metric"));
        c->line[r] = tab_line(t, r);
        ok &= tab_real(t, r, "value", -1e300, 1e300, &c->value[r], c->errs);
        c->weight[r] = 1;
        if (tab_get(t, r, "weight")[0])
            ok &= tab_real(t, r, "weight", 0, 1e300, &c->weight[r], c->errs);
    }
    tab_free(t);
    return ok ? EXIT_OK : EXIT_BADINPUT;
}

static void calib_free(calib *c)
{
    for (size_t t = 0; t < c->n_t; t++) {
        free(c->date ? c->date[t] : NULL);
        free(c->city ? c->city[t] : NULL);
        free(c->metric ? c->metric[t] : NULL);
    }
    free(c->date);
    free(c->city);
    free(c->metric);
    free(c->line);
    free(c->file);
    free(c->value);
    free(c->weight);
    free(c->sum);
    free(c->model);
    free(c->best_model);
    free(c->pvals);
    free(c->best_p);
    free(c->runs);
    free(c->sets);
    free(c->seed_set);
    free(c->errs);
}

static bool write_outputs(calib *c, const scn_doc *doc, int argc, char **argv, bool converged, double size)
{
    char num[40];
    const char *fcols[] = {"key", "start", "fitted", "min", "max"};
    out_csv *fit = out_csv_open(c->out, "fit.csv", fcols, 5);
    for (int k = 0; fit && k < c->n_p; k++) {
        out_csv_str(fit, c->p[k].key);
        out_csv_str(fit, bat_num(num, c->p[k].start));
        out_csv_str(fit, bat_num(num, c->best_p[k]));
        out_csv_str(fit, bat_num(num, c->p[k].lo));
        out_csv_str(fit, bat_num(num, c->p[k].hi));
        out_csv_end_row(fit);
    }
    const char *qcols[] = {"date", "city", "metric", "target", "weight", "model", "rel_error"};
    out_csv *q = out_csv_open(c->out, "quality.csv", qcols, 7);
    for (size_t t = 0; q && t < c->n_t; t++) {
        out_csv_str(q, c->date[t]);
        out_csv_str(q, c->city[t]);
        out_csv_str(q, c->metric[t]);
        out_csv_str(q, bat_num(num, c->value[t]));
        out_csv_str(q, bat_num(num, c->weight[t]));
        out_csv_str(q, bat_num(num, c->best_model[t]));
        out_csv_str(q, bat_num(num, sts_rel_error(c->best_model[t], c->value[t])));
        out_csv_end_row(q);
    }
    /* fitted.ini: the resolved scenario with the command's --set and the fitted values */
    const char *sets[CLI_MAX_SETS + CAL_MAX_FIT];
    char fsets[CAL_MAX_FIT][320];
    int n = 0;
    for (int s = 0; s < c->a->n_sets; s++)
        sets[n++] = c->a->sets[s];
    for (int k = 0; k < c->n_p; k++) {
        snprintf(fsets[k], sizeof fsets[k], "%s=%s", c->p[k].key, bat_num(num, c->best_p[k]));
        sets[n++] = fsets[k];
    }
    scn_doc *fitted = scn_load(&ecny_schema, c->a->scenario, sets, n, c->errs);
    FILE *fi = out_text_open(c->out, "fitted.ini");
    if (fi && fitted) {
        fprintf(fi, "; fitted.ini: %s with the values fitted by 'ecnysim calibrate' (see manifest.ini):\n",
                c->a->scenario);
        char was[40];
        for (int k = 0; k < c->n_p; k++)
            fprintf(fi, ";   %s = %s (was %s)\n", c->p[k].key, bat_num(num, c->best_p[k]), bat_num(was, c->p[k].start));
        scn_write_resolved(fitted, fi);
    }
    scn_free(fitted);
    FILE *m = out_text_open(c->out, "manifest.ini");
    if (m) {
        fprintf(m, "; manifest.ini: how this calibration was made. Reproduce it by running 'command' from\n"
                   "; 'cwd', or check it with 'ecnysim rerun DIR'. Seeds of every evaluation: replication 1\n"
                   "; runs the base seed, r > 1 runs rng_mix(base, r) >> 2 (common random numbers).\n");
        fprintf(m, "\n[calibration]\nstatus = complete\nversion = %s\n", ECNYSIM_VERSION);
        cli_write_command(m, argc, argv);
        fprintf(m, "scenario_file = %s\nscenario_hash = %016llx\nbase_seed = %lld\ntargets = %s\n", scn_path(doc),
                (unsigned long long)scn_hash(doc), (long long)scn_int(scn_single(doc, "scenario"), "seed"),
                c->targets_path);
        fprintf(m, "replications = %d\nevaluations = %d\nmax_evals = %d\nobjective = %s\n", c->reps, c->evals,
                c->max_evals, bat_num(num, c->best_f));
        fprintf(m, "converged = %s\nsimplex_size = %s\nmethod = gsl_multimin_fminimizer_nmsimplex2\n",
                converged ? "true" : "false", bat_num(num, size));
    }
    return !out_failed(c->out) && fit && q && fi && m;
}

int cli_calibrate(int argc, char **argv)
{
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest)
        return EXIT_RUNTIME;
    int nr = 0;
    const char *targets = NULL, *fitlist = NULL;
    int max_evals = 200;
    for (int i = 0; i < argc; i++) {
        bool has = i + 1 < argc;
        if (i >= 2 && (strcmp(argv[i], "--targets") == 0 || strcmp(argv[i], "--fit") == 0 ||
                       strcmp(argv[i], "--max-evals") == 0)) {
            if (!has) {
                fprintf(stderr, "ecnysim: %s needs a value: expected %s\n", argv[i],
                        strcmp(argv[i], "--targets") == 0 ? "--targets FILE.csv"
                        : strcmp(argv[i], "--fit") == 0   ? "--fit section.key[,section.key...]"
                                                          : "--max-evals N");
                free(rest);
                return EXIT_BADINPUT;
            }
            if (strcmp(argv[i], "--targets") == 0)
                targets = argv[++i];
            else if (strcmp(argv[i], "--fit") == 0)
                fitlist = argv[++i];
            else {
                char *end;
                long v = strtol(argv[++i], &end, 10);
                if (*end || v < 1 || v > 100000) {
                    fprintf(stderr, "ecnysim: --max-evals '%s': expected a whole number from 1 to 100000\n", argv[i]);
                    free(rest);
                    return EXIT_BADINPUT;
                }
                max_evals = (int)v;
            }
        } else {
            rest[nr++] = argv[i];
        }
    }
    cli_args a;
    memset(&a, 0, sizeof a);
    int status = cli_parse(nr, rest, 2, &a, true);
    if (status == EXIT_OK && (!targets || !fitlist)) {
        fprintf(stderr, "ecnysim: calibrate needs %s: expected 'ecnysim calibrate SCENARIO.ini --targets FILE.csv "
                        "--fit section.key[,...]'\n", !targets ? "--targets" : "--fit");
        status = EXIT_BADINPUT;
    }
    if (status == EXIT_OK && a.n_vary) {
        fprintf(stderr, "ecnysim: --vary does not apply to calibrate: expected --fit keys\n");
        status = EXIT_BADINPUT;
    }
    if (status != EXIT_OK) {
        free(rest);
        return status;
    }
    calib *c = calloc(1, sizeof *c);
    if (!c || !(c->errs = malloc(sizeof *c->errs))) {
        free(c);
        free(rest);
        return EXIT_RUNTIME;
    }
    err_init(c->errs);
    c->a = &a;
    c->targets_path = targets;
    c->reps = a.replications ? a.replications : 5;
    c->jobs = a.jobs ? a.jobs : 1;
    c->max_evals = max_evals;
    c->best_f = INFINITY;
    scn_doc *doc = scn_load(&ecny_schema, a.scenario, a.sets, a.n_sets, c->errs);
    status = doc ? parse_fit(c, doc, fitlist) : EXIT_BADINPUT;
    if (status == EXIT_OK)
        status = read_targets(c);
    if (status == EXIT_OK && a.n_sets + c->n_p + 1 >= CLI_MAX_SETS) {
        fprintf(stderr, "ecnysim: too many --set values\n");
        status = EXIT_BADINPUT;
    }
    char root[CAL_PATH], name[1024];
    if (status == EXIT_OK) {
        cli_results_location(doc, &a, root, sizeof root, name, sizeof name);
        if (!a.out)
            strncat(name, "-calibration", sizeof name - strlen(name) - 1);
        c->out = out_begin(root, name, c->errs);
        if (!c->out)
            status = EXIT_RUNTIME;
    }
    /* the runs of one evaluation: same seeds every time */
    int per_run = a.n_sets + c->n_p + 1;
    if (status == EXIT_OK) {
        c->runs = calloc((size_t)c->reps, sizeof *c->runs);
        c->sets = calloc((size_t)c->reps * (size_t)per_run, sizeof *c->sets);
        c->seed_set = calloc((size_t)c->reps, sizeof *c->seed_set);
        c->pvals = calloc((size_t)c->n_p, sizeof *c->pvals);
        c->best_p = calloc((size_t)c->n_p, sizeof *c->best_p);
        if (!c->runs || !c->sets || !c->seed_set || !c->pvals || !c->best_p)
            status = EXIT_RUNTIME;
    }
    if (status == EXIT_OK) {
        uint64_t base = (uint64_t)scn_int(scn_single(doc, "scenario"), "seed");
        for (int r = 0; r < c->reps; r++) {
            bat_run *run = &c->runs[r];
            run->sets = c->sets + (size_t)r * (size_t)per_run;
            run->seed = bat_seed(base, r + 1);
            run->point = 1;
            run->replication = r + 1;
            for (int s = 0; s < a.n_sets; s++)
                run->sets[run->n_sets++] = a.sets[s];
            for (int k = 0; k < c->n_p; k++)
                run->sets[run->n_sets++] = c->p[k].set;
            snprintf(c->seed_set[r], sizeof c->seed_set[r], "scenario.seed=%llu", (unsigned long long)run->seed);
            run->sets[run->n_sets++] = c->seed_set[r];
        }
        snprintf(c->work, sizeof c->work, "%s/work", out_temp_dir(c->out));
        snprintf(c->work_final, sizeof c->work_final, "%s/work", out_final_dir(c->out));
        if (mkdir(c->work, 0777) != 0) {
            err_add(c->errs, "%s: cannot create: %s", c->work, strerror(errno));
            status = EXIT_RUNTIME;
        }
        const char *cols[CAL_MAX_FIT + 2];
        int n = 0;
        cols[n++] = "eval";
        for (int k = 0; k < c->n_p; k++)
            cols[n++] = c->p[k].key;
        cols[n++] = "objective";
        c->trace = out_csv_open(c->out, "trace.csv", cols, (size_t)n);
        if (!c->trace)
            status = EXIT_RUNTIME;
    }
    bool converged = false;
    double size = 0;
    if (status == EXIT_OK) {
        prog_begin(&c->bar, stderr, a.quiet, c->max_evals * c->reps);
        c->x = (bat_exec){a.scenario, argv[0], c->work, c->work_final, c->jobs, &c->bar, 0, c->max_evals * c->reps,
                          collect_run, c};
        gsl_multimin_function fn = {objective, (size_t)c->n_p, c};
        gsl_vector *x0 = gsl_vector_calloc((size_t)c->n_p), *step = gsl_vector_alloc((size_t)c->n_p);
        gsl_multimin_fminimizer *s =
            x0 && step ? gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, (size_t)c->n_p) : NULL;
        if (!s) {
            status = EXIT_RUNTIME;
        } else {
            gsl_vector_set_all(step, 0.3);
            if (gsl_multimin_fminimizer_set(s, &fn, x0, step) != GSL_SUCCESS && !c->failed) {
                err_add(c->errs, "calibration: the objective is not finite at the start");
                status = EXIT_RUNTIME;
            }
            while (status == EXIT_OK && !c->failed && c->evals < c->max_evals) {
                if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS)
                    break;
                size = gsl_multimin_fminimizer_size(s);
                if (gsl_multimin_test_size(size, 1e-3) == GSL_SUCCESS) {
                    converged = true;
                    break;
                }
            }
            if (c->failed)
                status = c->status ? c->status : EXIT_RUNTIME;
        }
        gsl_multimin_fminimizer_free(s);
        gsl_vector_free(x0);
        gsl_vector_free(step);
        prog_end(&c->bar);
    }
    if (status == EXIT_OK) {
        bat_remove_tree(c->work);
        if (!write_outputs(c, doc, argc, argv, converged, size) || !out_commit(c->out, c->errs)) {
            status = EXIT_RUNTIME;
        } else {
            if (!converged)
                fprintf(stderr, "ecnysim: calibrate: stopped after %d evaluations without converging (simplex size "
                                "%.3g): raise --max-evals\n", c->evals, size);
            if (!a.quiet) {
                fprintf(stderr, "ecnysim: calibrated %d key%s in %d evaluations x %d replications, objective %.4g:",
                        c->n_p, c->n_p > 1 ? "s" : "", c->evals, c->reps, c->best_f);
                char num[40];
                for (int k = 0; k < c->n_p; k++)
                    fprintf(stderr, " %s=%s", c->p[k].key, bat_num(num, c->best_p[k]));
                fprintf(stderr, "; results in %s/%s\n", root, name);
            }
        }
    } else if (c->out) {
        out_abort(c->out);
    }
    err_print(c->errs, stderr);
    scn_free(doc);
    calib_free(c);
    free(c);
    free(rest);
    return status;
}
