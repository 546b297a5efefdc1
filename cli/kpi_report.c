/* kpi_report.c: the few lines a run or a batch prints at its end about its
 * KPI targets, so a planner sees at once whether a target was met (a run:
 * kpi.csv) or how likely it is (a batch: kpi_summary.csv, with and without
 * the model's own error), without opening the files.
 *
 * Reads back the files the run or batch has just committed (by column name,
 * sim/table.h); says nothing when there are none. At most CLI_KPI_LINES
 * lines, then how many more are in the file. Cost: one read of a small file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "sim/table.h"

#define CLI_KPI_LINES 12

/* v in words a planner reads: 637.2 bn, 1.34 trillion, 26.9 M, 930,000. */
static const char *amount(char *buf, size_t len, double v)
{
    double a = fabs(v);
    if (a >= 1e12)
        snprintf(buf, len, "%.2f trillion", v / 1e12);
    else if (a >= 1e9)
        snprintf(buf, len, "%.1f bn", v / 1e9);
    else if (a >= 1e7)
        snprintf(buf, len, "%.1f M", v / 1e6);
    else
        snprintf(buf, len, "%.0f", v);
    return buf;
}

/* The table at dir/file with the columns, or NULL (and nothing said) when
 * there is none or it is not what was written. */
static tab_table *read_back(const char *dir, const char *file, const char *const *cols, size_t n)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    struct stat st;
    if (stat(path, &st) != 0)
        return NULL;
    err_list *errs = malloc(sizeof *errs);
    if (!errs)
        return NULL;
    err_init(errs);
    tab_table *t = tab_read(path, cols, n, errs);
    free(errs);
    return t;
}

static double number(const tab_table *t, size_t row, const char *col)
{
    char *end;
    const char *s = tab_get(t, row, col);
    double v = strtod(s, &end);
    return *s && !*end ? v : NAN;
}

void cli_print_run_kpis(const char *dir, FILE *to)
{
    static const char *const cols[] = {"kpi", "city", "unit", "target", "achieved", "attainment_pct", "status",
                                       "deadline"};
    tab_table *t = read_back(dir, "kpi.csv", cols, sizeof cols / sizeof cols[0]);
    size_t n = t ? tab_rows(t) : 0;
    for (size_t r = 0; r < n && r < CLI_KPI_LINES; r++) {
        char a[48], b[48];
        const char *status = tab_get(t, r, "status");
        fprintf(to, "  KPI %s (%s): %s of %s %s by %s (%.1f %%): %s\n", tab_get(t, r, "kpi"), tab_get(t, r, "city"),
                amount(a, sizeof a, number(t, r, "achieved")), amount(b, sizeof b, number(t, r, "target")),
                tab_get(t, r, "unit"), tab_get(t, r, "deadline"), number(t, r, "attainment_pct"),
                strcmp(status, "met") == 0 ? "met" : "not met");
    }
    if (n > CLI_KPI_LINES)
        fprintf(to, "  ... %zu more in %s/kpi.csv\n", n - CLI_KPI_LINES, dir);
    tab_free(t);
}

void cli_print_batch_kpis(const char *dir, FILE *to)
{
    static const char *const cols[] = {"point", "kpi", "city", "attainment_p05", "attainment_p50", "attainment_p95",
                                       "p_attained", "attainment_p05_with_model_error",
                                       "attainment_p95_with_model_error", "p_attained_with_model_error"};
    tab_table *t = read_back(dir, "kpi_summary.csv", cols, sizeof cols / sizeof cols[0]);
    size_t n = t ? tab_rows(t) : 0;
    bool points = n > 0 && strcmp(tab_get(t, n - 1, "point"), "1") != 0;
    for (size_t r = 0; r < n && r < CLI_KPI_LINES; r++) {
        char where[64] = "";
        if (points)
            snprintf(where, sizeof where, ", point %s", tab_get(t, r, "point"));
        fprintf(to, "  KPI %s (%s%s): attainment %.1f %% (5-95 %%: %.1f-%.1f %%), P(met) %.2f", tab_get(t, r, "kpi"),
                tab_get(t, r, "city"), where, 100 * number(t, r, "attainment_p50"),
                100 * number(t, r, "attainment_p05"), 100 * number(t, r, "attainment_p95"),
                number(t, r, "p_attained"));
        double p = number(t, r, "p_attained_with_model_error");
        if (!isnan(p))
            fprintf(to, "; with the model's error %.1f-%.1f %%, P(met) %.2f",
                    100 * number(t, r, "attainment_p05_with_model_error"),
                    100 * number(t, r, "attainment_p95_with_model_error"), p);
        fprintf(to, "\n");
    }
    if (n > CLI_KPI_LINES)
        fprintf(to, "  ... %zu more in %s/kpi_summary.csv\n", n - CLI_KPI_LINES, dir);
    tab_free(t);
}
