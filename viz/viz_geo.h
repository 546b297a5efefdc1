/* viz_geo.h: the map's geography (prefix viz_geo_).
 *
 * Two files of the data folder, derived once by tools/derive-map.sh from
 * GSHHG and R's mapdata (sources and licences in their headers):
 * china_land.csv, a land mask as runs of 0.05-degree cells per band of
 * latitude, and china_lines.csv, simplified coast, border and province
 * polylines. Pure data: no SDL. The view works without them (no map drawn).
 * Cost: loading reads ~0.3 MB once; is_land is O(runs in one band).
 */
#ifndef ECNYSIM_VIZ_GEO_H
#define ECNYSIM_VIZ_GEO_H

#include <stdbool.h>

#include "sim/error.h"

typedef enum { VIZ_GEO_COAST, VIZ_GEO_BORDER, VIZ_GEO_PROVINCE, VIZ_GEO_KINDS } viz_geo_kind;

typedef struct {
    int first, count; /* land cells first .. first + count - 1 */
} viz_geo_run;

typedef struct {
    viz_geo_kind kind;
    int n;                 /* points */
    const float *lon, *lat;
    float lon_lo, lon_hi, lat_lo, lat_hi; /* bounding box */
} viz_geo_line;

typedef struct viz_geo viz_geo;

/* Loads data_dir/china_land.csv and data_dir/china_lines.csv. NULL with
 * FILE:LINE messages in errs when a file is missing or malformed. Free with
 * viz_geo_free. */
viz_geo *viz_geo_load(const char *data_dir, err_list *errs);
void viz_geo_free(viz_geo *g); /* NULL is fine */

/* The mask's grid: bands of step_deg from lat_south, cells of step_deg from lon_west. */
int viz_geo_bands(const viz_geo *g);
void viz_geo_grid(const viz_geo *g, double *lat_south, double *lon_west, double *step_deg);
/* The land runs of band b (0 = southernmost); *n receives their number. */
const viz_geo_run *viz_geo_band(const viz_geo *g, int b, int *n);
/* Whether (lat, lon) is land; false outside the mask. */
bool viz_geo_is_land(const viz_geo *g, double lat, double lon);

int viz_geo_lines(const viz_geo *g);
const viz_geo_line *viz_geo_line_at(const viz_geo *g, int i);

#endif
