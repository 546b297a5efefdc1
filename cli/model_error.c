/* model_error.c: the model's error a batch adds to its bands: reads
 * data_dir/model_error.csv (metric, sd_log, and rows: the published figures
 * it was measured on; made by
 * `ecnysim targets --model-error`, docs/calibration.md) for cli/summary.c,
 * which writes summary.csv's *_with_model_error columns and kpi_summary.csv's
 * chance of meeting a KPI with it.
 *
 * The file is optional: a data folder without it gives batches without the
 * model error (the columns stay empty, the manifest says none). A file that
 * is there must be right: every problem is reported as FILE:LINE, exit 2.
 * Cost: one read of a few rows.
 */
#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/batch_int.h"
#include "models/data.h"
#include "models/world.h"
#include "sim/checkpoint.h"
#include "sim/scenario.h"
#include "sim/table.h"

int bat_read_model_error(bat_batch *b, const struct scn_doc *doc)
{
    char located[BAT_PATH];
    const char *dir = dat_locate(scn_str(scn_single(doc, "scenario"), "data_dir"), scn_path(doc), located,
                                 sizeof located);
    snprintf(b->model_error_path, sizeof b->model_error_path, "%s/model_error.csv", dir);
    struct stat st;
    if (stat(b->model_error_path, &st) != 0 && errno == ENOENT) {
        b->model_error_path[0] = '\0';
        return EXIT_OK;
    }
    err_list *errs = malloc(sizeof *errs);
    if (!errs)
        return EXIT_RUNTIME;
    err_init(errs);
    static const char *const req[] = {"metric", "sd_log"};
    tab_table *t = tab_read(b->model_error_path, req, 2, errs);
    size_t n = t ? tab_rows(t) : 0;
    if (t && n > BAT_MODEL_ERROR_MAX)
        err_add(errs, "%s:%d: %zu metrics: expected at most %d", tab_path(t), tab_line(t, BAT_MODEL_ERROR_MAX), n,
                BAT_MODEL_ERROR_MAX);
    for (size_t r = 0; t && !errs->count && r < n; r++) {
        const char *metric = tab_get(t, r, "metric");
        double sd;
        if (!metric[0] || strlen(metric) >= sizeof b->me_metric[0]) {
            err_add(errs, "%s:%d: column 'metric' is '%s': expected a daily.csv column name", tab_path(t),
                    tab_line(t, r), metric);
            break;
        }
        for (int k = 0; k < b->n_model_error; k++)
            if (strcmp(b->me_metric[k], metric) == 0)
                err_add(errs, "%s:%d: metric '%s' twice: expected one row per metric", tab_path(t), tab_line(t, r),
                        metric);
        if (!errs->count && !wld_daily_column_exists(metric))
            err_add(errs, "%s:%d: column 'metric' is '%s': expected a column of daily.csv (e.g. value_ecny_fen, "
                          "wallets; docs/outputs.md)",
                    tab_path(t), tab_line(t, r), metric);
        int64_t rows = 0;
        if (errs->count || !tab_real(t, r, "sd_log", 1e-6, 10, &sd, errs) ||
            (tab_get(t, r, "rows")[0] && !tab_int(t, r, "rows", 1, 1000000, &rows, errs)))
            break;
        /* An sd measured on few rows is itself uncertain: the error of one
         * more figure is a Student t with `rows` degrees of freedom. The
         * batch uses the normal with the same 90 % band (sd x t / z): exact
         * at the band's edges, fast (a t's distribution function costs 20
         * times a normal's, and a batch evaluates it millions of times). */
        if (rows > 0)
            sd *= gsl_cdf_tdist_Pinv(0.95, (double)rows) / gsl_cdf_ugaussian_Pinv(0.95);
        snprintf(b->me_metric[b->n_model_error], sizeof b->me_metric[0], "%s", metric);
        b->me_sd[b->n_model_error++] = sd;
    }
    if (!errs->count && !ckp_hash_file(b->model_error_path, &b->model_error_hash))
        err_add(errs, "%s: cannot read: %s", b->model_error_path, strerror(errno));
    int status = EXIT_OK;
    if (errs->count) {
        err_print(errs, stderr);
        fprintf(stderr, "ecnysim: fix %s (remake it with 'make calibrate', or remove it to run without the "
                        "model error)\n",
                b->model_error_path);
        status = CLI_STATUS_OF(errs);
    }
    tab_free(t);
    free(errs);
    return status;
}

double bat_model_error(const bat_batch *b, const char *metric)
{
    for (int k = 0; k < b->n_model_error; k++)
        if (strcmp(b->me_metric[k], metric) == 0)
            return b->me_sd[k];
    return 0.0;
}
