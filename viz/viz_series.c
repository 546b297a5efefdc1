/* viz_series.c: the view's history of a run (see viz_series.h).
 *
 * Layout: value[(day * cap_cities + city) * VIZ_COL_COUNT + col], with
 * cap_cities fixed at VIZ_MAX_CITIES so adding a city never moves data.
 * Invariant: days are strictly increasing calendar day numbers. Memory per
 * day: VIZ_MAX_CITIES x VIZ_COL_COUNT int64 (20 KiB) plus the KPI rows; a
 * ten-year run is ~75 MiB at most, which the view can afford.
 */
#include "viz/viz_series.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct viz_series {
    viz_city city[VIZ_MAX_CITIES];
    int n_cities;
    int32_t *day;
    int64_t *value;
    viz_kpi *kpi;   /* [day * VIZ_MAX_KPIS + i] */
    int *n_kpi;     /* per day */
    int n_days, cap_days;
    viz_marker marker[VIZ_MAX_MARKERS];
    int n_markers;
    viz_geo *geo;
    viz_kpi_info kpi_info[VIZ_MAX_KPIS];
    int n_kpi_info;
    viz_flow flow[VIZ_MAX_FLOWS];
    int n_flows;
    double *flow_yuan; /* [day * VIZ_MAX_FLOWS + flow] */
    char zh_area[VIZ_MAX_CITIES][VIZ_NAME_LEN], zh[VIZ_MAX_CITIES][VIZ_NAME_LEN];
    int n_zh;
};

static const char *const col_names[VIZ_COL_COUNT] = {
    "population", "wallets", "active_wallets", "rural_wallets", "payments_ecny",
    "value_ecny_fen", "payments_app", "payments_cash", "merchants", "merchants_accepting", "adopters",
};

static const char *const metric_names[VIZ_METRIC_COUNT] = {
    "Adoption (share of residents)", "Active users / residents with a wallet", "e-CNY share of payments",
    "Merchants accepting e-CNY", "Rural share of residents with a wallet",
};

#define ROW_LEN ((size_t)VIZ_MAX_CITIES * VIZ_COL_COUNT)

viz_series *viz_series_alloc(void)
{
    return calloc(1, sizeof(viz_series));
}

void viz_series_free(viz_series *s)
{
    if (!s)
        return;
    free(s->day);
    free(s->value);
    free(s->kpi);
    free(s->n_kpi);
    free(s->flow_yuan);
    viz_geo_free(s->geo);
    free(s);
}

void viz_series_set_geo(viz_series *s, viz_geo *g)
{
    viz_geo_free(s->geo);
    s->geo = g;
}

const viz_geo *viz_series_geo(const viz_series *s)
{
    return s->geo;
}

static void copy_name(char *dst, const char *src)
{
    snprintf(dst, VIZ_NAME_LEN, "%s", src ? src : "");
}

int viz_series_find_city(const viz_series *s, const char *name)
{
    for (int i = 0; i < s->n_cities; i++)
        if (strcmp(s->city[i].name, name) == 0)
            return i;
    return -1;
}

int viz_series_add_city(viz_series *s, const char *name, const char *display, double lat, double lon)
{
    int i = viz_series_find_city(s, name);
    if (i >= 0)
        return i;
    if (s->n_cities == VIZ_MAX_CITIES)
        return -1;
    viz_city *c = &s->city[s->n_cities];
    copy_name(c->name, name);
    copy_name(c->display, display && display[0] ? display : name);
    c->lat = lat;
    c->lon = lon;
    return s->n_cities++;
}

static bool grow(viz_series *s)
{
    if (s->n_days < s->cap_days)
        return true;
    int cap = s->cap_days ? s->cap_days * 2 : 128;
    int32_t *day = realloc(s->day, (size_t)cap * sizeof *day);
    if (!day)
        return false;
    s->day = day;
    int64_t *value = realloc(s->value, (size_t)cap * ROW_LEN * sizeof *value);
    if (!value)
        return false;
    s->value = value;
    viz_kpi *kpi = realloc(s->kpi, (size_t)cap * VIZ_MAX_KPIS * sizeof *kpi);
    if (!kpi)
        return false;
    s->kpi = kpi;
    int *n_kpi = realloc(s->n_kpi, (size_t)cap * sizeof *n_kpi);
    if (!n_kpi)
        return false;
    s->n_kpi = n_kpi;
    double *flow_yuan = realloc(s->flow_yuan, (size_t)cap * VIZ_MAX_FLOWS * sizeof *flow_yuan);
    if (!flow_yuan)
        return false;
    s->flow_yuan = flow_yuan;
    s->cap_days = cap;
    return true;
}

int viz_series_add_day(viz_series *s, int32_t day)
{
    assert(s->n_days == 0 || day > s->day[s->n_days - 1]);
    if (!grow(s))
        return -1;
    int d = s->n_days++;
    s->day[d] = day;
    memset(&s->value[(size_t)d * ROW_LEN], 0, ROW_LEN * sizeof *s->value);
    s->n_kpi[d] = 0;
    for (int f = 0; f < VIZ_MAX_FLOWS; f++)
        s->flow_yuan[(size_t)d * VIZ_MAX_FLOWS + (size_t)f] = 0;
    return d;
}

void viz_series_set(viz_series *s, int d, int city, viz_col col, int64_t value)
{
    assert(d >= 0 && d < s->n_days);
    assert(city >= 0 && city < s->n_cities);
    s->value[((size_t)d * VIZ_MAX_CITIES + (size_t)city) * VIZ_COL_COUNT + col] = value;
}

static int column_of(const snap_table *t, const char *name)
{
    for (int c = 0; c < t->n_columns; c++)
        if (strcmp(t->column[c], name) == 0)
            return c;
    return -1;
}

bool viz_series_add_frame(viz_series *s, const snap_frame *f)
{
    if (s->n_days && f->day <= s->day[s->n_days - 1])
        return true;
    for (int i = 0; i < f->n_cities; i++)
        viz_series_add_city(s, f->city[i].name, f->city[i].display, f->city[i].lat, f->city[i].lon);
    int d = viz_series_add_day(s, f->day);
    if (d < 0)
        return false;
    for (int t = 0; t < f->n_tables; t++) {
        const snap_table *tb = &f->table[t];
        if (tb->at_end || !tb->value)
            continue;
        if (strcmp(tb->file, "daily.csv") == 0) {
            int cols[VIZ_COL_COUNT];
            for (int c = 0; c < VIZ_COL_COUNT; c++)
                cols[c] = column_of(tb, col_names[c]);
            for (int r = 0; r < tb->n_rows; r++) {
                int city = viz_series_add_city(s, tb->row_city[r], NULL, 0, 0);
                if (city < 0)
                    continue;
                for (int c = 0; c < VIZ_COL_COUNT; c++)
                    if (cols[c] >= 0)
                        viz_series_set(s, d, city, (viz_col)c, tb->value[(size_t)r * tb->n_columns + cols[c]]);
            }
        } else if (strcmp(tb->file, "flows.csv") == 0) {
            int cv = column_of(tb, "sent_value_fen");
            for (int r = 0; r < tb->n_rows && cv >= 0; r++) {
                int fl = viz_series_find_flow(s, tb->row_city[r]);
                if (fl >= 0)
                    viz_series_set_flow_value(s, d, fl, (double)tb->value[(size_t)r * tb->n_columns + cv] / 100);
            }
        } else if (strcmp(tb->file, "kpi_daily.csv") == 0 || strcmp(tb->file, "kpi.csv") == 0) {
            int ct = column_of(tb, "target"), ca = column_of(tb, "achieved");
            if (ct < 0 || ca < 0)
                continue;
            for (int r = 0; r < tb->n_rows; r++)
                viz_series_add_kpi(s, d, tb->row_city[r], (double)tb->value[(size_t)r * tb->n_columns + ct],
                                   (double)tb->value[(size_t)r * tb->n_columns + ca]);
        }
    }
    return true;
}

bool viz_series_add_marker(viz_series *s, int32_t day, const char *label)
{
    if (s->n_markers == VIZ_MAX_MARKERS)
        return false;
    int i = s->n_markers++;
    for (; i > 0 && s->marker[i - 1].day > day; i--) /* kept in date order */
        s->marker[i] = s->marker[i - 1];
    s->marker[i].day = day;
    copy_name(s->marker[i].label, label);
    return true;
}

void viz_series_add_kpi(viz_series *s, int d, const char *label, double target, double achieved)
{
    assert(d >= 0 && d < s->n_days);
    if (s->n_kpi[d] == VIZ_MAX_KPIS)
        return;
    viz_kpi *k = &s->kpi[(size_t)d * VIZ_MAX_KPIS + (size_t)s->n_kpi[d]++];
    copy_name(k->label, label);
    k->target = target;
    k->achieved = achieved;
}

int viz_series_days(const viz_series *s) { return s->n_days; }
int viz_series_cities(const viz_series *s) { return s->n_cities; }

const viz_city *viz_series_city(const viz_series *s, int city)
{
    assert(city >= 0 && city < s->n_cities);
    return &s->city[city];
}

int32_t viz_series_day(const viz_series *s, int d)
{
    assert(d >= 0 && d < s->n_days);
    return s->day[d];
}

int viz_series_index_of(const viz_series *s, int32_t day)
{
    int lo = 0, hi = s->n_days - 1, found = -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (s->day[mid] <= day) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return found;
}

int64_t viz_series_get(const viz_series *s, int d, int city, viz_col col)
{
    assert(d >= 0 && d < s->n_days);
    assert(city >= 0 && city < s->n_cities);
    return s->value[((size_t)d * VIZ_MAX_CITIES + (size_t)city) * VIZ_COL_COUNT + col];
}

int64_t viz_series_total(const viz_series *s, int d, viz_col col)
{
    int64_t sum = 0;
    for (int c = 0; c < s->n_cities; c++)
        sum += viz_series_get(s, d, c, col);
    return sum;
}

int viz_series_markers(const viz_series *s) { return s->n_markers; }

const viz_marker *viz_series_marker(const viz_series *s, int i)
{
    assert(i >= 0 && i < s->n_markers);
    return &s->marker[i];
}

int viz_series_kpis(const viz_series *s, int d)
{
    return d >= 0 && d < s->n_days ? s->n_kpi[d] : 0;
}

const viz_kpi *viz_series_kpi(const viz_series *s, int d, int i)
{
    assert(d >= 0 && d < s->n_days && i >= 0 && i < s->n_kpi[d]);
    return &s->kpi[(size_t)d * VIZ_MAX_KPIS + (size_t)i];
}

static int64_t val(const viz_series *s, int d, int city, viz_col c)
{
    return city < 0 ? viz_series_total(s, d, c) : viz_series_get(s, d, city, c);
}

/* Residents holding a wallet: adopters, or wallets in results written before
 * the adopters column existed. Wallets exceed people (several per person),
 * so shares of the population use this. */
static int64_t holders(const viz_series *s, int d, int city)
{
    int64_t adopters = val(s, d, city, VIZ_COL_ADOPTERS);
    return adopters > 0 ? adopters : val(s, d, city, VIZ_COL_WALLETS);
}

int64_t viz_series_holders(const viz_series *s, int d, int city)
{
    return holders(s, d, city);
}

double viz_metric_value(const viz_series *s, viz_metric m, int d, int city)
{
    if (d < 0 || d >= s->n_days)
        return 0;
    double num = 0, den = 0;
    switch (m) {
    case VIZ_METRIC_ADOPTION:
        num = (double)holders(s, d, city);
        den = (double)val(s, d, city, VIZ_COL_POPULATION);
        break;
    case VIZ_METRIC_ACTIVE: /* active_wallets counts adopters who paid lately: people */
        num = (double)val(s, d, city, VIZ_COL_ACTIVE);
        den = (double)holders(s, d, city);
        break;
    case VIZ_METRIC_ECNY_SHARE:
        num = (double)val(s, d, city, VIZ_COL_PAY_ECNY);
        den = num + (double)val(s, d, city, VIZ_COL_PAY_APP) + (double)val(s, d, city, VIZ_COL_PAY_CASH);
        break;
    case VIZ_METRIC_ACCEPTANCE:
        num = (double)val(s, d, city, VIZ_COL_MERCH_ACCEPT);
        den = (double)val(s, d, city, VIZ_COL_MERCHANTS);
        break;
    case VIZ_METRIC_RURAL:
        num = (double)val(s, d, city, VIZ_COL_RURAL);
        den = (double)holders(s, d, city);
        break;
    default:
        return 0;
    }
    return den > 0 ? num / den : 0;
}

void viz_series_set_zh(viz_series *s, const char *area, const char *zh)
{
    for (int i = 0; i < s->n_zh; i++)
        if (strcmp(s->zh_area[i], area) == 0) {
            copy_name(s->zh[i], zh);
            return;
        }
    if (s->n_zh == VIZ_MAX_CITIES)
        return;
    copy_name(s->zh_area[s->n_zh], area);
    copy_name(s->zh[s->n_zh++], zh);
}

const char *viz_series_city_zh(const viz_series *s, int city)
{
    const char *name = viz_series_city(s, city)->name;
    for (int i = 0; i < s->n_zh; i++)
        if (strcmp(s->zh_area[i], name) == 0)
            return s->zh[i];
    return "";
}

int viz_series_find_flow(const viz_series *s, const char *name)
{
    for (int i = 0; i < s->n_flows; i++)
        if (strcmp(s->flow[i].name, name) == 0)
            return i;
    return -1;
}

int viz_series_add_flow(viz_series *s, const char *name, const char *from, const char *to)
{
    int i = viz_series_find_flow(s, name);
    if (i >= 0)
        return i;
    if (s->n_flows == VIZ_MAX_FLOWS)
        return -1;
    viz_flow *f = &s->flow[s->n_flows];
    copy_name(f->name, name);
    copy_name(f->from, from);
    copy_name(f->to, to);
    return s->n_flows++;
}

int viz_series_flows(const viz_series *s) { return s->n_flows; }

const viz_flow *viz_series_flow(const viz_series *s, int i)
{
    assert(i >= 0 && i < s->n_flows);
    return &s->flow[i];
}

void viz_series_set_flow_value(viz_series *s, int d, int f, double yuan)
{
    assert(d >= 0 && d < s->n_days && f >= 0 && f < VIZ_MAX_FLOWS);
    s->flow_yuan[(size_t)d * VIZ_MAX_FLOWS + (size_t)f] = yuan;
}

double viz_series_flow_value(const viz_series *s, int d, int f)
{
    if (d < 0 || d >= s->n_days || f < 0 || f >= s->n_flows)
        return 0;
    return s->flow_yuan[(size_t)d * VIZ_MAX_FLOWS + (size_t)f];
}

bool viz_series_add_kpi_info(viz_series *s, const viz_kpi_info *info)
{
    if (viz_series_kpi_info(s, info->name))
        return true;
    if (s->n_kpi_info == VIZ_MAX_KPIS)
        return false;
    s->kpi_info[s->n_kpi_info++] = *info;
    return true;
}

const viz_kpi_info *viz_series_kpi_info(const viz_series *s, const char *name)
{
    for (int i = 0; i < s->n_kpi_info; i++)
        if (strcmp(s->kpi_info[i].name, name) == 0)
            return &s->kpi_info[i];
    return NULL;
}

double viz_kpi_pace(const viz_kpi_info *info, int32_t day)
{
    if (day >= info->deadline || info->deadline <= info->start)
        return info->target;
    if (day <= info->start)
        return 0;
    return info->target * (double)(day - info->start) / (double)(info->deadline - info->start);
}

#define TREND_DAYS 30

int32_t viz_kpi_projected(const viz_series *s, int d, int k)
{
    if (d < 0 || d >= s->n_days || k < 0 || k >= s->n_kpi[d])
        return -1;
    const viz_kpi *now = viz_series_kpi(s, d, k);
    if (now->achieved >= now->target)
        return s->day[d];
    int d0 = d - TREND_DAYS < 0 ? 0 : d - TREND_DAYS;
    double before = 0;
    for (int i = 0; i < s->n_kpi[d0]; i++)
        if (strcmp(viz_series_kpi(s, d0, i)->label, now->label) == 0)
            before = viz_series_kpi(s, d0, i)->achieved;
    double days = (double)(s->day[d] - s->day[d0]);
    double slope = days > 0 ? (now->achieved - before) / days : 0;
    if (!(slope > 0))
        return -1;
    double ahead = ceil((now->target - now->achieved) / slope);
    return ahead > 36500 ? -1 : s->day[d] + (int32_t)ahead;
}

viz_kpi_state viz_kpi_status(const viz_series *s, int d, int k)
{
    const viz_kpi *now = viz_series_kpi(s, d, k);
    if (now->achieved >= now->target)
        return VIZ_KPI_MET;
    const viz_kpi_info *info = viz_series_kpi_info(s, now->label);
    if (!info)
        return VIZ_KPI_BEHIND;
    int32_t day = s->day[d];
    if (day > info->deadline)
        return VIZ_KPI_MISSED;
    double pace = viz_kpi_pace(info, day);
    int32_t projected = viz_kpi_projected(s, d, k);
    if (now->achieved >= pace || (projected >= 0 && projected <= info->deadline))
        return VIZ_KPI_ON_TRACK;
    return now->achieved >= 0.8 * pace ? VIZ_KPI_AT_RISK : VIZ_KPI_BEHIND;
}

const char *viz_kpi_state_name(viz_kpi_state st)
{
    static const char *const names[] = {"MISSED", "BEHIND", "AT RISK", "ON TRACK", "MET"};
    return st >= VIZ_KPI_MISSED && st <= VIZ_KPI_MET ? names[st] : "?";
}

const char *viz_metric_name(viz_metric m)
{
    return m >= 0 && m < VIZ_METRIC_COUNT ? metric_names[m] : "?";
}

const char *viz_col_name(viz_col c)
{
    return c >= 0 && c < VIZ_COL_COUNT ? col_names[c] : "?";
}
