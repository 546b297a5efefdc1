/* stats.c: summary statistics of replicated runs; see stats.h.
 *
 * Invariants: sts_summarize sorts its input before taking quantiles (GSL's
 * quantile_from_sorted_data assumes sorted data) and never returns NaN for
 * n >= 1 (GSL's sd divides by n - 1: n == 1 is answered 0 here).
 * Cost: O(n log n) for a summary (the sort), O(n) for the rest.
 */
#include "sim/stats.h"

#include <assert.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>

void sts_summarize(double *x, size_t n, sts_summary *out)
{
    assert(x != NULL);
    assert(n >= 1);
    gsl_sort(x, 1, n);
    out->n = n;
    out->mean = gsl_stats_mean(x, 1, n);
    out->sd = n > 1 ? gsl_stats_sd_m(x, 1, n, out->mean) : 0.0;
    out->p05 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.05);
    out->p50 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.50);
    out->p95 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.95);
    out->min = x[0];
    out->max = x[n - 1];
    assert(out->min <= out->p50 && out->p50 <= out->max);
}

double sts_share_at_least(const double *x, size_t n, double threshold)
{
    if (n == 0)
        return 0.0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += x[i] >= threshold;
    assert(k <= n);
    return (double)k / (double)n;
}

/* The standard normal's distribution function through C99's erfc: the
 * same values as gsl_cdf_ugaussian_P to a few ulps, at half the cost (a
 * batch evaluates it millions of times). */
static double normal_cdf(double z)
{
    return 0.5 * erfc(-z * 0.70710678118654752440);
}

double sts_with_model_error_cdf(const double *x, const double *w, size_t n, double sd_log, double q)
{
    assert(n >= 1 && sd_log > 0);
    double below = 0, all = 0;
    for (size_t k = 0; k < n; k++) {
        assert(isfinite(x[k]));
        double wk = w ? w[k] : 1.0, g;
        if (x[k] <= 0)
            g = q >= x[k] ? 1.0 : 0.0;
        else
            g = q <= 0 ? 0.0 : normal_cdf((log(q) - log(x[k])) / sd_log);
        below += wk * g;
        all += wk;
    }
    return all > 0 ? below / all : 0.0;
}

double sts_with_model_error_quantile(const double *x, const double *w, size_t n, double sd_log, double p)
{
    assert(n >= 1 && sd_log > 0 && p > 0 && p < 1);
    /* Values <= 0 are point masses: when they hold p, the quantile is one of them. */
    double at_zero = sts_with_model_error_cdf(x, w, n, sd_log, 0.0);
    if (at_zero >= p) {
        double best = -HUGE_VAL; /* the largest of them holds it all */
        for (size_t k = 0; k < n; k++)
            if (x[k] <= 0 && x[k] > best)
                best = x[k];
        for (size_t k = 0; k < n; k++)
            if (x[k] <= 0 && x[k] < best && sts_with_model_error_cdf(x, w, n, sd_log, x[k]) >= p)
                best = x[k];
        return best;
    }
    /* Otherwise it is positive, y = log q solving G(y) = sum w_k Phi((y - l_k)
     * / sd) / sum w - (p - at_zero) = 0 over the positive values. With
     * p' = (p - at_zero) / (1 - at_zero), the root lies between the least
     * and the largest l_k + sd Phi^-1(p'): a bracket for Newton's steps,
     * which fall back to bisection when they leave it. */
    double all = 0, plus = 0, mean = 0, lo = HUGE_VAL, hi = -HUGE_VAL;
    for (size_t k = 0; k < n; k++) {
        double wk = w ? w[k] : 1.0;
        all += wk;
        if (x[k] > 0) {
            double l = log(x[k]);
            plus += wk;
            mean += wk * l;
            lo = fmin(lo, l);
            hi = fmax(hi, l);
        }
    }
    double target = p - at_zero, shift = sd_log * gsl_cdf_ugaussian_Pinv(target / (plus / all));
    lo += shift;
    hi += shift;
    /* Start at the weighted mean log moved by the shift: exact when the runs
     * agree, and close when they differ by less than the error (the usual
     * case), so Newton takes a few steps. */
    double y = fmin(hi, fmax(lo, mean / plus + shift));
    for (int it = 0; it < 200 && hi - lo > 1e-13 * fmax(1.0, fabs(y)); it++) {
        double g = 0, dg = 0;
        for (size_t k = 0; k < n; k++)
            if (x[k] > 0) {
                double wk = (w ? w[k] : 1.0) / all, z = (y - log(x[k])) / sd_log;
                g += wk * normal_cdf(z);
                dg += wk * exp(-0.5 * z * z) / (sd_log * 2.5066282746310002);
            }
        g -= target;
        if (g < 0)
            lo = y;
        else
            hi = y;
        double next = dg > 0 ? y - g / dg : lo;
        if (!(next > lo && next < hi))
            next = (lo + hi) / 2;
        if (fabs(next - y) <= 1e-13 * fmax(1.0, fabs(y))) {
            y = next;
            break;
        }
        y = next;
    }
    return exp(y);
}

double sts_rel_error(double model, double target)
{
    return target != 0.0 ? (model - target) / fabs(target) : model - target;
}

double sts_objective(const double *model, const double *target, const double *weight, size_t n)
{
    assert(n == 0 || (model && target));
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = sts_rel_error(model[i], target[i]);
        sum += (weight ? weight[i] : 1.0) * e * e;
    }
    assert(!(sum < 0.0));
    return sum;
}
