/* viz_geo.c: loading the map's land mask and polylines (see viz_geo.h).
 *
 * Layout: every band's runs in one array (band_first[b] indexes it, bands
 * of equal step from the southernmost); every line's points in two float
 * arrays. Invariants: bands are contiguous and south to north; runs of a
 * band are increasing and inside the grid. CSV is read through sim/table.
 */
#include "viz/viz_geo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/table.h"

#define MAX_CELLS 100000

struct viz_geo {
    double lat_south, lon_west, step;
    int n_bands;
    int *band_first; /* n_bands + 1 entries */
    viz_geo_run *run;
    int n_runs;
    viz_geo_line *line;
    int n_lines;
    float *lon, *lat;
};

void viz_geo_free(viz_geo *g)
{
    if (!g)
        return;
    free(g->band_first);
    free(g->run);
    free(g->line);
    free(g->lon);
    free(g->lat);
    free(g);
}

/* Counts the runs of a runs field ("FIRST+COUNT ..."); -1 when malformed. */
static int parse_runs(const char *v, viz_geo_run *out)
{
    int n = 0, prev_end = -1;
    const char *p = v;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        char *end;
        long first = strtol(p, &end, 10);
        if (end == p || *end != '+')
            return -1;
        p = end + 1;
        long count = strtol(p, &end, 10);
        if (end == p || count < 1 || first <= prev_end || first + count > MAX_CELLS)
            return -1;
        if (out)
            out[n] = (viz_geo_run){(int)first, (int)count};
        prev_end = (int)(first + count);
        n++;
        p = end;
    }
    return n;
}

static bool load_land(viz_geo *g, const char *path, err_list *errs)
{
    static const char *const req[] = {"lat_south", "lon_west", "step_deg", "runs"};
    tab_table *t = tab_read(path, req, 4, errs);
    if (!t)
        return false;
    size_t rows = tab_rows(t);
    bool ok = rows > 0;
    if (!ok)
        err_add(errs, "%s: no rows: expected one row per band of latitude", path);
    int total = 0;
    for (size_t r = 0; r < rows && ok; r++) {
        double lat, lon, step;
        ok = tab_real(t, r, "lat_south", -90, 90, &lat, errs) && tab_real(t, r, "lon_west", -180, 180, &lon, errs) &&
             tab_real(t, r, "step_deg", 0.001, 10, &step, errs);
        if (!ok)
            break;
        if (r == 0) {
            g->lat_south = lat;
            g->lon_west = lon;
            g->step = step;
        } else if (fabs(lat - (g->lat_south + r * g->step)) > g->step / 4 || lon != g->lon_west || step != g->step) {
            err_add(errs, "%s:%d: band out of step: expected lat_south %.4f, lon_west %g, step_deg %g", path,
                    tab_line(t, r), g->lat_south + r * g->step, g->lon_west, g->step);
            ok = false;
            break;
        }
        int n = parse_runs(tab_get(t, r, "runs"), NULL);
        if (n < 0) {
            err_add(errs, "%s:%d: column 'runs' is malformed: expected increasing FIRST+COUNT cell runs", path,
                    tab_line(t, r));
            ok = false;
            break;
        }
        total += n;
    }
    if (ok) {
        g->n_bands = (int)rows;
        g->band_first = malloc((rows + 1) * sizeof *g->band_first);
        g->run = malloc((size_t)(total ? total : 1) * sizeof *g->run);
        ok = g->band_first && g->run;
        if (!ok)
            err_add_kind(errs, ERR_MEMORY, "out of memory reading %s", path);
    }
    for (size_t r = 0; r < rows && ok; r++) {
        g->band_first[r] = g->n_runs;
        g->n_runs += parse_runs(tab_get(t, r, "runs"), g->run + g->n_runs);
    }
    if (ok)
        g->band_first[rows] = g->n_runs;
    tab_free(t);
    return ok;
}

static viz_geo_kind kind_of(const char *v)
{
    return strcmp(v, "coast") == 0 ? VIZ_GEO_COAST : strcmp(v, "border") == 0 ? VIZ_GEO_BORDER
           : strcmp(v, "province") == 0                                        ? VIZ_GEO_PROVINCE
                                                                              : VIZ_GEO_KINDS;
}

static bool load_lines(viz_geo *g, const char *path, err_list *errs)
{
    static const char *const req[] = {"kind", "line", "lon", "lat"};
    tab_table *t = tab_read(path, req, 4, errs);
    if (!t)
        return false;
    size_t rows = tab_rows(t);
    g->lon = malloc((rows ? rows : 1) * sizeof *g->lon);
    g->lat = malloc((rows ? rows : 1) * sizeof *g->lat);
    g->line = malloc((rows ? rows : 1) * sizeof *g->line);
    bool ok = g->lon && g->lat && g->line;
    if (!ok)
        err_add_kind(errs, ERR_MEMORY, "out of memory reading %s", path);
    char prev_key[96] = "";
    for (size_t r = 0; r < rows && ok; r++) {
        double lon, lat;
        viz_geo_kind k = kind_of(tab_get(t, r, "kind"));
        if (k == VIZ_GEO_KINDS) {
            err_add(errs, "%s:%d: column 'kind' is '%s': expected coast, border or province", path, tab_line(t, r),
                    tab_get(t, r, "kind"));
            ok = false;
            break;
        }
        ok = tab_real(t, r, "lon", -180, 180, &lon, errs) && tab_real(t, r, "lat", -90, 90, &lat, errs);
        if (!ok)
            break;
        char key[96];
        snprintf(key, sizeof key, "%d/%s", (int)k, tab_get(t, r, "line"));
        if (strcmp(key, prev_key) != 0) {
            g->line[g->n_lines++] = (viz_geo_line){k, 0, g->lon + r, g->lat + r, (float)lon, (float)lon,
                                                   (float)lat, (float)lat};
            snprintf(prev_key, sizeof prev_key, "%s", key);
        }
        viz_geo_line *l = &g->line[g->n_lines - 1];
        g->lon[r] = (float)lon;
        g->lat[r] = (float)lat;
        l->n++;
        l->lon_lo = fminf(l->lon_lo, (float)lon);
        l->lon_hi = fmaxf(l->lon_hi, (float)lon);
        l->lat_lo = fminf(l->lat_lo, (float)lat);
        l->lat_hi = fmaxf(l->lat_hi, (float)lat);
    }
    tab_free(t);
    return ok;
}

viz_geo *viz_geo_load(const char *data_dir, err_list *errs)
{
    viz_geo *g = calloc(1, sizeof *g);
    if (!g) {
        err_add_kind(errs, ERR_MEMORY, "out of memory loading the map");
        return NULL;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/china_land.csv", data_dir);
    bool ok = load_land(g, path, errs);
    snprintf(path, sizeof path, "%s/china_lines.csv", data_dir);
    ok = ok && load_lines(g, path, errs);
    if (!ok) {
        viz_geo_free(g);
        return NULL;
    }
    return g;
}

int viz_geo_bands(const viz_geo *g) { return g->n_bands; }

void viz_geo_grid(const viz_geo *g, double *lat_south, double *lon_west, double *step_deg)
{
    *lat_south = g->lat_south;
    *lon_west = g->lon_west;
    *step_deg = g->step;
}

const viz_geo_run *viz_geo_band(const viz_geo *g, int b, int *n)
{
    if (b < 0 || b >= g->n_bands) {
        *n = 0;
        return NULL;
    }
    *n = g->band_first[b + 1] - g->band_first[b];
    return g->run + g->band_first[b];
}

bool viz_geo_is_land(const viz_geo *g, double lat, double lon)
{
    int b = (int)floor((lat - g->lat_south) / g->step), n;
    const viz_geo_run *run = viz_geo_band(g, b, &n);
    double cell = floor((lon - g->lon_west) / g->step);
    for (int i = 0; i < n; i++)
        if (cell >= run[i].first && cell < run[i].first + run[i].count)
            return true;
    return false;
}

int viz_geo_lines(const viz_geo *g) { return g->n_lines; }

const viz_geo_line *viz_geo_line_at(const viz_geo *g, int i)
{
    return i >= 0 && i < g->n_lines ? &g->line[i] : NULL;
}
