/* stats.h: summary statistics of replicated runs (prefix sts_), on GSL.
 *
 * The batch layer summarises, per date, city and metric, the values that N
 * replications produced; calibration scores a model against targets. These
 * functions hold no state and allocate nothing: the caller owns the arrays.
 */
#ifndef ECNYSIM_STATS_H
#define ECNYSIM_STATS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    size_t n;           /* values summarised */
    double mean;        /* gsl_stats_mean */
    double sd;          /* sample standard deviation (n - 1), gsl_stats_sd; 0 when n == 1 */
    double p05, p50, p95; /* gsl_stats_quantile_from_sorted_data: linear interpolation
                             between order statistics (R's type 7, numpy's default) */
    double min, max;
} sts_summary;

/* Summarises x[0..n), n >= 1 (asserted). Sorts x in place (ascending). */
void sts_summarize(double *x, size_t n, sts_summary *out);

/* Share of x[0..n) that is >= threshold (0 when n == 0): the estimated
 * probability of meeting a target, e.g. P(attainment >= 1). */
double sts_share_at_least(const double *x, size_t n, double threshold);

/* Model error (a discrepancy between the model and the world, as a factor:
 * Kennedy & O'Hagan 2001): each value x[k] (weight w[k]; w NULL: equal
 * weights; finite, asserted) stands for x[k] exp(e), e ~ Normal(0,
 * sd_log^2), sd_log > 0 (asserted); values <= 0 stay where they are. The
 * mixture's distribution function at q, and its p-quantile (0 < p < 1; the
 * least q with F(q) >= p, to ~1e-12 relative, by Newton's method kept
 * inside a bracket). n >= 1 (asserted). */
double sts_with_model_error_cdf(const double *x, const double *w, size_t n, double sd_log, double q);
double sts_with_model_error_quantile(const double *x, const double *w, size_t n, double sd_log, double p);

/* Relative error of a model value against a target: (model - target) / |target|,
 * or the plain difference (model - target) when the target is 0. */
double sts_rel_error(double model, double target);

/* Calibration objective: sum over i of weight[i] * sts_rel_error(model[i], target[i])^2.
 * weight may be NULL (all 1). */
double sts_objective(const double *model, const double *target, const double *weight, size_t n);

#endif
