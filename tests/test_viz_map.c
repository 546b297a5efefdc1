/* test_viz_map.c: unit tests of the view's map (viz/viz_map.c, viz_geo.c,
 * the projection of viz_layout.c), headless (tests/support/viz_fixture.c).
 *
 * Made-up frames are drawn with viz_draw and checked on real pixels: each
 * city's disc colour at its projected centre, the rural wedge's share of the
 * disc, land and sea where China's land and seas are, labels that never
 * overlap (with or without a CJK font), and the arc of a cross-city flow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <SDL.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/calendar.h"
#include "tests/support/viz_fixture.h"
#include "viz/viz_draw.h"
#include "viz/viz_gfx.h"
#include "viz/viz_int.h"
#include "viz/viz_layout.h"
#include "viz/viz_load.h"
#include "viz/viz_series.h"

/* The layout of a w x h frame of s and the map projection it draws with. */
static void map_fit(const viz_series *s, int w, int h, viz_layout *L, viz_proj *p)
{
    viz_layout_compute(w, h, viz_series_cities(s), L);
    viz_proj_fit(s, viz_layout_map_plot(L), L->scale, p);
}

static void test_viz_map_disc_at_projected_centre(void **state)
{
    (void)state;
    viz_series *s = vfx_make_series(20, 0);
    vfx_canvas c;
    vfx_canvas_open(&c, VFX_W, VFX_H);
    viz_state st;
    viz_state_init(&st);
    st.day_index = 19;
    st.selected = 0; /* Suzhou's detail panel is open: it must hide neither city */
    viz_draw(c.r, c.t, s, &st, VFX_W, VFX_H);
    viz_layout L;
    viz_proj p;
    map_fit(s, VFX_W, VFX_H, &L, &p);
    double top = viz_metric_top(s, VIZ_METRIC_ADOPTION);
    for (int i = 0; i < 2; i++) {
        double x, y, ring;
        viz_proj_apply(&p, vfx_cities[i].lat, vfx_cities[i].lon, &x, &y);
        double r = viz_map_radius(s, 19, i, p.radius_max, &ring);
        assert_true(r >= 3);
        SDL_Color want = viz_pal_ramp(viz_metric_value(s, VIZ_METRIC_ADOPTION, 19, i) / top);
        assert_true(vfx_same(vfx_pixel(&c, (int)x, (int)y), want));
        /* Outside the population ring is the panel, not the disc. */
        assert_false(vfx_same(vfx_pixel(&c, (int)(x + ring + 6), (int)y), want));
    }
    /* Suzhou is north-east of Shenzhen: right and up. */
    double xs, ys, xz, yz;
    viz_proj_apply(&p, vfx_cities[0].lat, vfx_cities[0].lon, &xs, &ys);
    viz_proj_apply(&p, vfx_cities[1].lat, vfx_cities[1].lon, &xz, &yz);
    assert_true(xs > xz && ys < yz);
    assert_int_equal(viz_hit_city(c.t, s, &st, VFX_W, VFX_H, (int)xs, (int)ys), 0);
    assert_int_equal(viz_hit_city(c.t, s, &st, VFX_W, VFX_H, (int)xz, (int)yz), 1);
    vfx_canvas_close(&c);
    viz_series_free(s);
}

static void test_viz_map_rural_wedge(void **state)
{
    (void)state;
    /* Rural = 12345 * 30 / 2 = half the wallets on day 30: the wedge covers the right half. */
    viz_series *s = vfx_make_series(30, 12345 * 15);
    vfx_canvas c;
    vfx_canvas_open(&c, VFX_W, VFX_H);
    viz_state st;
    vfx_draw(&c, s, &st, 29);
    viz_layout L;
    viz_proj p;
    map_fit(s, VFX_W, VFX_H, &L, &p);
    double x, y, ring, r = viz_map_radius(s, 29, 0, p.radius_max, &ring);
    viz_proj_apply(&p, vfx_cities[0].lat, vfx_cities[0].lon, &x, &y);
    assert_true(r >= 6); /* the wedge is drawn from 6 px */
    assert_true(vfx_same(vfx_pixel(&c, (int)(x + r / 2), (int)y), VIZ_RURAL));
    assert_false(vfx_same(vfx_pixel(&c, (int)(x - r / 2), (int)y), VIZ_RURAL));
    vfx_canvas_close(&c);
    viz_series_free(s);
}

/* The pixel at turn t (clockwise from 12 o'clock) at 3/4 of radius r. */
static SDL_Color at_turn(const vfx_canvas *c, double x, double y, double r, double t)
{
    return vfx_pixel(c, (int)lround(x + 0.75 * r * sin(2 * M_PI * t)), (int)lround(y - 0.75 * r * cos(2 * M_PI * t)));
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
        vfx_add_frame(s, start + d, 0, 2, vfx_cities, 4, cols, v);
    }
    assert_true(fabs(viz_metric_value(s, VIZ_METRIC_RURAL, 9, 0) - 0.31) < 1e-6);
    vfx_canvas c;
    vfx_canvas_open(&c, VFX_W, VFX_H);
    viz_state st;
    vfx_draw(&c, s, &st, 9);
    viz_layout L;
    viz_proj p;
    map_fit(s, VFX_W, VFX_H, &L, &p);
    double x, y, ring, r = viz_map_radius(s, 9, 0, p.radius_max, &ring);
    viz_proj_apply(&p, vfx_cities[0].lat, vfx_cities[0].lon, &x, &y);
    assert_true(r >= 12);
    for (double t = 0.02; t < 0.30; t += 0.04)
        assert_true(vfx_same(at_turn(&c, x, y, r, t), VIZ_RURAL));
    for (double t = 0.33; t < 0.98; t += 0.04)
        assert_false(vfx_same(at_turn(&c, x, y, r, t), VIZ_RURAL));
    /* Counted on the whole disc: the wedge's share of the disc's pixels. */
    int in = 0, rural = 0;
    for (int py = (int)(y - r) + 1; py < (int)(y + r); py++)
        for (int px = (int)(x - r) + 1; px < (int)(x + r); px++)
            if (hypot(px + 0.5 - x, py + 0.5 - y) < r - 2 && hypot(px + 0.5 - x, py + 0.5 - y) > 3) {
                in++;
                rural += vfx_same(vfx_pixel(&c, px, py), VIZ_RURAL);
            }
    assert_true(fabs((double)rural / in - 0.31) < 0.03);
    vfx_canvas_close(&c);
    viz_series_free(s);
}

/* The share of pixels of the 9x9 block around (lat, lon) that have colour col. */
static double block_share(const vfx_canvas *c, const viz_proj *p, double lat, double lon, SDL_Color col)
{
    double x, y;
    viz_proj_apply(p, lat, lon, &x, &y);
    int n = 0;
    for (int dy = -4; dy <= 4; dy++)
        for (int dx = -4; dx <= 4; dx++)
            n += vfx_same(vfx_pixel(c, (int)x + dx, (int)y + dy), col);
    return n / 81.0;
}

/* The map of data/ (tools/derive-map.sh): land where China's land is, sea
 * where the seas are, at 1280x720 and 1920x1080, with four far-apart pilots. */
static void test_viz_map_land_and_sea(void **state)
{
    (void)state;
    static const snap_city four[4] = {{"beijing", "Beijing", 39.90, 116.41}, {"shenzhen", "Shenzhen", 22.54, 114.06},
                                      {"chengdu", "Chengdu", 30.66, 104.07}, {"shanghai", "Shanghai", 31.23, 121.47}};
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
    vfx_add_frame(s, cal_day_from_ymd(2021, 6, 1), 0, 4, four, 2, cols, v);
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
        vfx_canvas c;
        vfx_canvas_open(&c, sizes[z][0], sizes[z][1]);
        viz_state st;
        vfx_draw(&c, s, &st, 0);
        viz_layout L;
        viz_proj p;
        map_fit(s, sizes[z][0], sizes[z][1], &L, &p);
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
        vfx_canvas_close(&c);
    }
    viz_series_free(s);
}

/* No two city labels overlap on national_2021 (Beijing, Xiong'an and
 * Zhangjiakou; Suzhou and Shanghai sit within 1 degree), at 1280x720 and
 * 1920x1080, with and without the map; every label lies inside the map's
 * plot and its city's name is drawn there (ink pixels inside the box). */
static void test_viz_map_labels_never_overlap(void **state)
{
    (void)state;
    viz_series *s = vfx_make_national();
    static const int sizes[3][2] = {{1280, 720}, {1920, 1080}, {1024, 600}};
    for (int map = 0; map < 2; map++) {
        if (map) {
            err_list errs;
            err_init(&errs);
            assert_true(viz_load_geo("data", s, &errs));
        }
        for (int z = 0; z < 3; z++) {
            vfx_canvas c;
            vfx_canvas_open(&c, sizes[z][0], sizes[z][1]);
            viz_state st;
            vfx_draw(&c, s, &st, 0);
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
                        fail_msg("%s and %s overlap at %dx%d", vfx_national[i].display, vfx_national[j].display,
                                 sizes[z][0], sizes[z][1]);
                int ink = 0;
                for (int y = box[i].y; y < box[i].y + box[i].h; y++)
                    for (int x = box[i].x; x < box[i].x + box[i].w; x++)
                        ink += vfx_near(vfx_pixel(&c, x, y), VIZ_INK);
                assert_true(ink > 10);
            }
            vfx_canvas_close(&c);
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
    viz_series *s = vfx_make_national();
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

/* A cross-city flow is an arc from sender to receiver on the days it
 * carries money, and nothing on the days it does not. */
static void test_viz_map_flow_arc(void **state)
{
    (void)state;
    viz_series *s = vfx_make_series(3, 0);
    int f = viz_series_add_flow(s, "suzhou_to_shenzhen", "suzhou", "shenzhen");
    assert_int_equal(f, 0);
    assert_int_equal(viz_series_add_flow(s, "suzhou_to_shenzhen", "x", "y"), 0); /* once */
    viz_series_set_flow_value(s, 0, f, 1234567.0);
    vfx_canvas c;
    vfx_canvas_open(&c, VFX_W, VFX_H);
    viz_state st;
    viz_state_init(&st);
    viz_layout L;
    viz_proj p;
    map_fit(s, VFX_W, VFX_H, &L, &p);
    double x0, y0, x1, y1, mx, my;
    viz_proj_apply(&p, vfx_cities[0].lat, vfx_cities[0].lon, &x0, &y0);
    viz_proj_apply(&p, vfx_cities[1].lat, vfx_cities[1].lon, &x1, &y1);
    viz_map_arc_point(x0, y0, x1, y1, 0.5, &mx, &my);
    /* Bowed to the left of Suzhou -> Shenzhen (south-west): the middle lies east of the chord. */
    assert_true(mx > (x0 + x1) / 2);
    st.day_index = 0; /* the dots are at 0, 1/3 and 2/3 of the arc on day 0 */
    viz_draw(c.r, c.t, s, &st, VFX_W, VFX_H);
    assert_true(vfx_same(vfx_pixel(&c, (int)mx, (int)my), VIZ_FLOW));
    st.day_index = 1; /* no money sent that day: no arc */
    viz_draw(c.r, c.t, s, &st, VFX_W, VFX_H);
    assert_false(vfx_same(vfx_pixel(&c, (int)mx, (int)my), VIZ_FLOW));
    vfx_canvas_close(&c);
    viz_series_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_viz_map_disc_at_projected_centre),
        cmocka_unit_test(test_viz_map_rural_wedge),
        cmocka_unit_test(test_viz_map_wedge_is_rural_share_of_holders),
        cmocka_unit_test(test_viz_map_land_and_sea),
        cmocka_unit_test(test_viz_map_labels_never_overlap),
        cmocka_unit_test(test_viz_map_chinese_names_or_fallback),
        cmocka_unit_test(test_viz_map_flow_arc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
