/* viz_load.c: replay input (see viz_load.h).
 *
 * Invariant: rows of daily.csv come in date order (the run writes them so);
 * a date going backwards is reported, not sorted. Cost: one pass over each
 * file; tab_read holds a file in memory while it is read.
 */
#include "viz/viz_load.h"

#include <iniparser/iniparser.h>
#include <stdio.h>
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
                err_add(errs, "out of memory reading %s", path);
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
        load_kpi(path, s, errs);
        snprintf(path, sizeof path, "%s/manifest.ini", dir);
        viz_load_markers(path, s);
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

int viz_load_markers(const char *ini_path, viz_series *s)
{
    static const char *const keys[] = {"date", "start", "start_date", "draw_date", "pilot_start"};
    dictionary *d = iniparser_load(ini_path);
    if (!d)
        return 0;
    int added = 0;
    for (int i = 0; i < iniparser_getnsec(d); i++) {
        const char *sec = iniparser_getsecname(d, i);
        if (!sec || strcmp(sec, "scenario") == 0 || strcmp(sec, "run") == 0)
            continue;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            char key[512];
            snprintf(key, sizeof key, "%s:%s", sec, keys[k]);
            int32_t day;
            const char *v = iniparser_getstring(d, key, "");
            if (v && cal_parse_date(v, &day) && viz_series_add_marker(s, day, sec))
                added++;
        }
    }
    iniparser_freedict(d);
    return added;
}

bool viz_load_geo(const char *data_dir, viz_series *s, err_list *errs)
{
    viz_geo *g = viz_geo_load(data_dir, errs);
    viz_series_set_geo(s, g);
    return g != NULL;
}
