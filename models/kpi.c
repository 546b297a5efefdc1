/* kpi.c: KPI targets of a city, their attainment and cost ([kpi.NAME], prefix kpi_).
 *
 * A KPI names a city, a metric, a target and a deadline (Suzhou 2023: two
 * trillion yuan of e-CNY transactions in the year). Flow metrics
 * (transaction_value, payments, new_wallets, loans, loan_count) are summed
 * from the KPI's start date; stock metrics (wallets, active_wallets,
 * merchants) are the level of the day. Money is counted in integer fen
 * (transaction_value and loans achieved, the cost), other metrics as
 * integer counts, and turned into yuan only where a row is written. Every
 * day the achieved value is kept (one int64 per day, allocated at setup), so
 * at any time the KPI knows the
 * day it was first reached, or, when it is not reached, the day a linear
 * trend of the last trend_days days would reach it (none when the trend is
 * flat or falling). Its cost is the cost so far of the programmes it names
 * (default: every programme of its city) plus its own fixed cost.
 *
 * Publishes kpi_daily.csv (date, kpi, target, achieved, programme_cost_yuan;
 * target and achieved in the metric's unit, yuan rounded for money) and
 * kpi.csv (one row per KPI, written at the end; see docs/programmes.md).
 * Cost: O(KPIs x programmes) per day.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/programme.h"
#include "sim/calendar.h"

enum { K_VALUE, K_PAYMENTS, K_NEW_WALLETS, K_LOANS, K_LOAN_COUNT, K_WALLETS, K_ACTIVE, K_MERCHANTS, K_METRICS };
static const char *const metric_names[K_METRICS] = {"transaction_value", "payments", "new_wallets", "loans",
                                                     "loan_count", "wallets", "active_wallets", "merchants"};
static const char *const metric_units[K_METRICS] = {"yuan", "payments", "wallets", "yuan",
                                                    "loans", "wallets", "wallets", "merchants"};

#define KPI_COLS 16
#define KPI_CELL 48

typedef struct {
    const scn_instance *in;
    char name[64];
    int city, metric;
    double target;
    int32_t start, deadline, trend_days;
    int64_t fixed_cost_fen;
    char programmes[512]; /* "kind.name,..." or "" for every programme of the city */
    /* achieved and base in the metric's unit: fen for money metrics
     * (transaction_value, loans), a count otherwise (see in_unit) */
    int64_t achieved, base, cost_fen;
    int32_t reached_day; /* INT32_MIN until reached */
    int64_t *history;    /* achieved at the end of each day run */
    int32_t last_index;
} kpi_one;

struct kpi_set {
    int n;
    kpi_one *k;
    const scn_doc *doc;
    int32_t n_days, start_day;
    /* tables */
    const char *daily_cols[3];
    int64_t *daily_values;
    const char **row_label;
    snap_table daily, final;
    const char *final_cols[KPI_COLS];
    char *cells;
    const char **cell_ptr;
    int64_t *zero;
};

kpi_set *kpi_create(const scn_doc *doc, wld_world *w, err_list *errs)
{
    kpi_set *s = calloc(1, sizeof *s);
    if (!s) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return NULL;
    }
    s->n = (int)scn_count(doc, "kpi");
    s->k = calloc((size_t)s->n + 1, sizeof *s->k);
    if (!s->k) {
        free(s);
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return NULL;
    }
    s->doc = doc;
    s->n_days = w->n_days;
    s->start_day = w->start_day;
    bool ok = true;
    for (int i = 0; i < s->n; i++) {
        kpi_one *k = &s->k[i];
        k->in = scn_nth(doc, "kpi", (size_t)i);
        snprintf(k->name, sizeof k->name, "%s", scn_name(k->in));
        k->city = prg_city_of(doc, k->in, "city", w, errs);
        ok = ok && k->city >= 0;
        const char *metric = scn_str(k->in, "metric");
        k->metric = -1;
        for (int m = 0; m < K_METRICS; m++)
            if (strcmp(metric, metric_names[m]) == 0)
                k->metric = m;
        k->target = scn_real(k->in, "target");
        k->start = scn_has(k->in, "start") ? scn_date(k->in, "start") : w->scenario_start_day;
        k->deadline = scn_date(k->in, "deadline");
        k->trend_days = (int32_t)scn_int(k->in, "trend_days");
        k->fixed_cost_fen = scn_fen(k->in, "fixed_cost_yuan");
        snprintf(k->programmes, sizeof k->programmes, "%s", scn_str(k->in, "programmes"));
        k->reached_day = INT32_MIN;
        char where[600];
        if (k->deadline < k->start) {
            scn_where(doc, k->in, "deadline", where, sizeof where);
            err_add(errs, "%s: deadline in [kpi.%s] is before its start: expected on or after it", where, k->name);
            ok = false;
        }
    }
    if (!ok) {
        kpi_free(s);
        return NULL;
    }
    return s;
}

/* The programme a KPI names as KIND.NAME, or NULL. */
static prg_programme *find_named(prg_set *ps, char *kind_dot_name)
{
    char *dot = strchr(kind_dot_name, '.');
    if (!dot)
        return NULL;
    *dot = '\0';
    prg_programme *p = prg_find(ps, kind_dot_name, dot + 1);
    *dot = '.';
    return p;
}

bool kpi_check(kpi_set *s, prg_set *ps, err_list *errs)
{
    /* Named programmes must exist. */
    bool ok = true;
    for (int i = 0; i < s->n; i++) {
        kpi_one *k = &s->k[i];
        char buf[512];
        snprintf(buf, sizeof buf, "%s", k->programmes);
        for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
            if (!find_named(ps, t)) {
                char where[600];
                scn_where(s->doc, k->in, "programmes", where, sizeof where);
                err_add(errs, "%s: '%s' in programmes of [kpi.%s] is not a programme of this scenario: expected "
                              "KIND.NAME, e.g. loans.suzhou_sme",
                        where, t, k->name);
                ok = false;
            }
        }
    }
    return ok;
}

bool kpi_setup(kpi_set *s, prg_set *ps, wld_world *w, err_list *errs)
{
    /* Named programmes must exist (kpi_check, at prg_create, already said so). */
    bool ok = true;
    for (int i = 0; i < s->n; i++) {
        kpi_one *k = &s->k[i];
        char buf[512];
        snprintf(buf, sizeof buf, "%s", k->programmes);
        for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
            ok = ok && find_named(ps, t) != NULL;
        k->history = calloc((size_t)s->n_days + 1, sizeof *k->history);
        if (!k->history) {
            err_add_kind(errs, ERR_MEMORY, "out of memory");
            return false;
        }
    }
    if (!ok)
        return false;
    s->daily_cols[0] = "target";
    s->daily_cols[1] = "achieved";
    s->daily_cols[2] = "programme_cost_yuan";
    s->daily_values = calloc((size_t)s->n * 3 + 1, sizeof *s->daily_values);
    s->row_label = calloc((size_t)s->n + 1, sizeof *s->row_label);
    s->cells = calloc((size_t)(s->n + 1) * KPI_COLS, KPI_CELL);
    s->cell_ptr = calloc((size_t)(s->n + 1) * KPI_COLS, sizeof *s->cell_ptr);
    s->zero = calloc((size_t)(s->n + 1) * KPI_COLS, sizeof *s->zero);
    if (!s->daily_values || !s->row_label || !s->cells || !s->cell_ptr || !s->zero) {
        err_add_kind(errs, ERR_MEMORY, "out of memory");
        return false;
    }
    for (int i = 0; i < s->n; i++)
        s->row_label[i] = s->k[i].name;
    for (int c = 0; c < (s->n + 1) * KPI_COLS; c++)
        s->cell_ptr[c] = s->cells + (size_t)c * KPI_CELL;
    static const char *const cols[KPI_COLS] = {
        "kpi", "city", "metric", "unit", "target", "achieved", "attainment_pct", "status",
        "reached_on", "projected_on", "deadline", "met_by_deadline", "programme_cost_yuan", "cost_per_unit_yuan",
        "start", "last_date"};
    for (int c = 0; c < KPI_COLS; c++)
        s->final_cols[c] = cols[c];
    s->daily = (snap_table){"kpi_daily.csv", 3, s->daily_cols, s->daily_values, s->n, s->row_label, "kpi", 0, NULL};
    s->final = (snap_table){"kpi.csv", KPI_COLS, s->final_cols, s->zero, 0, NULL, NULL, 1, s->cell_ptr};
    (void)w;
    return true;
}

static bool counts_programme(const kpi_one *k, const prg_programme *p, const prg_set *ps)
{
    (void)ps;
    if (!k->programmes[0])
        return p->city == k->city;
    static const char *const sections[PRG_KINDS] = {"airdrop", "transit", "rural", "payroll", "loans", "incentive",
                                                    "offline"};
    char want[160];
    snprintf(want, sizeof want, "%s.%s", sections[p->kind], p->name);
    char buf[512];
    snprintf(buf, sizeof buf, "%s", k->programmes);
    for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
        if (strcmp(t, want) == 0)
            return true;
    return false;
}

/* A value of the metric's unit as a real number of that unit: fen of a
 * money metric in yuan, a count as it is. Only for ratios and comparisons
 * with the target (a real), never summed. */
static double in_unit(const kpi_one *k, int64_t v)
{
    return k->metric == K_VALUE || k->metric == K_LOANS ? (double)v / 100.0 : (double)v;
}

/* Whole units, rounded half away from zero (as llround): fen to yuan for a
 * money metric, a count as it is. */
static int64_t whole_units(const kpi_one *k, int64_t v)
{
    if (k->metric != K_VALUE && k->metric != K_LOANS)
        return v;
    return v >= 0 ? (v + 50) / 100 : -((-v + 50) / 100);
}

/* A programme's cost so far in real fen: its simulated spending times the
 * scale plus its fixed cost (prg_cost_yuan in models/programme.c, exact). */
static int64_t programme_cost_fen(const prg_programme *p, const wld_world *w)
{
    return p->cost_fen * w->scale + p->fixed_cost_fen;
}

void kpi_day_end(kpi_set *s, prg_set *ps, wld_world *w, int32_t day, int32_t day_index)
{
    for (int i = 0; i < s->n; i++) {
        kpi_one *k = &s->k[i];
        const wld_city *c = &w->city[k->city];
        int64_t scale = w->scale;
        if (day >= k->start) {
            switch (k->metric) {
            case K_VALUE: k->achieved += c->m[M_VALUE_ECNY] * scale; break; /* fen */
            case K_PAYMENTS: k->achieved += c->m[M_PAYMENTS_ECNY] * scale; break;
            case K_NEW_WALLETS: k->achieved += c->m[M_NEW_WALLETS] * scale; break;
            case K_WALLETS: k->achieved = c->m[M_WALLETS] * scale; break;
            case K_ACTIVE: k->achieved = c->m[M_ACTIVE_WALLETS] * scale; break;
            case K_MERCHANTS: k->achieved = c->m[M_MERCHANTS_ACCEPTING] * scale; break;
            default: break;
            }
        }
        if (k->metric == K_LOANS || k->metric == K_LOAN_COUNT) {
            /* Loans programmes of the city keep their own cumulative totals;
             * count what was disbursed since the KPI's start (fen for loans). */
            int64_t total = k->metric == K_LOANS ? prg_city_loans_fen(ps, k->city) * scale
                                                 : prg_city_loans_n(ps, k->city) * scale;
            if (day < k->start)
                k->base = total; /* disbursed before the KPI's start does not count */
            k->achieved = day >= k->start ? total - k->base : 0;
        }
        int64_t cost_fen = k->fixed_cost_fen;
        for (int j = 0; j < prg_count(ps); j++) {
            prg_programme *p = prg_get(ps, j);
            if (counts_programme(k, p, ps))
                cost_fen += programme_cost_fen(p, w);
        }
        k->cost_fen = cost_fen;
        if (day_index >= 0 && day_index < s->n_days)
            k->history[day_index] = k->achieved;
        k->last_index = day_index;
        if (k->reached_day == INT32_MIN && day >= k->start && in_unit(k, k->achieved) >= k->target)
            k->reached_day = day;
        s->daily_values[i * 3 + 0] = llround(k->target);
        s->daily_values[i * 3 + 1] = whole_units(k, k->achieved);
        s->daily_values[i * 3 + 2] = (k->cost_fen + 50) / 100; /* yuan, half up: a cost is never negative */
    }
}

int kpi_count(const kpi_set *s) { return s ? s->n : 0; }
const snap_table *kpi_daily_table(kpi_set *s) { return &s->daily; }

static void put(kpi_set *s, int row, int col, const char *fmt, double v)
{
    snprintf(s->cells + ((size_t)row * KPI_COLS + (size_t)col) * KPI_CELL, KPI_CELL, fmt, v);
}

static void put_text(kpi_set *s, int row, int col, const char *text)
{
    snprintf(s->cells + ((size_t)row * KPI_COLS + (size_t)col) * KPI_CELL, KPI_CELL, "%s", text);
}

static void put_date(kpi_set *s, int row, int col, int32_t day)
{
    char d[CAL_DATE_LEN] = "";
    if (day != INT32_MIN && day != INT32_MAX)
        cal_format(day, d);
    put_text(s, row, col, d);
}

const snap_table *kpi_final_table(kpi_set *s, prg_set *ps, wld_world *w)
{
    (void)ps;
    for (int i = 0; i < s->n; i++) {
        kpi_one *k = &s->k[i];
        int32_t today = s->start_day + k->last_index;
        put_text(s, i, 0, k->name);
        put_text(s, i, 1, w->city[k->city].name);
        put_text(s, i, 2, metric_names[k->metric]);
        put_text(s, i, 3, metric_units[k->metric]);
        put(s, i, 4, "%.0f", k->target);
        double achieved = in_unit(k, k->achieved);
        put(s, i, 5, "%.0f", achieved);
        put(s, i, 6, "%.2f", k->target > 0 ? 100.0 * achieved / k->target : 0);
        bool met = k->reached_day != INT32_MIN;
        put_text(s, i, 7, met ? "met" : "not_met");
        put_date(s, i, 8, met ? k->reached_day : INT32_MIN);
        /* Projection: linear trend over the last trend_days days run. */
        int32_t projected = met ? k->reached_day : INT32_MIN;
        if (!met) {
            int32_t first = k->start > s->start_day ? k->start - s->start_day : 0;
            int32_t span = k->last_index - first;
            if (span > k->trend_days)
                span = k->trend_days;
            if (span > 0) {
                double slope = in_unit(k, k->history[k->last_index] - k->history[k->last_index - span]) / span;
                if (slope > 0) {
                    double days = ceil((k->target - achieved) / slope);
                    projected = days < 36500 ? today + (int32_t)days : INT32_MIN;
                }
            }
        }
        put_date(s, i, 9, projected);
        put_date(s, i, 10, k->deadline);
        put_text(s, i, 11, met ? (k->reached_day <= k->deadline ? "yes" : "no")
                               : (projected != INT32_MIN && projected <= k->deadline ? "projected" : "no"));
        char cost[KPI_CELL];
        snprintf(cost, sizeof cost, "%lld.%02lld", (long long)(k->cost_fen / 100), (long long)(k->cost_fen % 100));
        put_text(s, i, 12, cost); /* exact: a cost is never negative */
        if (k->achieved > 0)
            put(s, i, 13, "%.6g", ((double)k->cost_fen / 100.0) / achieved);
        else
            put_text(s, i, 13, "NA");
        put_date(s, i, 14, k->start);
        put_date(s, i, 15, today);
    }
    s->final.n_rows = s->n;
    return &s->final;
}

void kpi_free(kpi_set *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++)
        free(s->k[i].history);
    free(s->k);
    free(s->daily_values);
    free(s->row_label);
    free(s->cells);
    free(s->cell_ptr);
    free(s->zero);
    free(s);
}

int64_t prg_city_loans_fen(const prg_set *s, int city)
{
    int64_t t = 0;
    for (int i = 0; i < prg_count(s); i++) {
        prg_programme *p = prg_get((prg_set *)s, i);
        if (p->kind == PRG_LOANS && p->city == city)
            t += loan_disbursed_fen(p);
    }
    return t;
}

int64_t prg_city_loans_n(const prg_set *s, int city)
{
    int64_t t = 0;
    for (int i = 0; i < prg_count(s); i++) {
        prg_programme *p = prg_get((prg_set *)s, i);
        if (p->kind == PRG_LOANS && p->city == city)
            t += loan_disbursed_n(p);
    }
    return t;
}

/* ------------------------------------------------------------ checkpoints */

#include "sim/checkpoint.h"

void kpi_save(const kpi_set *s, ckp_writer *ck)
{
    ckp_put_tag(ck, CKP_TAG('K', 'P', 'I', 'S'));
    ckp_put_u32(ck, (uint32_t)s->n);
    for (int i = 0; i < s->n; i++) {
        const kpi_one *k = &s->k[i];
        ckp_put_i64(ck, k->achieved);
        ckp_put_i64(ck, k->cost_fen);
        ckp_put_i64(ck, k->base);
        ckp_put_i32(ck, k->reached_day);
        ckp_put_i32(ck, k->last_index);
        ckp_put_array(ck, k->history, sizeof *k->history, k->history ? (uint64_t)s->n_days + 1 : 0);
    }
}

void kpi_load(kpi_set *s, ckp_reader *ck)
{
    if (!ckp_expect_tag(ck, CKP_TAG('K', 'P', 'I', 'S'), "KPIs"))
        return;
    uint32_t n = ckp_get_u32(ck);
    if (!ckp_read_failed(ck) && n != (uint32_t)s->n) {
        ckp_fail(ck, "the checkpoint has %u KPIs, this scenario %d: KPIs cannot be added or removed when resuming",
                 n, s->n);
        return;
    }
    for (int i = 0; i < s->n && !ckp_read_failed(ck); i++) {
        kpi_one *k = &s->k[i];
        k->achieved = ckp_get_i64(ck);
        k->cost_fen = ckp_get_i64(ck);
        k->base = ckp_get_i64(ck);
        k->reached_day = ckp_get_i32(ck);
        k->last_index = ckp_get_i32(ck);
        ckp_get_array(ck, k->history, sizeof *k->history, k->history ? (uint64_t)s->n_days + 1 : 0, "KPI days");
    }
}
