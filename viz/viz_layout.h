/* viz_layout.h: where everything goes in a frame (prefix viz_layout_,
 * viz_proj_).
 *
 * Pure geometry from the window size: a header, the map and its legend on
 * the left, headline tiles above five time-series charts and the gauge
 * panel in a grid on the right, the story timeline and a footer. The scale (1.0 at 1280x720) sizes text and margins. The
 * map projection is equirectangular (x by longitude times cos(mid
 * latitude), y by latitude), fitted to the bounding box of the cities with
 * margins for the circles and their labels. No drawing, no SDL calls.
 */
#ifndef ECNYSIM_VIZ_LAYOUT_H
#define ECNYSIM_VIZ_LAYOUT_H

#include <SDL.h>

#include "viz/viz_series.h"

#define VIZ_CHARTS 5

typedef struct {
    SDL_Rect header, map, legend, chart[VIZ_CHARTS], gauges, footer;
    SDL_Rect tiles;     /* the headline figures, above the charts */
    SDL_Rect timeline;  /* the story: programme events along the run, above the footer */
    double scale;       /* geometry: 1.0 at 1280x720 */
    double text;        /* text: scale x the user's text scale ([ and ]) */
    int legend_columns; /* columns of the legend's city list */
} viz_layout;

/* The legend grows with the number of cities (up to a third of the body). */
void viz_layout_compute(int w, int h, int n_cities, viz_layout *out);
/* The same with text scaled by text_scale (0.5 to 2): bands that hold text grow. */
void viz_layout_compute_text(int w, int h, int n_cities, double text_scale, viz_layout *out);
/* The inner plot area of chart i (inside the axes). */
SDL_Rect viz_layout_chart_plot(const viz_layout *L, int i);
/* The scrubber of the story timeline (its axis band). */
SDL_Rect viz_layout_scrubber(const viz_layout *L);
/* The map's drawing area (below its title). */
SDL_Rect viz_layout_map_plot(const viz_layout *L);

typedef struct {
    double lat0, lon0; /* the plot's centre */
    double kx, ky;     /* pixels per degree */
    double cx, cy;     /* the plot's centre in pixels */
    double radius_max; /* circle radius of the most populous city */
} viz_proj;

/* Fits the projection to the cities of s inside plot. */
void viz_proj_fit(const viz_series *s, SDL_Rect plot, double scale, viz_proj *p);
void viz_proj_apply(const viz_proj *p, double lat, double lon, double *x, double *y);
void viz_proj_inverse(const viz_proj *p, double x, double y, double *lat, double *lon);

#endif
