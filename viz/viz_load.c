/* viz_load.c: replay input (see viz_load.h).
 *
 * Invariant: rows of daily.csv come in date order (the run writes them so);
 * a date going backwards is reported, not sorted. Cost: one pass over each
 * file; tab_read holds a file in memory while it is read.
 */
#include "viz/viz_load.h"

#include <iniparser/iniparser.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/calendar.h"
#include "sim/table.h"

/* The cities.csv area of a results city: [city.NAME] area when set. */
static const char *area_of(dictionary *manifest, const char *city, char *buf, size_t len)
{
    char key[256];
    snprintf(key, sizeof key, "city.%s:area", city);
    const char *area = manifest ? iniparser_getstring(manifest, key, "") : "";
    snprintf(buf, len, "%s", area && area[0] ? area : city);
    return buf;
}

static bool city_coords(const tab_table *cities, const char *area, const char **display, double *lat, double *lon,
                        err_list *errs)
{
    for (size_t r = 0; r < tab_rows(cities); r++) {
        if (strcmp(tab_get(cities, r, "area"), area) != 0)
            continue;
        *display = tab_get(cities, r, "name");
        return tab_real(cities, r, "lat", -90, 90, lat, errs) && tab_real(cities, r, "lon", -180, 180, lon, errs);
    }
    return false;
}

static bool load_daily(const char *path, dictionary *manifest, const tab_table *cities, viz_series *s,
                       err_list *errs)
{
    static const char *const req[] = {"date", "city", "wallets"};
    tab_table *t = tab_read(path, req, 3, errs);
    if (!t)
        return false;
    bool ok = true;
    int d = -1;
    for (size_t r = 0; r < tab_rows(t) && ok; r++) {
        int32_t day;
        if (!tab_date(t, r, "date", &day, errs)) {
            ok = false;
            break;
        }
        if (d < 0 || day != viz_series_day(s, d)) {
            if (d >= 0 && day < viz_series_day(s, d)) {
                err_add(errs, "%s:%d: date goes backwards: expected rows in date order", path, tab_line(t, r));
                ok = false;
                break;
            }
            d = viz_series_add_day(s, day);
            if (d < 0) {
                err_add_kind(errs, ERR_MEMORY, "out of memory reading %s", path);
                ok = false;
                break;
            }
        }
        const char *name = tab_get(t, r, "city");
        int city = viz_series_find_city(s, name);
        if (city < 0) {
            char area[128];
            const char *display = name;
            double lat = 0, lon = 0;
            if (cities && !city_coords(cities, area_of(manifest, name, area, sizeof area), &display, &lat, &lon,
                                       errs))
                err_add(errs, "%s:%d: city '%s' is not in %s: drawn at 0,0", path, tab_line(t, r), name,
                        tab_path(cities));
            city = viz_series_add_city(s, name, display, lat, lon);
            if (city < 0) {
                err_add(errs, "%s:%d: more than %d cities", path, tab_line(t, r), VIZ_MAX_CITIES);
                ok = false;
                break;
            }
        }
        for (int c = 0; c < VIZ_COL_COUNT; c++) {
            const char *v = tab_get(t, r, viz_col_name((viz_col)c));
            if (v[0])
                viz_series_set(s, d, city, (viz_col)c, strtoll(v, NULL, 10));
        }
    }
    tab_free(t);
    return ok;
}

static void load_kpi(const char *path, viz_series *s, err_list *errs)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    static const char *const req[] = {"date", "kpi", "target", "achieved"};
    tab_table *t = tab_read(path, req, 4, errs);
    if (!t)
        return;
    for (size_t r = 0; r < tab_rows(t); r++) {
        int32_t day;
        double target, achieved;
        if (!tab_date(t, r, "date", &day, errs) || !tab_real(t, r, "target", -1e18, 1e18, &target, errs) ||
            !tab_real(t, r, "achieved", -1e18, 1e18, &achieved, errs))
            break;
        int d = viz_series_index_of(s, day);
        if (d < 0 || viz_series_day(s, d) != day)
            continue;
        char buf[VIZ_NAME_LEN];
        snprintf(buf, sizeof buf, "%s", tab_get(t, r, "kpi"));
        viz_series_add_kpi(s, d, buf, target, achieved);
    }
    tab_free(t);
}

static void load_flow_values(const char *path, viz_series *s, err_list *errs);

bool viz_load_results(const char *dir, viz_series *s, char *title, size_t title_len, err_list *errs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.ini", dir);
    struct stat st;
    if (stat(path, &st) != 0) {
        err_add(errs, "%s: no manifest.ini: expected a results folder written by 'ecnysim run'", dir);
        return false;
    }
    dictionary *manifest = iniparser_load(path);
    if (!manifest) {
        err_add(errs, "%s: cannot be read as INI", path);
        return false;
    }
    snprintf(title, title_len, "%s", iniparser_getstring(manifest, "scenario:name", "results"));
    /* [run] data_dir is where the run found its data (absolute); older
     * manifests only have the scenario's own, relative to where it ran. */
    const char *data_dir = iniparser_getstring(manifest, "run:data_dir", NULL);
    if (!data_dir)
        data_dir = iniparser_getstring(manifest, "scenario:data_dir", "data");
    char cities_path[4096];
    snprintf(cities_path, sizeof cities_path, "%s/cities.csv", data_dir);
    static const char *const req[] = {"area", "name", "lat", "lon"};
    tab_table *cities = tab_read(cities_path, req, 4, errs);
    bool ok = cities != NULL;
    if (ok) {
        snprintf(path, sizeof path, "%s/daily.csv", dir);
        ok = load_daily(path, manifest, cities, s, errs);
    }
    if (ok && viz_series_days(s) == 0) {
        err_add(errs, "%s: no rows: expected at least one simulated day", path);
        ok = false;
    }
    if (ok) {
        snprintf(path, sizeof path, "%s/kpi_daily.csv", dir);
        struct stat plain;
        if (stat(path, &plain) != 0) /* a --compress run wrote kpi_daily.csv.gz */
            snprintf(path, sizeof path, "%s/kpi_daily.csv.gz", dir);
        load_kpi(path, s, errs);
        snprintf(path, sizeof path, "%s/manifest.ini", dir);
        viz_load_markers(path, s);
        viz_load_kpi_info(path, s);
        viz_load_flows(path, s);
        snprintf(path, sizeof path, "%s/flows.csv", dir);
        load_flow_values(path, s, errs);
    }
    if (ok) {
        err_list *map_errs = malloc(sizeof *map_errs);
        if (map_errs) { /* a missing map is no failure: the view draws without it */
            err_init(map_errs);
            viz_load_geo(data_dir, s, map_errs);
            free(map_errs);
        }
    }
    tab_free(cities);
    iniparser_freedict(manifest);
    return ok;
}

/* "luohu_2020" -> "Luohu 2020". */
static void pretty(const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s", name);
    for (char *p = out; *p; p++)
        if (*p == '_' || *p == '-')
            *p = ' ';
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
}

/* 50000 -> "50,000". */
static void thousands(double v, char *out, size_t len)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", v);
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n && o + 2 < len; i++) {
        if (i > 0 && (n - i) % 3 == 0 && digits[0] != '-')
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

static double ini_real(dictionary *d, const char *sec, const char *key)
{
    char k[512];
    snprintf(k, sizeof k, "%s:%s", sec, key);
    return iniparser_getdouble(d, k, 0);
}

/* The words for the event that key of section sec (kind.NAME) dates, or
 * false when the key dates no event worth a marker. */
static bool event_words(dictionary *d, const char *sec, const char *key, char *out, size_t len)
{
    char kind[64], name[96];
    const char *dot = strchr(sec, '.');
    snprintf(kind, sizeof kind, "%.*s", dot ? (int)(dot - sec) : (int)strlen(sec), sec);
    pretty(dot ? dot + 1 : sec, name, sizeof name);
    if (strcmp(kind, "airdrop") == 0) {
        if (strcmp(key, "draw_date") != 0 && !(strcmp(key, "start") == 0))
            return false;
        double pool = ini_real(d, sec, "pool_yuan"), env = ini_real(d, sec, "envelope_yuan");
        char count[32], each[32];
        if (pool > 0 && env > 0) {
            thousands(floor(pool / env), count, sizeof count);
            thousands(env, each, sizeof each);
            snprintf(out, len, "%s lottery · %s × %s yuan", name, count, each);
        } else {
            snprintf(out, len, "%s lottery", name);
        }
        return true;
    }
    if (strcmp(kind, "rural") == 0) {
        if (strcmp(key, "aid_date") == 0) {
            char v[32];
            thousands(ini_real(d, sec, "aid_yuan"), v, sizeof v);
            snprintf(out, len, "%s aid funds · %s yuan", name, v);
        } else if (strcmp(key, "coupon_date") == 0) {
            snprintf(out, len, "%s coupons", name);
        } else if (strcmp(key, "start") == 0) {
            snprintf(out, len, "%s rural outreach", name);
        } else {
            return false;
        }
        return true;
    }
    if (strcmp(kind, "kpi") == 0) {
        if (strcmp(key, "deadline") != 0)
            return false;
        snprintf(out, len, "KPI %s: deadline", name);
        return true;
    }
    if (strcmp(key, "start") != 0 && strcmp(key, "date") != 0 && strcmp(key, "start_date") != 0 &&
        strcmp(key, "pilot_start") != 0)
        return false;
    if (!dot) { /* a single section such as [government] */
        snprintf(out, len, "%s%s", name, strcmp(kind, "government") == 0 ? " payments in e-CNY" : "");
        return true;
    }
    static const char *const words[][2] = {
        {"city", "%s pilot starts"},   {"transit", "%s transit in e-CNY"},       {"payroll", "%s payroll in e-CNY"},
        {"loans", "%s loans"},         {"incentive", "%s merchant incentives"}, {"flow", "%s flows begin"},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(kind, words[i][0]) == 0) {
            snprintf(out, len, words[i][1], name);
            return true;
        }
    snprintf(out, len, "%s %s", name, kind);
    return true;
}

int viz_load_markers(const char *ini_path, viz_series *s)
{
    static const char *const keys[] = {"date",     "start",    "start_date",  "draw_date",
                                       "pilot_start", "aid_date", "coupon_date", "deadline"};
    dictionary *d = iniparser_load(ini_path);
    if (!d)
        return 0;
    int added = 0;
    for (int i = 0; i < iniparser_getnsec(d); i++) {
        const char *sec = iniparser_getsecname(d, i);
        if (!sec || strcmp(sec, "scenario") == 0 || strcmp(sec, "run") == 0)
            continue;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            char key[512], words[VIZ_NAME_LEN];
            snprintf(key, sizeof key, "%s:%s", sec, keys[k]);
            int32_t day;
            const char *v = iniparser_getstring(d, key, "");
            if (v && cal_parse_date(v, &day) && event_words(d, sec, keys[k], words, sizeof words) &&
                viz_series_add_marker(s, day, words))
                added++;
        }
    }
    iniparser_freedict(d);
    return added;
}

bool viz_load_geo(const char *data_dir, viz_series *s, err_list *errs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/city_names_zh.csv", data_dir);
    static const char *const req[] = {"area", "name_zh"};
    struct stat st;
    tab_table *names = stat(path, &st) == 0 ? tab_read(path, req, 2, errs) : NULL;
    for (size_t r = 0; names && r < tab_rows(names); r++)
        viz_series_set_zh(s, tab_get(names, r, "area"), tab_get(names, r, "name_zh"));
    tab_free(names);
    viz_geo *g = viz_geo_load(data_dir, errs);
    viz_series_set_geo(s, g);
    return g != NULL;
}

static const char *kpi_unit(const char *metric)
{
    static const char *const map[][2] = {{"transaction_value", "yuan"}, {"loans", "yuan"},
                                         {"payments", "payments"},      {"loan_count", "loans"},
                                         {"merchants", "merchants"},    {"active_wallets", "active users"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(metric, map[i][0]) == 0)
            return map[i][1];
    return "wallets";
}

int viz_load_kpi_info(const char *ini_path, viz_series *s)
{
    dictionary *d = iniparser_load(ini_path);
    if (!d)
        return 0;
    int added = 0;
    int32_t scenario_start = 0;
    cal_parse_date(iniparser_getstring(d, "scenario:start", ""), &scenario_start);
    for (int i = 0; i < iniparser_getnsec(d); i++) {
        const char *sec = iniparser_getsecname(d, i);
        if (!sec || strncmp(sec, "kpi.", 4) != 0)
            continue;
        char key[512];
        viz_kpi_info k;
        memset(&k, 0, sizeof k);
        snprintf(k.name, sizeof k.name, "%s", sec + 4);
        snprintf(key, sizeof key, "%s:city", sec);
        snprintf(k.city, sizeof k.city, "%s", iniparser_getstring(d, key, ""));
        snprintf(key, sizeof key, "%s:metric", sec);
        snprintf(k.metric, sizeof k.metric, "%s", iniparser_getstring(d, key, ""));
        k.unit = kpi_unit(k.metric);
        snprintf(key, sizeof key, "%s:target", sec);
        k.target = iniparser_getdouble(d, key, 0);
        snprintf(key, sizeof key, "%s:start", sec);
        if (!cal_parse_date(iniparser_getstring(d, key, ""), &k.start))
            k.start = scenario_start;
        snprintf(key, sizeof key, "%s:deadline", sec);
        if (!cal_parse_date(iniparser_getstring(d, key, ""), &k.deadline))
            continue;
        added += viz_series_add_kpi_info(s, &k);
    }
    iniparser_freedict(d);
    return added;
}

int viz_load_flows(const char *ini_path, viz_series *s)
{
    dictionary *d = iniparser_load(ini_path);
    if (!d)
        return 0;
    int added = 0;
    for (int i = 0; i < iniparser_getnsec(d); i++) {
        const char *sec = iniparser_getsecname(d, i);
        if (!sec || strncmp(sec, "flow.", 5) != 0)
            continue;
        char kf[512], kt[512];
        snprintf(kf, sizeof kf, "%s:from", sec);
        snprintf(kt, sizeof kt, "%s:to", sec);
        added += viz_series_add_flow(s, sec + 5, iniparser_getstring(d, kf, ""), iniparser_getstring(d, kt, "")) >= 0;
    }
    iniparser_freedict(d);
    return added;
}

/* flows.csv of a results folder, when present: sent_value_fen per flow and day. */
static void load_flow_values(const char *path, viz_series *s, err_list *errs)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    static const char *const req[] = {"date", "flow", "sent_value_fen"};
    tab_table *t = tab_read(path, req, 3, errs);
    if (!t)
        return;
    for (size_t r = 0; r < tab_rows(t); r++) {
        int32_t day;
        int64_t fen;
        if (!tab_date(t, r, "date", &day, errs) ||
            !tab_int(t, r, "sent_value_fen", 0, INT64_MAX, &fen, errs))
            break;
        int d = viz_series_index_of(s, day), f = viz_series_find_flow(s, tab_get(t, r, "flow"));
        if (d >= 0 && viz_series_day(s, d) == day && f >= 0)
            viz_series_set_flow_value(s, d, f, (double)fen / 100);
    }
    tab_free(t);
}
