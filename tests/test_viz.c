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
#include "viz/viz_load.h"
#include "viz/viz_pace.h"
#include "viz/viz_png.h"
#include "viz/viz_series.h"
#include "viz/viz_view.h"

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
    st.selected = 0; /* Suzhou's detail panel is open: it must hide neither city */
    viz_draw(c.r, c.t, s, &st, W, H);
    viz_layout L;
    viz_layout_compute(W, H, viz_series_cities(s), &L);
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
    assert_int_equal(viz_hit_city(c.t, s, &st, W, H, (int)xs, (int)ys), 0);
    assert_int_equal(viz_hit_city(c.t, s, &st, W, H, (int)xz, (int)yz), 1);
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
    viz_layout_compute(W, H, viz_series_cities(s), &L);
    viz_proj p;
    viz_proj_fit(s, viz_layout_map_plot(&L), L.scale, &p);
    double x, y, ring, r = viz_map_radius(s, 29, 0, p.radius_max, &ring);
    viz_proj_apply(&p, cities[0].lat, cities[0].lon, &x, &y);
    assert_true(r >= 6); /* the wedge is drawn from 6 px */
    assert_true(same(pixel(&c, (int)(x + r / 2), (int)y), VIZ_RURAL));
    assert_false(same(pixel(&c, (int)(x - r / 2), (int)y), VIZ_RURAL));
    canvas_close(&c);
    viz_series_free(s);
}

/* The pixel at turn t (clockwise from 12 o'clock) at 3/4 of radius r. */
static SDL_Color at_turn(const canvas *c, double x, double y, double r, double t)
{
    return pixel(c, (int)lround(x + 0.75 * r * sin(2 * M_PI * t)), (int)lround(y - 0.75 * r * cos(2 * M_PI * t)));
}

/* People over people: Suzhou has 3 wallets per resident holding one and 31%
 * of those residents are rural. The wedge must cover 31% of the disc (it
 * once divided rural residents by wallets: 10%), the label says 31%. */
static void test_viz_map_wedge_is_rural_share_of_holders(void **state)
{
    (void)state;
    static const char *const cols[4] = {"population", "wallets", "adopters", "rural_wallets"};
    viz_series *s = viz_series_alloc();
    assert_non_null(s);
    int32_t start = cal_day_from_ymd(2022, 1, 1);
    for (int d = 0; d < 10; d++) {
        int64_t adopters = 2000000 + 1000 * d;
        int64_t v[2 * 4] = {12750000, 3 * adopters, adopters, adopters * 31 / 100,
                            17560000, 3000000,      1000000,  0};
        snap_frame f = {0};
        f.day = start + d;
        f.n_cities = 2;
        f.city = cities;
        f.n_tables = 1;
        f.table[0] = (snap_table){.file = "daily.csv", .n_columns = 4, .column = cols, .value = v, .n_rows = 2,
                                  .row_city = row_city};
        assert_true(viz_series_add_frame(s, &f));
    }
    assert_true(fabs(viz_metric_value(s, VIZ_METRIC_RURAL, 9, 0) - 0.31) < 1e-6);
    canvas c;
    canvas_open(&c);
    viz_state st;
    viz_state_init(&st);
    st.day_index = 9;
    viz_draw(c.r, c.t, s, &st, W, H);
    viz_layout L;
    viz_layout_compute(W, H, viz_series_cities(s), &L);
    viz_proj p;
    viz_proj_fit(s, viz_layout_map_plot(&L), L.scale, &p);
    double x, y, ring, r = viz_map_radius(s, 9, 0, p.radius_max, &ring);
    viz_proj_apply(&p, cities[0].lat, cities[0].lon, &x, &y);
    assert_true(r >= 12);
    for (double t = 0.02; t < 0.30; t += 0.04)
        assert_true(same(at_turn(&c, x, y, r, t), VIZ_RURAL));
    for (double t = 0.33; t < 0.98; t += 0.04)
        assert_false(same(at_turn(&c, x, y, r, t), VIZ_RURAL));
    /* Counted on the whole disc: the wedge's share of the disc's pixels. */
    int in = 0, rural = 0;
    for (int py = (int)(y - r) + 1; py < (int)(y + r); py++)
        for (int px = (int)(x - r) + 1; px < (int)(x + r); px++)
            if (hypot(px + 0.5 - x, py + 0.5 - y) < r - 2 && hypot(px + 0.5 - x, py + 0.5 - y) > 3) {
                in++;
                rural += same(pixel(&c, px, py), VIZ_RURAL);
            }
    assert_true(fabs((double)rural / in - 0.31) < 0.03);
    canvas_close(&c);
    viz_series_free(s);
}

/* The share of pixels of the 9x9 block around (lat, lon) that have colour col. */
static double block_share(const canvas *c, const viz_proj *p, double lat, double lon, SDL_Color col)
{
    double x, y;
    viz_proj_apply(p, lat, lon, &x, &y);
    int n = 0;
    for (int dy = -4; dy <= 4; dy++)
        for (int dx = -4; dx <= 4; dx++)
            n += same(pixel(c, (int)x + dx, (int)y + dy), col);
    return n / 81.0;
}

/* The map of data/ (tools/derive-map.sh): land where China's land is, sea
 * where the seas are, at 1280x720 and 1920x1080, with four far-apart pilots. */
static void test_viz_map_land_and_sea(void **state)
{
    (void)state;
    static const snap_city four[4] = {{"beijing", "Beijing", 39.90, 116.41}, {"shenzhen", "Shenzhen", 22.54, 114.06},
                                      {"chengdu", "Chengdu", 30.66, 104.07}, {"shanghai", "Shanghai", 31.23, 121.47}};
    static const char *const four_rows[4] = {"beijing", "shenzhen", "chengdu", "shanghai"};
    static const char *const cols[2] = {"population", "wallets"};
    viz_series *s = viz_series_alloc();
    assert_non_null(s);
    err_list errs;
    err_init(&errs);
    assert_false(viz_load_geo("/nonexistent", s, &errs));
    assert_true(errs.count > 0);
    err_init(&errs);
    assert_true(viz_load_geo("data", s, &errs));
    int64_t v[8] = {21000000, 1000000, 17500000, 900000, 20900000, 800000, 24900000, 700000};
    snap_frame f = {0};
    f.day = cal_day_from_ymd(2021, 6, 1);
    f.n_cities = 4;
    f.city = four;
    f.n_tables = 1;
    f.table[0] = (snap_table){.file = "daily.csv", .n_columns = 2, .column = cols, .value = v, .n_rows = 4,
                              .row_city = four_rows};
    assert_true(viz_series_add_frame(s, &f));
    const viz_geo *g = viz_series_geo(s);
    /* Land: Wuhan, Guizhou, Shanxi, Jiangxi; sea: East China, Yellow, South China Seas, Bohai. */
    static const double land[][2] = {{30.6, 114.3}, {26.6, 106.7}, {37.5, 112.0}, {27.5, 115.5}, {34.5, 109.0},
                                     {28.0, 109.5}, {36.5, 104.0}, {38.0, 106.0}, {33.5, 111.5}, {25.0, 109.5}};
    static const double sea[][2] = {{24.0, 119.7}, {35.0, 123.5}, {21.2, 117.5}, {38.8, 120.5}, {33.0, 122.5},
                                    {20.0, 113.5}, {27.0, 122.5}, {37.5, 122.8}, {22.0, 119.0}, {19.5, 116.5}};
    for (int k = 0; k < 10; k++) {
        assert_true(viz_geo_is_land(g, land[k][0], land[k][1]));
        assert_false(viz_geo_is_land(g, sea[k][0], sea[k][1]));
    }
    static const int sizes[2][2] = {{1280, 720}, {1920, 1080}};
    for (int z = 0; z < 2; z++) {
        SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, sizes[z][0], sizes[z][1], 32, SDL_PIXELFORMAT_RGB888);
        canvas c = {surf, SDL_CreateSoftwareRenderer(surf), NULL};
        char why[256];
        c.t = viz_text_open(1, why, sizeof why);
        assert_non_null(c.t);
        viz_state st;
        viz_state_init(&st);
        st.day_index = 0;
        viz_draw(c.r, c.t, s, &st, sizes[z][0], sizes[z][1]);
        viz_layout L;
        viz_layout_compute(sizes[z][0], sizes[z][1], viz_series_cities(s), &L);
        viz_proj p;
        viz_proj_fit(s, viz_layout_map_plot(&L), L.scale, &p);
        SDL_Rect box[VIZ_MAX_CITIES];
        viz_map_label_boxes(c.t, s, &st, sizes[z][0], sizes[z][1], box);
        int checked = 0;
        for (int k = 0; k < 20; k++) { /* points under a city's label or disc, or off the plot, are not judged */
            const double *pt = k < 10 ? land[k] : sea[k - 10];
            double lx, ly;
            viz_proj_apply(&p, pt[0], pt[1], &lx, &ly);
            bool covered = false;
            for (int i = 0; i < 4; i++) {
                double cx, cy, ring, r = viz_map_radius(s, 0, i, p.radius_max, &ring);
                viz_proj_apply(&p, four[i].lat, four[i].lon, &cx, &cy);
                covered |= (lx > box[i].x - 6 && lx < box[i].x + box[i].w + 6 && ly > box[i].y - 6 &&
                            ly < box[i].y + box[i].h + 6) ||
                           hypot(lx - cx, ly - cy) < fmax(r, ring) + 8;
            }
            SDL_Rect plot = viz_layout_map_plot(&L);
            if (covered || lx < plot.x + 6 || ly < plot.y + 6 || lx > plot.x + plot.w - 6 || ly > plot.y + plot.h - 6)
                continue;
            double share = block_share(&c, &p, pt[0], pt[1], k < 10 ? VIZ_LAND : VIZ_SEA);
            if (!(share > 0.6))
                fail_msg("%s %g,%g at %dx%d: %.2f", k < 10 ? "land" : "sea", pt[0], pt[1], sizes[z][0], sizes[z][1],
                         share);
            checked++;
        }
        if (checked < 6)
            fail_msg("only %d points judged at %dx%d", checked, sizes[z][0], sizes[z][1]);
        canvas_close(&c);
    }
    viz_series_free(s);
}

/* The twelve areas of scenarios/national_2021.ini, as in data/cities.csv. */
static const snap_city national[12] = {
    {"shenzhen", "Shenzhen", 22.54, 114.06},        {"suzhou", "Suzhou", 31.30, 120.62},
    {"xiongan", "Xiong'an New Area", 39.00, 115.97}, {"chengdu", "Chengdu", 30.66, 104.07},
    {"shanghai", "Shanghai", 31.23, 121.47},        {"hainan", "Hainan (province)", 20.04, 110.32},
    {"changsha", "Changsha", 28.23, 112.94},        {"xian", "Xi'an", 34.34, 108.94},
    {"qingdao", "Qingdao", 36.07, 120.38},          {"dalian", "Dalian", 38.91, 121.61},
    {"beijing", "Beijing", 39.90, 116.41},          {"zhangjiakou", "Zhangjiakou", 40.82, 114.88},
};
static const int64_t national_pop[12] = {17560000, 12750000, 1200000,  20940000, 24870000, 10080000,
                                         10050000, 12950000, 10070000, 7450000,  21890000, 4120000};

/* Adoption per mille at the end of national_2021: the first pilots near
 * 84%, the 2021 ones near 10%, Beijing and Zhangjiakou near 1%. */
static const int national_adoption_pm[12] = {840, 830, 840, 840, 99, 100, 99, 100, 100, 110, 15, 10};

/* One day of the national scenario, adopted as at its end. */
static viz_series *make_national(void)
{
    static const char *const cols[2] = {"population", "adopters"};
    const char *rows[12];
    int64_t v[24];
    for (int i = 0; i < 12; i++) {
        rows[i] = national[i].name;
        v[2 * i] = national_pop[i];
        v[2 * i + 1] = national_pop[i] * national_adoption_pm[i] / 1000;
    }
    viz_series *s = viz_series_alloc();
    assert_non_null(s);
    snap_frame f = {0};
    f.day = cal_day_from_ymd(2021, 12, 31);
    f.n_cities = 12;
    f.city = national;
    f.n_tables = 1;
    f.table[0] = (snap_table){.file = "daily.csv", .n_columns = 2, .column = cols, .value = v, .n_rows = 12,
                              .row_city = rows};
    assert_true(viz_series_add_frame(s, &f));
    return s;
}

/* No two city labels overlap on national_2021 (Beijing, Xiong'an and
 * Zhangjiakou; Suzhou and Shanghai sit within 1 degree), at 1280x720 and
 * 1920x1080, with and without the map; every label lies inside the map's
 * plot and its city's name is drawn there (ink pixels inside the box). */
static void test_viz_map_labels_never_overlap(void **state)
{
    (void)state;
    viz_series *s = make_national();
    static const int sizes[3][2] = {{1280, 720}, {1920, 1080}, {1024, 600}};
    for (int map = 0; map < 2; map++) {
        if (map) {
            err_list errs;
            err_init(&errs);
            assert_true(viz_load_geo("data", s, &errs));
        }
        for (int z = 0; z < 3; z++) {
            SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, sizes[z][0], sizes[z][1], 32, SDL_PIXELFORMAT_RGB888);
            canvas c = {surf, SDL_CreateSoftwareRenderer(surf), NULL};
            char why[256];
            c.t = viz_text_open(1, why, sizeof why);
            viz_state st;
            viz_state_init(&st);
            st.day_index = 0;
            viz_draw(c.r, c.t, s, &st, sizes[z][0], sizes[z][1]);
            SDL_Rect box[VIZ_MAX_CITIES];
            assert_int_equal(viz_map_label_boxes(c.t, s, &st, sizes[z][0], sizes[z][1], box), 12);
            viz_layout L;
            viz_layout_compute(sizes[z][0], sizes[z][1], 12, &L);
            SDL_Rect plot = viz_layout_map_plot(&L);
            for (int i = 0; i < 12; i++) {
                SDL_Rect in;
                assert_true(SDL_IntersectRect(&box[i], &plot, &in) && in.w == box[i].w && in.h == box[i].h);
                for (int j = i + 1; j < 12; j++)
                    if (SDL_HasIntersection(&box[i], &box[j]))
                        fail_msg("%s and %s overlap at %dx%d", national[i].display, national[j].display,
                                 sizes[z][0], sizes[z][1]);
                int ink = 0;
                for (int y = box[i].y; y < box[i].y + box[i].h; y++)
                    for (int x = box[i].x; x < box[i].x + box[i].w; x++)
                        ink += near(pixel(&c, x, y), VIZ_INK);
                assert_true(ink > 10);
            }
            canvas_close(&c);
        }
    }
    viz_series_free(s);
}

/* Chinese names beside the English ones when a CJK font is found
 * (fonts-noto-cjk), and a clean fall-back without one: the labels are then
 * English only, still without overlaps. */
static void test_viz_map_chinese_names_or_fallback(void **state)
{
    (void)state;
    viz_series *s = make_national();
    err_list errs;
    err_init(&errs);
    assert_true(viz_load_geo("data", s, &errs));
    assert_string_equal(viz_series_city_zh(s, 0), "深圳");
    viz_state st;
    viz_state_init(&st);
    st.day_index = 0;
    SDL_Rect with[VIZ_MAX_CITIES], without[VIZ_MAX_CITIES];
    char why[256];
    setenv("ECNYSIM_CJK_FONT", "/nonexistent/font.ttc", 1);
    viz_text *t = viz_text_open(1, why, sizeof why);
    unsetenv("ECNYSIM_CJK_FONT");
    assert_non_null(t);
    assert_false(viz_text_has_cjk(t));
    assert_int_equal(viz_text_width_cjk(t, "深圳"), 0);
    viz_map_label_boxes(t, s, &st, 1280, 720, without);
    for (int i = 0; i < 12; i++)
        for (int j = i + 1; j < 12; j++)
            assert_false(SDL_HasIntersection(&without[i], &without[j]));
    viz_text_close(t);
    t = viz_text_open(1, why, sizeof why);
    assert_non_null(t);
    if (viz_text_has_cjk(t)) {
        assert_true(viz_text_width_cjk(t, "深圳") > 0);
        viz_map_label_boxes(t, s, &st, 1280, 720, with);
        assert_true(with[0].h > without[0].h); /* a second line for 深圳 */
    } else {
        print_message("no CJK font here (fonts-noto-cjk): the Chinese names are not drawn\n");
    }
    viz_text_close(t);
    viz_series_free(s);
}

/* 30 city colours, pairwise apart; the first 8 are Okabe and Ito's. */
static void test_viz_palette_thirty_distinct(void **state)
{
    (void)state;
    assert_int_equal(VIZ_PAL_CITIES, 30);
    SDL_Color first = viz_pal_city(0), second = viz_pal_city(1);
    assert_true(same(first, (SDL_Color){0, 114, 178, 255}) && same(second, (SDL_Color){230, 159, 0, 255}));
    for (int i = 0; i < VIZ_PAL_CITIES; i++)
        for (int j = i + 1; j < VIZ_PAL_CITIES; j++) {
            SDL_Color a = viz_pal_city(i), b = viz_pal_city(j);
            double dist = sqrt(pow(a.r - b.r, 2) + pow(a.g - b.g, 2) + pow(a.b - b.b, 2));
            if (dist < 40)
                fail_msg("colours %d and %d are %.0f apart", i, j, dist);
        }
}

static int fill_px(const canvas *c, SDL_Rect track, SDL_Color fill)
{
    int n = 0, y = track.y + track.h / 2;
    for (int x = track.x; x < track.x + track.w; x++)
        n += same(pixel(c, x, y), fill);
    return n;
}

/* Presentation sizes: at 1920x1080 (a 1080p projector, full screen) no
 * text is under 18 px; from the minimum window up, at every text scale of
 * [ and ], the panels stay inside the window and never overlap. */
static void test_viz_layout_presentation_sizes(void **state)
{
    (void)state;
    viz_series *s = make_national();
    char why[256];
    viz_text *t = viz_text_open(1, why, sizeof why);
    assert_non_null(t);
    viz_state st;
    viz_state_init(&st);
    st.day_index = 0;
    SDL_Rect box[VIZ_MAX_CITIES];
    viz_map_label_boxes(t, s, &st, 1920, 1080, box); /* scales the fonts as a frame does */
    for (int f = 0; f < VIZ_FONT_COUNT; f++)
        assert_true(viz_text_size_px(t, (viz_font)f) >= 18);
    viz_map_label_boxes(t, s, &st, 1280, 720, box);
    assert_true(viz_text_size_px(t, VIZ_SMALL) >= 12);
    static const int sizes[3][2] = {{VIZ_VIEW_MIN_W, VIZ_VIEW_MIN_H}, {1280, 720}, {1920, 1080}};
    for (int z = 0; z < 3; z++)
        for (double ts = 0.7; ts <= 1.61; ts += 0.1) {
            viz_layout L;
            viz_layout_compute_text(sizes[z][0], sizes[z][1], 12, ts, &L);
            SDL_Rect r[10] = {L.header, L.map, L.legend, L.tiles, L.chart[0], L.chart[1], L.chart[2], L.chart[3],
                              L.chart[4], L.gauges};
            r[0].h = L.header.h; /* the footer is r[10] below */
            for (int i = 0; i < 10; i++) {
                assert_true(r[i].w > 0 && r[i].h > 0);
                assert_true(r[i].x >= 0 && r[i].y >= 0 && r[i].x + r[i].w <= sizes[z][0] &&
                            r[i].y + r[i].h <= L.footer.y);
                for (int j = i + 1; j < 10; j++)
                    if (SDL_HasIntersection(&r[i], &r[j]))
                        fail_msg("panels %d and %d overlap at %dx%d, text %.1f", i, j, sizes[z][0], sizes[z][1], ts);
            }
            for (int i = 0; i < VIZ_CHARTS; i++)
                assert_true(viz_layout_chart_plot(&L, i).h > 20);
        }
    viz_text_close(t);
    viz_series_free(s);
}

/* KPI status from the series: a KPI above its straight-line pace is on
 * track, one far below it behind, one at its target met; the projection
 * follows the last 30 days' trend. */
static void test_viz_kpi_status_pace_projection(void **state)
{
    (void)state;
    viz_series *s = make_series(61, 0);
    int32_t start = cal_day_from_ymd(2020, 4, 1);
    viz_kpi_info fast = {"fast", "suzhou", "wallets", "wallets", start, start + 100, 1000000};
    viz_kpi_info slow = fast, done = fast;
    snprintf(slow.name, sizeof slow.name, "slow");
    snprintf(done.name, sizeof done.name, "done");
    assert_true(viz_series_add_kpi_info(s, &fast) && viz_series_add_kpi_info(s, &slow) &&
                viz_series_add_kpi_info(s, &done));
    for (int d = 0; d <= 60; d++) {
        viz_series_add_kpi(s, d, "fast", 1000000, 12345.0 * d);  /* 60 days: 741K, pace 600K */
        viz_series_add_kpi(s, d, "slow", 1000000, 2000.0 * d);   /* 120K, projected day 500 */
        viz_series_add_kpi(s, d, "done", 100000, 12345.0 * d);   /* past the target */
    }
    assert_true(fabs(viz_kpi_pace(&fast, start + 60) - 600000) < 1e-6);
    assert_int_equal(viz_kpi_status(s, 60, 0), VIZ_KPI_ON_TRACK);
    assert_int_equal(viz_kpi_status(s, 60, 1), VIZ_KPI_BEHIND);
    assert_int_equal(viz_kpi_status(s, 60, 2), VIZ_KPI_MET);
    /* fast: 259,300 left at 12,345 a day = 21.004 -> 22 days on. */
    assert_int_equal(viz_kpi_projected(s, 60, 0), start + 60 + 22);
    assert_int_equal(viz_kpi_projected(s, 60, 1), start + 60 + 440);
    assert_int_equal(viz_kpi_projected(s, 60, 2), start + 60);
    /* Drawn: the on-track gauge is green, the behind one red. */
    canvas c;
    canvas_open(&c);
    viz_state st;
    viz_state_init(&st);
    st.day_index = 60;
    viz_draw(c.r, c.t, s, &st, W, H);
    viz_ctx ctx;
    viz_ctx_make(&ctx, NULL, c.t, s, &st, W, H);
    SDL_Rect area;
    int row_h, cols;
    viz_gauges_per_page(&ctx, true, &area, &row_h, &cols);
    for (int k = 0; k < 2; k++) {
        SDL_Rect rc = {area.x, area.y + k * row_h, area.w, row_h - (int)(8 * ctx.L.scale)};
        SDL_Rect top = {rc.x, rc.y, rc.w, rc.h - viz_text_height(c.t, VIZ_SMALL) - (int)(4 * ctx.L.scale)};
        SDL_Rect track = viz_gauge_track(top, ctx.L.scale);
        SDL_Color want = viz_gauge_color(k == 0 ? 1 : 0);
        assert_true(fill_px(&c, track, want) > track.w / 20);
    }
    canvas_close(&c);
    viz_series_free(s);
}

/* A cross-city flow is an arc from sender to receiver on the days it
 * carries money, and nothing on the days it does not. */
static void test_viz_map_flow_arc(void **state)
{
    (void)state;
    viz_series *s = make_series(3, 0);
    int f = viz_series_add_flow(s, "suzhou_to_shenzhen", "suzhou", "shenzhen");
    assert_int_equal(f, 0);
    assert_int_equal(viz_series_add_flow(s, "suzhou_to_shenzhen", "x", "y"), 0); /* once */
    viz_series_set_flow_value(s, 0, f, 1234567.0);
    canvas c;
    canvas_open(&c);
    viz_state st;
    viz_state_init(&st);
    viz_layout L;
    viz_layout_compute(W, H, viz_series_cities(s), &L);
    viz_proj p;
    viz_proj_fit(s, viz_layout_map_plot(&L), L.scale, &p);
    double x0, y0, x1, y1, mx, my;
    viz_proj_apply(&p, cities[0].lat, cities[0].lon, &x0, &y0);
    viz_proj_apply(&p, cities[1].lat, cities[1].lon, &x1, &y1);
    viz_map_arc_point(x0, y0, x1, y1, 0.5, &mx, &my);
    /* Bowed to the left of Suzhou -> Shenzhen (south-west): the middle lies east of the chord. */
    assert_true(mx > (x0 + x1) / 2);
    st.day_index = 0; /* the dots are at 0, 1/3 and 2/3 of the arc on day 0 */
    viz_draw(c.r, c.t, s, &st, W, H);
    assert_true(same(pixel(&c, (int)mx, (int)my), VIZ_FLOW));
    st.day_index = 1; /* no money sent that day: no arc */
    viz_draw(c.r, c.t, s, &st, W, H);
    assert_false(same(pixel(&c, (int)mx, (int)my), VIZ_FLOW));
    canvas_close(&c);
    viz_series_free(s);
}

/* Programme events come named in words, from the scenario files themselves. */
static void test_viz_load_markers_in_words(void **state)
{
    (void)state;
    viz_series *s = viz_series_alloc();
    assert_non_null(s);
    assert_true(viz_load_markers("scenarios/shenzhen_luohu_2020.ini", s) >= 1);
    assert_true(viz_load_markers("scenarios/chongqing_2022.ini", s) >= 2);
    bool lottery = false, aid = false;
    for (int k = 0; k < viz_series_markers(s); k++) {
        const viz_marker *m = viz_series_marker(s, k);
        assert_null(strchr(m->label, '.')); /* no raw section names like airdrop.luohu */
        lottery |= strcmp(m->label, "Luohu lottery · 50,000 × 200 yuan") == 0 &&
                   m->day == cal_day_from_ymd(2020, 10, 11);
        aid |= strstr(m->label, "aid funds · 100,000,000 yuan") != NULL && m->day == cal_day_from_ymd(2022, 7, 1);
    }
    assert_true(lottery);
    assert_true(aid);
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
    viz_layout_compute(W, H, viz_series_cities(s), &L);
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
    viz_layout_compute(W, H, viz_series_cities(s), &L);
    SDL_Rect plot = viz_layout_chart_plot(&L, 0);
    SDL_Color col = viz_pal_city(1);
    assert_true(line_y(&c, plot, plot.x + plot.w / 4, col) > 0);
    assert_int_equal(line_y(&c, plot, plot.x + plot.w * 9 / 10, col), -1);
    canvas_close(&c);
    viz_series_free(s);
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
    /* No KPI rows: adoption gauges in the cities' colours, fill = residents with a wallet / population. */
    viz_draw(c.r, c.t, s, &st, W, H);
    viz_ctx ctx;
    viz_ctx_make(&ctx, NULL, c.t, s, &st, W, H);
    SDL_Rect area;
    int row_h, cols;
    viz_gauges_per_page(&ctx, false, &area, &row_h, &cols);
    assert_int_equal(cols, 2); /* two columns, but two cities fit in one */
    SDL_Rect rc0 = {area.x, area.y, area.w, row_h - (int)(8 * ctx.L.scale)};
    SDL_Rect track = viz_gauge_track(rc0, ctx.L.scale);
    double share = 10 * 12345.0 / 12750000;
    assert_true(abs(fill_px(&c, track, viz_pal_city(0)) - (int)lround(track.w * share)) <= 1);
    /* A KPI row (61.728% attained, no section: behind, red) replaces them, one per row. */
    viz_series_add_kpi(s, 9, "wallets suzhou", 200000, 123456);
    viz_draw(c.r, c.t, s, &st, W, H);
    viz_gauges_per_page(&ctx, true, &area, &row_h, &cols);
    SDL_Rect rc = {area.x, area.y, area.w, row_h - (int)(8 * ctx.L.scale)};
    SDL_Rect top = {rc.x, rc.y, rc.w, rc.h - viz_text_height(c.t, VIZ_SMALL) - (int)(4 * ctx.L.scale)};
    track = viz_gauge_track(top, ctx.L.scale);
    SDL_Color red = viz_gauge_color(0);
    assert_int_equal(viz_kpi_status(s, 9, 0), VIZ_KPI_BEHIND);
    assert_true(abs(fill_px(&c, track, red) - (int)lround(track.w * 123456.0 / 200000)) <= 1);
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
        viz_layout_compute(sizes[k][0], sizes[k][1], viz_series_cities(s), &L);
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

/* Every speed from the slowest to the fastest, at frame intervals from 1 ms
 * to a slow renderer's 250 ms: the days shown over 20 s of made-up clock
 * follow the speed (within the credit cap), several per frame when needed. */
static void test_viz_pace_every_speed(void **state)
{
    (void)state;
    const uint32_t frame_ms[] = {1, 16, 40, 250};
    for (double speed = VIZ_PACE_MIN; speed <= VIZ_PACE_MAX; speed *= 2)
        for (size_t f = 0; f < sizeof frame_ms / sizeof frame_ms[0]; f++) {
            viz_pace p;
            uint32_t now = 4294960000u; /* the 32-bit clock wraps during the test */
            viz_pace_init(&p, speed, now);
            assert_true(p.speed_days_s == speed);
            long shown = 0;
            int max_per_frame = 0;
            for (uint32_t t = 0; t < 20000; t += frame_ms[f]) {
                now += frame_ms[f];
                int due = viz_pace_due(&p, now, false);
                assert_true(due >= 0);
                viz_pace_shown(&p, due, now);
                shown += due;
                max_per_frame = due > max_per_frame ? due : max_per_frame;
            }
            double want = speed * 20;
            if (!(fabs(shown - want) <= 1.0 + want * 0.01))
                fail_msg("speed %g, frames of %u ms: %ld days in 20 s", speed, frame_ms[f], shown);
            if (speed * frame_ms[f] / 1000.0 >= 2)
                assert_true(max_per_frame >= 2);
            assert_true(fabs(p.achieved_days_s - speed) <= fmax(1.0, 0.05 * speed) + 1000.0 / 500);
        }
    /* The keys: doubling stops at the maximum, halving at the minimum; a pause earns nothing. */
    viz_pace p;
    viz_pace_init(&p, 0, 0);
    assert_true(p.speed_days_s == VIZ_PACE_DEFAULT);
    for (int k = 0; k < 20; k++)
        viz_pace_faster(&p);
    assert_true(p.speed_days_s == VIZ_PACE_MAX);
    for (int k = 0; k < 20; k++)
        viz_pace_slower(&p);
    assert_true(p.speed_days_s == VIZ_PACE_MIN);
    assert_int_equal(viz_pace_due(&p, 100000, true), 0);
    assert_int_equal(viz_pace_due(&p, 200000, false), 2); /* capped: no burst after a stall */
}

static void push_key(SDL_Keycode k)
{
    SDL_Event e = {0};
    e.type = SDL_KEYDOWN;
    e.key.keysym.sym = k;
    assert_true(SDL_PushEvent(&e) == 1);
}

/* The replay window (SDL's dummy video driver) plays to the end at every
 * speed from 1 day/s to the maximum, and with + pressed up to the maximum
 * and beyond: no speed stops it (1024 days/s once divided by a zero ms
 * interval). */
static void test_viz_view_replay_every_speed(void **state)
{
    (void)state;
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    for (double speed = 1; speed <= VIZ_PACE_MAX; speed *= 2) {
        int n = 2 + (int)(speed / 8);
        viz_series *s = make_series(n, 0);
        char why[256];
        viz_view_opts o = {"test", "REPLAY", true, speed};
        viz_view *v = viz_view_open(&o, s, why, sizeof why);
        assert_non_null(v);
        viz_view_play(v, true);
        assert_int_equal(viz_view_day_index(v), n - 1);
        viz_view_close(v);
        viz_series_free(s);
    }
    viz_series *s = make_series(400, 0);
    char why[256];
    viz_view_opts o = {"test", "REPLAY", true, 64};
    viz_view *v = viz_view_open(&o, s, why, sizeof why);
    assert_non_null(v);
    for (int k = 0; k < 8; k++)
        push_key(SDLK_PLUS);
    Uint32 t0 = SDL_GetTicks();
    viz_view_play(v, true);
    assert_int_equal(viz_view_day_index(v), 399);
    assert_true(SDL_GetTicks() - t0 < 5000); /* 400 days at 1024/s: well under 5 s */
    viz_view_close(v);
    viz_series_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_viz_series_add_frame_copies_values),
        cmocka_unit_test(test_viz_map_disc_at_projected_centre),
        cmocka_unit_test(test_viz_map_rural_wedge),
        cmocka_unit_test(test_viz_map_wedge_is_rural_share_of_holders),
        cmocka_unit_test(test_viz_map_land_and_sea),
        cmocka_unit_test(test_viz_map_labels_never_overlap),
        cmocka_unit_test(test_viz_palette_thirty_distinct),
        cmocka_unit_test(test_viz_map_chinese_names_or_fallback),
        cmocka_unit_test(test_viz_layout_presentation_sizes),
        cmocka_unit_test(test_viz_kpi_status_pace_projection),
        cmocka_unit_test(test_viz_load_markers_in_words),
        cmocka_unit_test(test_viz_map_flow_arc),
        cmocka_unit_test(test_viz_chart_line_rises_with_wallets),
        cmocka_unit_test(test_viz_chart_stops_at_cursor),
        cmocka_unit_test(test_viz_gauge_fill_proportional),
        cmocka_unit_test(test_viz_gauge_panel_shows_kpis_or_adoption),
        cmocka_unit_test(test_viz_draw_any_size),
        cmocka_unit_test(test_viz_png_writes_a_png),
        cmocka_unit_test(test_viz_pace_every_speed),
        cmocka_unit_test(test_viz_view_replay_every_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
