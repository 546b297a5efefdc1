/* summary.c: a batch's summaries: summary.csv (per point, date, city and
 * metric: mean, sd, quantiles over the replications, weighted by the
 * ensemble's weights when they differ) and kpi_summary.csv (per point and
 * KPI, when the scenario has KPIs: the share of runs that attained it and
 * the attainment's spread), each beside the same widened by the model's
 * error (cli/model_error.c: every run's value x exp(e), e normal with the
 * metric's sd, so the bands and the chance say how far the model itself
 * may be from the world, not only chance and parameters).
 *
 * Called by cli/batch.c in run order, once a point's last replication is
 * complete, so the files are byte-identical whatever --jobs is. Every run's
 * daily.csv is read a block of rows at a time: memory stays under
 * BAT_SUMMARY_BYTES whatever the number of replications.
 * Cost: one parse of every daily.csv and kpi.csv of the point; a row with a
 * model error adds two quantiles of an R-value mixture (Newton's method: a
 * few passes over the R values: ~18 us at R = 100).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/batch.h"
#include "cli/batch_int.h"
#include "sim/output.h"
#include "sim/stats.h"
#include "sim/table.h"

typedef struct {
    double x, w;
} wx;

static int wx_cmp(const void *a, const void *b)
{
    double x = ((const wx *)a)->x, y = ((const wx *)b)->x;
    return (x > y) - (x < y);
}

static double wx_quantile(const wx *v, size_t n, double q)
{
    /* The k-th smallest sits at (weight below it) / (weight below the
     * largest): R's type 7 when every weight is the same. */
    if (n == 1)
        return v[0].x;
    double below_last = 0;
    for (size_t k = 0; k + 1 < n; k++)
        below_last += v[k].w;
    double below = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        double u0 = below / below_last, u1 = (below + v[k].w) / below_last;
        if (q <= u1 || k + 2 == n) {
            double t = u1 > u0 ? (q - u0) / (u1 - u0) : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            return v[k].x + t * (v[k + 1].x - v[k].x);
        }
        below += v[k].w;
    }
    return v[n - 1].x;
}

/* Summary of x[0..n) weighted by w (> 0): weighted mean, sd with reliability
 * weights (sum w (x - mean)^2 / (V1 - V2 / V1): the sample sd when weights
 * are equal), quantiles as wx_quantile. tmp holds n pairs. */
static void weighted_summary(const double *x, const double *w, size_t n, wx *tmp, sts_summary *s)
{
    double v1 = 0, v2 = 0, m = 0, ss = 0;
    for (size_t k = 0; k < n; k++) {
        tmp[k] = (wx){x[k], w[k]};
        v1 += w[k];
        v2 += w[k] * w[k];
        m += w[k] * x[k];
    }
    m /= v1;
    for (size_t k = 0; k < n; k++)
        ss += w[k] * (x[k] - m) * (x[k] - m);
    qsort(tmp, n, sizeof *tmp, wx_cmp);
    memset(s, 0, sizeof *s);
    s->n = n;
    s->mean = m;
    s->sd = n > 1 && v1 - v2 / v1 > 0 ? sqrt(ss / (v1 - v2 / v1)) : 0.0;
    s->p05 = wx_quantile(tmp, n, 0.05);
    s->p50 = wx_quantile(tmp, n, 0.50);
    s->p95 = wx_quantile(tmp, n, 0.95);
    s->min = tmp[0].x;
    s->max = tmp[n - 1].x;
}

/* The summary of a point's R values x: weighted by the ensemble's weights w
 * when the batch is weighted, else plain (sts_summarize, which may reorder x). */
static void point_summary(const bat_batch *b, double *x, const double *w, int R, wx *tmp, sts_summary *s)
{
    if (b->weighted)
        weighted_summary(x, w, (size_t)R, tmp, s);
    else
        sts_summarize(x, (size_t)R, s);
}

/* Splits a daily.csv line in place at commas (the files are ours: dates,
 * area keys and numbers, never quoted). Returns the number of fields, or
 * max + 1 when there are more. */
static size_t split_line(char *s, char **field, size_t max)
{
    size_t n = 0;
    for (;;) {
        if (n == max)
            return max + 1;
        field[n++] = s;
        char *c = strchr(s, ',');
        if (!c)
            break;
        *c = '\0';
        s = c + 1;
    }
    return n;
}

static bool all_finite(const double *x, int R)
{
    for (int k = 0; k < R; k++)
        if (!isfinite(x[k]))
            return false;
    return true;
}

/* summary.csv's model_error_sd_log, p05_with_model_error and
 * p95_with_model_error of a metric's R values (weights w when the batch is
 * weighted; x in the runs' order, before point_summary may sort it): the
 * band of the runs, each widened by the model's error
 * (data/model_error.csv); "" when the metric has none. */
static void model_error_band(const bat_batch *b, const char *metric, const double *x, const double *w, int R,
                             char band[3][40])
{
    double sd = bat_model_error(b, metric);
    for (int c = 0; c < 3; c++)
        band[c][0] = '\0';
    if (sd <= 0 || !all_finite(x, R))
        return;
    const double *wk = b->weighted ? w : NULL;
    bat_num(band[0], sd);
    bat_num(band[1], sts_with_model_error_quantile(x, wk, (size_t)R, sd, 0.05));
    bat_num(band[2], sts_with_model_error_quantile(x, wk, (size_t)R, sd, 0.95));
}

/* The daily.csv column whose model error a KPI's metric has (models/kpi.c's
 * metrics), NULL for none: loans are a programme's own volume, and
 * new_wallets has no published figure of its own (a level's error is a far
 * larger one on its increments). */
static const char *kpi_error_column(const char *kpi_metric)
{
    static const char *const map[][2] = {{"transaction_value", "value_ecny_fen"},
                                         {"payments", "payments_ecny"},
                                         {"wallets", "wallets"},
                                         {"active_wallets", "active_wallets"},
                                         {"merchants", "merchants_accepting"}};
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (strcmp(map[k][0], kpi_metric) == 0)
            return map[k][1];
    return NULL;
}

/* Writes summary.csv rows of one point from its replications' daily.csv,
 * streaming: every run's file is read a block of rows at a time (reopened
 * at its offset, so any number of runs needs no more than a few open
 * files), the block sized to keep runs x rows x metrics values under
 * BAT_SUMMARY_BYTES. With a weighted ensemble, members count by weight. */
bool bat_summarize_point(bat_batch *b, const char *dir, int point)
{
    int first = point * b->reps, R = b->reps;
    char path[BAT_PATH];
    long *off = calloc((size_t)R, sizeof *off);
    double *x = malloc((size_t)R * sizeof *x), *w = malloc((size_t)R * sizeof *w);
    wx *tmp = b->weighted ? malloc((size_t)R * sizeof *tmp) : NULL;
    char **names = NULL, *line = NULL, **field = NULL, **date = NULL, **city = NULL;
    double *v = NULL;
    size_t cap = 0, n_val = 0, block = 0;
    bool ok = off && x && w && (tmp || !b->weighted);
    for (int k = 0; ok && k < R; k++)
        w[k] = b->runs[first + k].weight;
    for (bool more = ok; ok && more;) {
        size_t rows0 = 0;
        for (int k = 0; ok && k < R; k++) {
            snprintf(path, sizeof path, "%s/run-%04d/daily.csv", dir, first + k + 1);
            FILE *f = fopen(path, "r");
            if (!f) {
                err_add(b->errs, "%s: cannot read: %s", path, strerror(errno));
                ok = false;
                break;
            }
            ssize_t len;
            if (off[k] == 0) { /* the header: run 1's names the metrics, the others' must match */
                len = getline(&line, &cap, f);
                if (len > 0 && line[len - 1] == '\n')
                    line[--len] = '\0';
                size_t nf = 0;
                if (!names && len <= 0) {
                    err_add(b->errs, "%s: empty file: expected a header 'date,city,...'", path);
                    ok = false;
                } else if (!names) {
                    size_t commas = 0;
                    for (ssize_t c = 0; c < len; c++)
                        commas += line[c] == ',';
                    names = calloc(commas + 1, sizeof *names);
                    field = calloc(commas + 2, sizeof *field);
                    if (names && field) {
                        nf = split_line(line, field, commas + 1);
                        for (size_t c = 2; c < nf; c++)
                            names[c - 2] = bat_dup(field[c]);
                        n_val = nf >= 2 ? nf - 2 : 0;
                    }
                    if (nf < 3 || strcmp(field[0], "date") != 0 || strcmp(field[1], "city") != 0) {
                        err_add(b->errs, "%s:1: expected a header 'date,city,...' with at least one value column",
                                path);
                        ok = false;
                    } else {
                        block = BAT_SUMMARY_BYTES / ((size_t)R * n_val * sizeof(double));
                        block = block < 1 ? 1 : block > 65536 ? 65536 : block;
                        v = malloc(block * (size_t)R * n_val * sizeof *v);
                        date = calloc(block, sizeof *date);
                        city = calloc(block, sizeof *city);
                        ok = v && date && city;
                        if (!ok)
                            err_add_kind(b->errs, ERR_MEMORY, "%s: out of memory summarising %d runs", path, R);
                    }
                } else if (len < 0 || split_line(line, field, n_val + 2) != n_val + 2) {
                    err_add(b->errs, "%s:1: %s: expected the %zu metrics of run %d", path,
                            len < 0 ? "no header" : "another header", n_val, first + 1);
                    ok = false;
                }
            } else if (fseek(f, off[k], SEEK_SET) != 0) {
                err_add(b->errs, "%s: cannot seek: %s", path, strerror(errno));
                ok = false;
            }
            size_t rows = 0;
            while (ok && rows < block && (len = getline(&line, &cap, f)) >= 0) {
                if (len > 0 && line[len - 1] == '\n')
                    line[--len] = '\0';
                if (split_line(line, field, n_val + 2) != n_val + 2) {
                    err_add(b->errs, "%s: a row without %zu fields: expected date,city and the metrics", path,
                            n_val + 2);
                    ok = false;
                    break;
                }
                double *dst = v + ((size_t)k * block + rows) * n_val;
                for (size_t m = 0; m < n_val; m++) {
                    char *end;
                    dst[m] = strtod(field[m + 2], &end);
                    if (!field[m + 2][0] || *end) {
                        err_add(b->errs, "%s: column '%s' is '%s': expected a number", path, names[m],
                                field[m + 2]);
                        ok = false;
                        break;
                    }
                }
                if (k == 0) {
                    free(date[rows]);
                    free(city[rows]);
                    date[rows] = bat_dup(field[0]);
                    city[rows] = bat_dup(field[1]);
                    ok = ok && date[rows] && city[rows];
                }
                rows++;
            }
            off[k] = ftell(f);
            if (ferror(f)) {
                err_add(b->errs, "%s: read error", path);
                ok = false;
            }
            fclose(f);
            if (k == 0)
                rows0 = rows;
            else if (ok && rows != rows0) {
                err_add(b->errs, "%s: a different number of rows: expected the rows of run %d", path, first + 1);
                ok = false;
            }
        }
        more = ok && rows0 == block;
        for (size_t row = 0; ok && row < rows0; row++) {
            for (size_t m = 0; m < n_val; m++) {
                for (int k = 0; k < R; k++)
                    x[k] = v[((size_t)k * block + row) * n_val + m];
                char band[3][40];
                model_error_band(b, names[m], x, w, R, band);
                sts_summary st;
                point_summary(b, x, w, R, tmp, &st);
                char buf[40];
                out_csv_int(b->sum_csv, point + 1);
                bat_write_params(b, b->sum_csv, point);
                out_csv_str(b->sum_csv, date[row]);
                out_csv_str(b->sum_csv, city[row]);
                out_csv_str(b->sum_csv, names[m]);
                out_csv_int(b->sum_csv, R);
                out_csv_str(b->sum_csv, bat_num(buf, st.mean));
                out_csv_str(b->sum_csv, bat_num(buf, st.sd));
                out_csv_str(b->sum_csv, bat_num(buf, st.p05));
                out_csv_str(b->sum_csv, bat_num(buf, st.p50));
                out_csv_str(b->sum_csv, bat_num(buf, st.p95));
                for (int c = 0; c < 3; c++)
                    out_csv_str(b->sum_csv, band[c]);
                out_csv_end_row(b->sum_csv);
            }
        }
        ok = ok && !out_failed(b->out);
    }
    if (!off || !x || !w || (!tmp && b->weighted))
        err_add_kind(b->errs, ERR_MEMORY, "out of memory summarising %d runs", R);
    for (size_t r = 0; r < block && date; r++) {
        free(date[r]);
        free(city[r]);
    }
    for (size_t m = 0; names && m < n_val; m++)
        free(names[m]);
    free(names);
    free(field);
    free(line);
    free(date);
    free(city);
    free(v);
    free(off);
    /* KPI attainment, when the runs wrote kpi.csv. */
    snprintf(path, sizeof path, "%s/run-%04d/kpi.csv", dir, first + 1);
    struct stat st;
    if (ok && stat(path, &st) == 0) {
        static const char *const key_cols[] = {"kpi", "city", "metric", "target"};
        static const char *const req[] = {"attainment_pct", "met_by_deadline"};
        tab_table **kt = calloc((size_t)R, sizeof *kt);
        double *ach = malloc((size_t)R * sizeof *ach);
        ok = kt && ach;
        for (int k = 0; ok && k < R; k++) {
            snprintf(path, sizeof path, "%s/run-%04d/kpi.csv", dir, first + k + 1);
            kt[k] = tab_read(path, req, 1, b->errs);
            ok = kt[k] != NULL;
            if (!ok && k == 0) { /* not the KPI table we summarise: say so, go on without it */
                err_print(b->errs, stderr);
                err_init(b->errs);
                fprintf(stderr,
                        "ecnysim: warning: %s lacks 'attainment_pct' or 'met_by_deadline': kpi_summary.csv skipped\n",
                        path);
                free(kt);
                free(ach);
                free(x);
                free(w);
                free(tmp);
                return !out_failed(b->out);
            }
            if (ok && tab_rows(kt[k]) != tab_rows(kt[0])) {
                err_add(b->errs, "%s: %zu KPI rows: expected %zu as in run %d", path, tab_rows(kt[k]), tab_rows(kt[0]),
                        first + 1);
                ok = false;
            }
        }
        if (ok && !b->kpi_csv) {
            const char *cols[64];
            int n = 0;
            cols[n++] = "point";
            for (int d = 0; d < b->n_dims; d++)
                cols[n++] = b->dim[d].key;
            for (int c = 0; c < 4; c++)
                cols[n++] = key_cols[c];
            const char *tail[] = {"runs",
                                  "achieved_mean",
                                  "attainment_mean",
                                  "attainment_sd",
                                  "attainment_p05",
                                  "attainment_p50",
                                  "attainment_p95",
                                  "p_attained",
                                  "model_error_sd_log",
                                  "attainment_p05_with_model_error",
                                  "attainment_p95_with_model_error",
                                  "p_attained_with_model_error"};
            for (int c = 0; c < 12; c++)
                cols[n++] = tail[c];
            b->kpi_csv = out_csv_open(b->out, "kpi_summary.csv", cols, (size_t)n);
            ok = b->kpi_csv != NULL;
        }
        for (size_t row = 0; ok && row < tab_rows(kt[0]); row++) {
            bool have_ach = true;
            double met = 0, w_all = 0;
            for (int k = 0; ok && k < R; k++) {
                for (int c = 0; c < 3; c++)
                    if (strcmp(tab_get(kt[k], row, key_cols[c]), tab_get(kt[0], row, key_cols[c])) != 0) {
                        err_add(b->errs, "%s:%d: KPI row differs from run %d's: expected the same kpi, city, metric",
                                tab_path(kt[k]), tab_line(kt[k], row), first + 1);
                        ok = false;
                    }
                /* attainment as a fraction of the target; met: reached by its deadline,
                 * as the KPI module decided (reached later is not met) */
                ok = ok && tab_real(kt[k], row, "attainment_pct", -1e300, 1e300, &x[k], b->errs);
                x[k] /= 100.0;
                met += strcmp(tab_get(kt[k], row, "met_by_deadline"), "yes") == 0 ? w[k] : 0;
                w_all += w[k];
                char *end;
                const char *a = tab_get(kt[k], row, "achieved");
                ach[k] = strtod(a, &end);
                have_ach = have_ach && *a && !*end;
            }
            if (!ok)
                break;
            /* Unweighted: the share of runs that met it, the plain mean. */
            double p = b->weighted ? met / w_all : met / R, mean_ach = 0;
            for (int k = 0; k < R; k++)
                mean_ach += b->weighted ? ach[k] * w[k] / w_all : ach[k] / R;
            /* with the model's error, before point_summary may reorder x */
            const char *col = kpi_error_column(tab_get(kt[0], row, "metric"));
            double sd = col ? bat_model_error(b, col) : 0, me[3] = {0};
            bool banded = sd > 0 && all_finite(x, R);
            if (banded) {
                const double *wk = b->weighted ? w : NULL;
                me[0] = sts_with_model_error_quantile(x, wk, (size_t)R, sd, 0.05);
                me[1] = sts_with_model_error_quantile(x, wk, (size_t)R, sd, 0.95);
                me[2] = 1.0 - sts_with_model_error_cdf(x, wk, (size_t)R, sd, 1.0);
            }
            sts_summary s;
            point_summary(b, x, w, R, tmp, &s);
            char buf[40];
            out_csv_int(b->kpi_csv, point + 1);
            bat_write_params(b, b->kpi_csv, point);
            for (int c = 0; c < 4; c++)
                out_csv_str(b->kpi_csv, tab_get(kt[0], row, key_cols[c]));
            out_csv_int(b->kpi_csv, R);
            out_csv_str(b->kpi_csv, have_ach ? bat_num(buf, mean_ach) : "");
            out_csv_str(b->kpi_csv, bat_num(buf, s.mean));
            out_csv_str(b->kpi_csv, bat_num(buf, s.sd));
            out_csv_str(b->kpi_csv, bat_num(buf, s.p05));
            out_csv_str(b->kpi_csv, bat_num(buf, s.p50));
            out_csv_str(b->kpi_csv, bat_num(buf, s.p95));
            out_csv_str(b->kpi_csv, bat_num(buf, p));
            out_csv_str(b->kpi_csv, banded ? bat_num(buf, sd) : "");
            for (int c = 0; c < 3; c++)
                out_csv_str(b->kpi_csv, banded ? bat_num(buf, me[c]) : "");
            out_csv_end_row(b->kpi_csv);
        }
        for (int k = 0; kt && k < R; k++)
            tab_free(kt[k]);
        free(kt);
        free(ach);
    }
    free(x);
    free(w);
    free(tmp);
    return ok && !out_failed(b->out);
}
