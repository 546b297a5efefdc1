/* viz_int.h: helpers shared by the drawing files of viz/ (not public).
 *
 * viz_ctx carries what one frame is drawn from; the panels (map, legend,
 * charts, gauges, detail, header) each draw into their own rectangle of the
 * layout. Formatting helpers write short figures ("1.52M", "41.2%").
 */
#ifndef ECNYSIM_VIZ_INT_H
#define ECNYSIM_VIZ_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "viz/viz_draw.h"
#include "viz/viz_gfx.h"
#include "viz/viz_layout.h"

typedef struct {
    SDL_Renderer *r;
    viz_text *t;
    const viz_series *s;
    const viz_state *st;
    viz_layout L;
    int d;                       /* cursor day index, -1 when the series is empty */
    int32_t first_day, last_day; /* time axis */
} viz_ctx;

/* Fills c for a frame of w x h (r may be NULL when nothing is drawn);
 * scales the fonts of t (when not NULL) to the layout. */
void viz_ctx_make(viz_ctx *c, SDL_Renderer *r, viz_text *t, const viz_series *s, const viz_state *st, int w, int h);

/* A city's label: its box and, when it sits away from the city, the point
 * on the city's ring its leader line starts from. */
typedef struct {
    SDL_Rect box;
    bool leader;
    double ax, ay;
} viz_label;
/* Places every city's label (out[i] for city i) in the map's plot with no
 * two overlapping (see viz_map.c). */
void viz_map_place_labels(const viz_ctx *c, const viz_proj *p, viz_label *out);

void viz_map_draw(const viz_ctx *c);
/* The point at t in [0, 1] of the arc of a flow from (x0, y0) to (x1, y1). */
void viz_map_arc_point(double x0, double y0, double x1, double y1, double t, double *x, double *y);
void viz_legend_draw(const viz_ctx *c);
void viz_detail_draw(const viz_ctx *c);
void viz_chart_draw(const viz_ctx *c, int i);
void viz_gauges_draw(const viz_ctx *c);
/* The gauge panel's grid: gauges per page, their area, row height and columns. */
int viz_gauges_per_page(const viz_ctx *c, bool kpi, SDL_Rect *area, int *row_h, int *cols);

/* Disc radius for the city's wallets (0 when none) and ring radius for its
 * population, both in pixels, given the projection's radius_max. */
double viz_map_radius(const viz_series *s, int d, int city, double radius_max, double *ring);
/* The top of the colour scale of metric m: fixed per metric (100%, 10%
 * for the e-CNY share of payments); values above it take the top colour. */
double viz_metric_top(const viz_series *s, viz_metric m);
/* The nice number (1, 2, 2.5, 5 x 10^k) at or above v (> 0). */
double viz_nice(double v);
void viz_fmt_count(double v, char *out, size_t len);
void viz_fmt_pct(double share, char *out, size_t len);
/* A white panel with a border and a bold title. */
void viz_panel(const viz_ctx *c, SDL_Rect rc, const char *title);

#endif
