/* viz_fixture.h: what the view's unit tests share (prefix vfx_): made-up
 * series fed through viz_series_add_frame as a live run would, and a
 * headless canvas (a software renderer over an RGB888 surface) whose pixels
 * the tests read. Needs SDL: only the viz tests link it (the Makefile keeps
 * tests/support/viz_*.c out of the other test programs). Failures are
 * cmocka assertions. */
#ifndef ECNYSIM_TESTS_VIZ_FIXTURE_H
#define ECNYSIM_TESTS_VIZ_FIXTURE_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/snapshot.h"
#include "viz/viz_draw.h"
#include "viz/viz_series.h"
#include "viz/viz_text.h"

/* The canvas size most tests draw at. */
#define VFX_W 1280
#define VFX_H 720

/* The two cities of vfx_make_series: Suzhou (0) and Shenzhen (1). */
extern const snap_city vfx_cities[2];
/* The twelve areas of scenarios/national_2021.ini, as in data/cities.csv. */
extern const snap_city vfx_national[12];

/* The most cities vfx_add_frame takes. */
#define VFX_MAX_CITIES 16

/* Adds to s the frame of day `day` (day_index from the start) with one
 * daily.csv table: a row per city, named city[i].name, of n_columns values
 * each (value[row * n_columns + column]). The series copies what it keeps. */
void vfx_add_frame(viz_series *s, int32_t day, int32_t day_index, int n_cities, const snap_city *city, int n_columns,
                   const char *const *column, const int64_t *value);
/* Feeds n_days of a made-up run from 2020-04-01: wallets grow by 12345 a
 * day in Suzhou and 23456 in Shenzhen; Suzhou has `rural` rural wallets.
 * The caller frees the series (viz_series_free). */
viz_series *vfx_make_series(int n_days, int64_t rural);
/* One day (2021-12-31) of the national scenario, adopted as at its end:
 * the first pilots near 84%, the 2021 ones near 10%, Beijing and
 * Zhangjiakou near 1%. The caller frees it. */
viz_series *vfx_make_national(void);

typedef struct {
    SDL_Surface *surf;
    SDL_Renderer *r;
    viz_text *t;
} vfx_canvas;

/* A w x h software canvas with the view's fonts at scale 1; close it with
 * vfx_canvas_close. */
void vfx_canvas_open(vfx_canvas *c, int w, int h);
void vfx_canvas_close(vfx_canvas *c);

/* Draws on c, at its size, day day_index of s with st set afresh
 * (viz_state_init: no city selected, no help), as a frame does. */
void vfx_draw(vfx_canvas *c, const viz_series *s, viz_state *st, int day_index);

/* The colour of pixel (x, y) (alpha 255). */
SDL_Color vfx_pixel(const vfx_canvas *c, int x, int y);
/* Equal in r, g and b. */
bool vfx_same(SDL_Color a, SDL_Color b);
/* Within 3 levels: where two line segments meet, the second blends its
 * edge over the first and SDL's integer blending may lose a level. */
bool vfx_near(SDL_Color a, SDL_Color b);
/* How many pixels of the track's middle row have colour fill. */
int vfx_fill_px(const vfx_canvas *c, SDL_Rect track, SDL_Color fill);

#endif
