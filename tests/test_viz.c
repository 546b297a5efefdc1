/* test_viz.c: unit tests of viz/ (cmocka), headless: a software renderer
 * over an RGB888 surface, no window, no display.
 *
 * Frames are built by hand as snap_frame data (the view must not depend on
 * models/), fed through viz_series_add_frame like a live run, drawn with
 * viz_draw, and checked on real pixels: each city's disc colour at its
 * projected centre, a chart line that rises when wallets rise, a gauge fill
 * proportional to attainment; plus the series model and the PNG writer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <SDL.h>
#include <SDL_image.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/calendar.h"
#include "viz/viz_draw.h"
#include "viz/viz_gfx.h"
#include "viz/viz_int.h"
#include "viz/viz_layout.h"
#include "viz/viz_png.h"
#include "viz/viz_series.h"

#define W 1280
#define H 720
#define NCOL 4

static const char *const columns[NCOL] = {"population", "wallets", "rural_wallets", "payments_ecny"};
static const snap_city cities[2] = {{"suzhou", "Suzhou", 31.30, 120.62}, {"shenzhen", "Shenzhen", 22.54, 114.06}};
static const char *const row_city[2] = {"suzhou", "shenzhen"};

/* Feeds n_days of a made-up run: wallets grow by 12345 a day in Suzhou and
 * 23456 in Shenzhen. */
static viz_series *make_series(int n_days, int64_t rural)
{
    viz_series *s = viz_series_alloc();
    assert_non_null(s);
    int32_t start = cal_day_from_ymd(2020, 4, 1);
    for (int d = 0; d < n_days; d++) {
        int64_t v[2 * NCOL] = {12750000, 12345 * (d + 1), rural, 1000 + d,
                               17560000, 23456 * (d + 1), 0,     2000 + d};
        snap_frame f = {0};
        f.day = start + d;
        f.day_index = d;
        f.n_cities = 2;
        f.city = cities;
        f.n_tables = 1;
        f.table[0] = (snap_table){.file = "daily.csv", .n_columns = NCOL, .column = columns, .value = v,
                                  .n_rows = 2, .row_city = row_city};
        assert_true(viz_series_add_frame(s, &f));
    }
    return s;
}

typedef struct {
    SDL_Surface *surf;
    SDL_Renderer *r;
    viz_text *t;
} canvas;

static void canvas_open(canvas *c)
{
    char why[256];
    c->surf = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_RGB888);
    assert_non_null(c->surf);
    c->r = SDL_CreateSoftwareRenderer(c->surf);
    assert_non_null(c->r);
    c->t = viz_text_open(1, why, sizeof why);
    assert_non_null(c->t);
}

static void canvas_close(canvas *c)
{
    viz_text_close(c->t);
    SDL_DestroyRenderer(c->r);
    SDL_FreeSurface(c->surf);
}

static SDL_Color pixel(const canvas *c, int x, int y)
{
    Uint32 p = ((const Uint32 *)((const Uint8 *)c->surf->pixels + y * c->surf->pitch))[x];
    SDL_Color col;
    SDL_GetRGB(p, c->surf->format, &col.r, &col.g, &col.b);
    col.a = 255;
    return col;
}

static bool same(SDL_Color a, SDL_Color b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

/* Within 3 levels: where two line segments meet, the second blends its
 * edge over the first and SDL's integer blending may lose a level. */
static bool near(SDL_Color a, SDL_Color b)
{
    return abs(a.r - b.r) <= 3 && abs(a.g - b.g) <= 3 && abs(a.b - b.b) <= 3;
}

static void test_viz_series_add_frame_copies_values(void **state)
{
    (void)state;
    viz_series *s = make_series(3, 777);
    assert_int_equal(viz_series_days(s), 3);
    assert_int_equal(viz_series_cities(s), 2);
    assert_string_equal(viz_series_city(s, 1)->display, "Shenzhen");
    assert_int_equal(viz_series_get(s, 2, 0, VIZ_COL_WALLETS), 3 * 12345);
    assert_int_equal(viz_series_get(s, 2, 0, VIZ_COL_RURAL), 777);
    assert_int_equal(viz_series_get(s, 2, 1, VIZ_COL_ACTIVE), 0); /* not in the frame */
    assert_int_equal(viz_series_total(s, 0, VIZ_COL_WALLETS), 12345 + 23456);
    assert_true(fabs(viz_metric_value(s, VIZ_METRIC_ADOPTION, 0, 0) - 12345.0 / 12750000) < 1e-12);
    assert_int_equal(viz_series_index_of(s, cal_day_from_ymd(2020, 4, 2)), 1);
    assert_int_equal(viz_series_index_of(s, cal_day_from_ymd(2020, 3, 31)), -1);
    viz_series_free(s);
}

static void test_viz_map_disc_at_projected_centre(void **state)
{
    (void)state;
    viz_series *s = make_series(20, 0);
    canvas c;
    canvas_open(&c);
    viz_state st;
    viz_state_init(&st);
    st.day_index = 19;
    viz_draw(c.r, c.t, s, &st, W, H);
    viz_layout L;
    viz_layout_compute(W, H, &L);
    viz_proj p;
    viz_proj_fit(s, viz_layout_map_plot(&L), L.scale, &p);
    double top = viz_metric_top(s, VIZ_METRIC_ADOPTION);
    for (int i = 0; i < 2; i++) {
        double x, y, ring;
        viz_proj_apply(&p, cities[i].lat, cities[i].lon, &x, &y);
        double r = viz_map_radius(s, 19, i, p.radius_max, &ring);
        assert_true(r >= 3);
        SDL_Color want = viz_pal_ramp(viz_metric_value(s, VIZ_METRIC_ADOPTION, 19, i) / top);
        assert_true(same(pixel(&c, (int)x, (int)y), want));
        /* Outside the population ring is the panel, not the disc. */
        assert_false(same(pixel(&c, (int)(x + ring + 6), (int)y), want));
    }
    /* Suzhou is north-east of Shenzhen: right and up. */
    double xs, ys, xz, yz;
    viz_proj_apply(&p, cities[0].lat, cities[0].lon, &xs, &ys);
    viz_proj_apply(&p, cities[1].lat, cities[1].lon, &xz, &yz);
    assert_true(xs > xz && ys < yz);
    assert_int_equal(viz_hit_city(s, &st, W, H, (int)xs, (int)ys), 0);
    assert_int_equal(viz_hit_city(s, &st, W, H, (int)xz, (int)yz), 1);
    canvas_close(&c);
    viz_series_free(s);
}

static void test_viz_map_rural_wedge(void **state)
{
    (void)state;
    /* Rural = 12345 * 30 / 2 = half the wallets on day 30: the wedge covers the right half. */
    viz_series *s = make_series(30, 12345 * 15);
    canvas c;
    canvas_open(&c);
    viz_state st;
    viz_state_init(&st);
    st.day_index = 29;
    viz_draw(c.r, c.t, s, &st, W, H);
    viz_layout L;
    viz_layout_compute(W, H, &L);
    viz_proj p;
    viz_proj_fit(s, viz_layout_map_plot(&L), L.scale, &p);
    double x, y, ring, r = viz_map_radius(s, 29, 0, p.radius_max, &ring);
    viz_proj_apply(&p, cities[0].lat, cities[0].lon, &x, &y);
    assert_true(r >= 8);
    assert_true(same(pixel(&c, (int)(x + r / 2), (int)y), VIZ_RURAL));
    assert_false(same(pixel(&c, (int)(x - r / 2), (int)y), VIZ_RURAL));
    canvas_close(&c);
    viz_series_free(s);
}

/* The topmost row of chart 0's plot where column x has the city's colour, or -1. */
static int line_y(const canvas *c, SDL_Rect plot, int x, SDL_Color col)
{
    for (int y = plot.y; y <= plot.y + plot.h; y++)
        if (near(pixel(c, x, y), col))
            return y;
    return -1;
}

static void test_viz_chart_line_rises_with_wallets(void **state)
{
    (void)state;
    viz_series *s = make_series(60, 0);
    canvas c;
    canvas_open(&c);
    viz_state st;
    viz_state_init(&st);
    st.day_index = 59;
    viz_draw(c.r, c.t, s, &st, W, H);
    viz_layout L;
    viz_layout_compute(W, H, &L);
    SDL_Rect plot = viz_layout_chart_plot(&L, 0);
    SDL_Color col = viz_pal_city(1); /* Shenzhen, the higher line */
    int x_early = plot.x + plot.w / 5, x_mid = plot.x + plot.w / 2, x_late = plot.x + plot.w * 9 / 10;
    int y_early = line_y(&c, plot, x_early, col), y_mid = line_y(&c, plot, x_mid, col);
    int y_late = line_y(&c, plot, x_late, col);
    assert_true(y_early > 0 && y_mid > 0 && y_late > 0);
    assert_true(y_mid < y_early);
    assert_true(y_late < y_mid);
    /* Linear growth: the middle is about halfway (within 3 px). */
    int lin = y_early + (int)lround((double)(y_late - y_early) * (x_mid - x_early) / (x_late - x_early));
    assert_true(abs(y_mid - lin) <= 3);
    canvas_close(&c);
    viz_series_free(s);
}

static void test_viz_chart_stops_at_cursor(void **state)
{
    (void)state;
    viz_series *s = make_series(60, 0);
    canvas c;
    canvas_open(&c);
    viz_state st;
    viz_state_init(&st);
    st.day_index = 29; /* half way through */
    viz_draw(c.r, c.t, s, &st, W, H);
    viz_layout L;
    viz_layout_compute(W, H, &L);
    SDL_Rect plot = viz_layout_chart_plot(&L, 0);
    SDL_Color col = viz_pal_city(1);
    assert_true(line_y(&c, plot, plot.x + plot.w / 4, col) > 0);
    assert_int_equal(line_y(&c, plot, plot.x + plot.w * 9 / 10, col), -1);
    canvas_close(&c);
    viz_series_free(s);
}

static int fill_px(const canvas *c, SDL_Rect track, SDL_Color fill)
{
    int n = 0, y = track.y + track.h / 2;
    for (int x = track.x; x < track.x + track.w; x++)
        n += same(pixel(c, x, y), fill);
    return n;
}

static void test_viz_gauge_fill_proportional(void **state)
{
    (void)state;
    canvas c;
    canvas_open(&c);
    SDL_Color fill = {10, 120, 200, 255};
    const double achieved[] = {0, 12345, 30000, 61728, 98765, 123450, 200000};
    SDL_Rect rc = {100, 100, 400, 40};
    SDL_Rect track = viz_gauge_track(rc, 1);
    for (size_t k = 0; k < sizeof achieved / sizeof achieved[0]; k++) {
        SDL_SetRenderDrawColor(c.r, 255, 255, 255, 255);
        SDL_RenderClear(c.r);
        viz_gauge_draw(c.r, c.t, rc, 1, "KPI", "detail", 123450, achieved[k], fill);
        double a = fmin(achieved[k] / 123450, 1);
        int want = (int)lround(track.w * a), got = fill_px(&c, track, fill);
        /* The target mark covers the last 2 px of the track. */
        if (a >= 1)
            want -= 2;
        assert_true(abs(got - want) <= 1);
    }
    canvas_close(&c);
}

static void test_viz_gauge_panel_shows_kpis_or_adoption(void **state)
{
    (void)state;
    viz_series *s = make_series(10, 0);
    canvas c;
    canvas_open(&c);
    viz_state st;
    viz_state_init(&st);
    st.day_index = 9;
    viz_layout L;
    viz_layout_compute(W, H, &L);
    /* No KPI rows: adoption gauges in the cities' colours, fill = wallets / population. */
    viz_draw(c.r, c.t, s, &st, W, H);
    int pad = (int)(12 * L.scale), top = (int)(32 * L.scale);
    int row_h = viz_text_height(c.t, VIZ_SMALL) + (int)(18 * L.scale);
    SDL_Rect rc0 = {L.gauges.x + pad, L.gauges.y + top, L.gauges.w - 2 * pad, row_h - (int)(8 * L.scale)};
    SDL_Rect track = viz_gauge_track(rc0, L.scale);
    double share = 10 * 12345.0 / 12750000;
    assert_true(abs(fill_px(&c, track, viz_pal_city(0)) - (int)lround(track.w * share)) <= 1);
    /* A KPI row (61.728% attained) replaces them. */
    viz_series_add_kpi(s, 9, "wallets suzhou", 200000, 123456);
    viz_draw(c.r, c.t, s, &st, W, H);
    SDL_Color amber = viz_gauge_color(123456.0 / 200000);
    assert_true(abs(fill_px(&c, track, amber) - (int)lround(track.w * 123456.0 / 200000)) <= 1);
    canvas_close(&c);
    viz_series_free(s);
}

static void test_viz_draw_any_size(void **state)
{
    (void)state;
    viz_series *s = make_series(5, 0);
    viz_series_add_marker(s, cal_day_from_ymd(2020, 4, 3), "airdrop.luohu");
    char why[256];
    viz_text *t = viz_text_open(1, why, sizeof why);
    assert_non_null(t);
    const int sizes[][2] = {{480, 320}, {800, 600}, {1920, 1080}, {2560, 1440}};
    for (size_t k = 0; k < 4; k++) {
        SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, sizes[k][0], sizes[k][1], 32, SDL_PIXELFORMAT_RGB888);
        SDL_Renderer *r = SDL_CreateSoftwareRenderer(surf);
        viz_state st;
        viz_state_init(&st);
        st.day_index = 4;
        st.help = true;
        st.selected = 0;
        st.interactive = true;
        viz_draw(r, t, s, &st, sizes[k][0], sizes[k][1]);
        viz_layout L;
        viz_layout_compute(sizes[k][0], sizes[k][1], &L);
        for (int i = 0; i < VIZ_CHARTS; i++) {
            assert_true(L.chart[i].x + L.chart[i].w <= sizes[k][0]);
            assert_true(L.chart[i].y + L.chart[i].h <= sizes[k][1]);
            assert_true(viz_layout_chart_plot(&L, i).h > 0);
        }
        SDL_DestroyRenderer(r);
        SDL_FreeSurface(surf);
    }
    viz_text_close(t);
    viz_series_free(s);
}

static void test_viz_png_writes_a_png(void **state)
{
    (void)state;
    viz_series *s = make_series(8, 0);
    viz_state st;
    viz_state_init(&st);
    st.day_index = 7;
    char path[] = "/tmp/test_viz_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char why[256];
    assert_true(viz_png_save(s, &st, 800, 450, path, why, sizeof why));
    SDL_Surface *img = IMG_Load(path);
    assert_non_null(img);
    assert_int_equal(img->w, 800);
    assert_int_equal(img->h, 450);
    SDL_FreeSurface(img);
    remove(path);
    assert_false(viz_png_save(s, &st, 800, 450, "/nonexistent-dir/x.png", why, sizeof why));
    viz_series_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_viz_series_add_frame_copies_values),
        cmocka_unit_test(test_viz_map_disc_at_projected_centre),
        cmocka_unit_test(test_viz_map_rural_wedge),
        cmocka_unit_test(test_viz_chart_line_rises_with_wallets),
        cmocka_unit_test(test_viz_chart_stops_at_cursor),
        cmocka_unit_test(test_viz_gauge_fill_proportional),
        cmocka_unit_test(test_viz_gauge_panel_shows_kpis_or_adoption),
        cmocka_unit_test(test_viz_draw_any_size),
        cmocka_unit_test(test_viz_png_writes_a_png),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
