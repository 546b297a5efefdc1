/* viz_draw.h: rendering one frame of the view (prefix viz_draw, viz_state_,
 * viz_gauge_, viz_hit_).
 *
 * The pure drawing core: given a series, a view state (cursor day, metric,
 * selection, pause, speed) and a renderer of size w x h, draws the whole
 * frame: header, map, legend, charts, gauges, footer, and the detail panel
 * and help overlay when asked. It never presents, never reads events and
 * never changes the series, so the same call serves a window, a PNG and a
 * test on a software renderer over an RGB888 surface.
 */
#ifndef ECNYSIM_VIZ_DRAW_H
#define ECNYSIM_VIZ_DRAW_H

#include <SDL.h>
#include <stdbool.h>

#include "viz/viz_series.h"
#include "viz/viz_text.h"

typedef struct {
    int day_index;               /* last day shown (the cursor); -1: none yet */
    int32_t first_day, last_day; /* the time axis; last_day < first_day: the series' own */
    viz_metric metric;           /* map colour */
    int selected;                /* city with its detail panel open, or -1 */
    bool paused, help, interactive;
    double speed_days_s;         /* the chosen speed */
    double achieved_days_s;      /* days shown per second lately (0: not measured) */
    double text_scale;           /* the user's text scale ([ and ]), 1 by default */
    int gauge_page;              /* the page of gauges shown (PgUp/PgDn) */
    const char *title; /* scenario name */
    const char *mode;  /* "LIVE", "REPLAY", "SNAPSHOT" */
    const char *note;  /* a message for the footer, or NULL */
} viz_state;

void viz_state_init(viz_state *st);
void viz_draw(SDL_Renderer *r, viz_text *t, const viz_series *s, const viz_state *st, int w, int h);
/* The city whose label or circle contains (x, y), or -1 (t measures the labels). */
int viz_hit_city(viz_text *t, const viz_series *s, const viz_state *st, int w, int h, int x, int y);
/* The day under (x, y) on the story timeline's scrubber, or -1 when (x, y)
 * is not on it. */
int32_t viz_timeline_day_at(viz_text *t, const viz_series *s, const viz_state *st, int w, int h, int x, int y);
/* The boxes of the city labels on the map as drawn at w x h (out[i] for
 * city i); returns the number of cities. */
int viz_map_label_boxes(viz_text *t, const viz_series *s, const viz_state *st, int w, int h, SDL_Rect *out);

/* A gauge in rc: label and detail text above a bar whose fill is
 * min(achieved / target, 1) of the track, with a target mark at its end. */
void viz_gauge_draw(SDL_Renderer *r, viz_text *t, SDL_Rect rc, double scale, const char *label,
                    const char *detail, double target, double achieved, SDL_Color fill);
/* The bar of a gauge drawn in rc (its bottom strip). */
SDL_Rect viz_gauge_track(SDL_Rect rc, double scale);
/* The fill colour of a KPI gauge at attainment a (achieved / target). */
SDL_Color viz_gauge_color(double a);

#endif
