/* test_viz.c: unit tests of viz/ (cmocka) but the map (test_viz_map.c),
 * headless: a software renderer over an RGB888 surface, no window, no
 * display (tests/support/viz_fixture.c).
 *
 * Frames are built by hand as snap_frame data (the view must not depend on
 * models/), fed through viz_series_add_frame like a live run, drawn with
 * viz_draw, and checked on real pixels: a chart line that rises when wallets
 * rise, a gauge fill proportional to attainment, panels that fit at every
 * size; plus the series model, KPI status, the PNG writer, the pace and the
 * replay window.
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
#include "tests/support/viz_fixture.h"
#include "viz/viz_draw.h"
#include "viz/viz_gfx.h"
#include "viz/viz_int.h"
#include "viz/viz_layout.h"
#include "viz/viz_load.h"
#include "viz/viz_pace.h"
#include "viz/viz_png.h"
#include "viz/viz_series.h"
#include "viz/viz_view.h"

static void test_viz_series_add_frame_copies_values(void **state)
{
    (void)state;
    viz_series *s = vfx_make_series(3, 777);
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

/* 30 city colours, pairwise apart; the first 8 are Okabe and Ito's. */
static void test_viz_palette_thirty_distinct(void **state)
{
    (void)state;
    assert_int_equal(VIZ_PAL_CITIES, 30);
    SDL_Color first = viz_pal_city(0), second = viz_pal_city(1);
    assert_true(vfx_same(first, (SDL_Color){0, 114, 178, 255}) && vfx_same(second, (SDL_Color){230, 159, 0, 255}));
    for (int i = 0; i < VIZ_PAL_CITIES; i++)
        for (int j = i + 1; j < VIZ_PAL_CITIES; j++) {
            SDL_Color a = viz_pal_city(i), b = viz_pal_city(j);
            double dist = sqrt(pow(a.r - b.r, 2) + pow(a.g - b.g, 2) + pow(a.b - b.b, 2));
            if (dist < 40)
                fail_msg("colours %d and %d are %.0f apart", i, j, dist);
        }
}

/* Presentation sizes: at 1920x1080 (a 1080p projector, full screen) no
 * text is under 18 px; from the minimum window up, at every text scale of
 * [ and ], the panels stay inside the window and never overlap. */
static void test_viz_layout_presentation_sizes(void **state)
{
    (void)state;
    viz_series *s = vfx_make_national();
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
    viz_series *s = vfx_make_series(61, 0);
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
    vfx_canvas c;
    vfx_canvas_open(&c, VFX_W, VFX_H);
    viz_state st;
    vfx_draw(&c, s, &st, 60);
    viz_ctx ctx;
    viz_ctx_make(&ctx, NULL, c.t, s, &st, VFX_W, VFX_H);
    SDL_Rect area;
    int row_h, cols;
    viz_gauges_per_page(&ctx, true, &area, &row_h, &cols);
    for (int k = 0; k < 2; k++) {
        SDL_Rect rc = {area.x, area.y + k * row_h, area.w, row_h - (int)(8 * ctx.L.scale)};
        SDL_Rect top = {rc.x, rc.y, rc.w, rc.h - viz_text_height(c.t, VIZ_SMALL) - (int)(4 * ctx.L.scale)};
        SDL_Rect track = viz_gauge_track(top, ctx.L.scale);
        SDL_Color want = viz_gauge_color(k == 0 ? 1 : 0);
        assert_true(vfx_fill_px(&c, track, want) > track.w / 20);
    }
    vfx_canvas_close(&c);
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
static int line_y(const vfx_canvas *c, SDL_Rect plot, int x, SDL_Color col)
{
    for (int y = plot.y; y <= plot.y + plot.h; y++)
        if (vfx_near(vfx_pixel(c, x, y), col))
            return y;
    return -1;
}

static void test_viz_chart_line_rises_with_wallets(void **state)
{
    (void)state;
    viz_series *s = vfx_make_series(60, 0);
    vfx_canvas c;
    vfx_canvas_open(&c, VFX_W, VFX_H);
    viz_state st;
    vfx_draw(&c, s, &st, 59);
    viz_layout L;
    viz_layout_compute(VFX_W, VFX_H, viz_series_cities(s), &L);
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
    vfx_canvas_close(&c);
    viz_series_free(s);
}

static void test_viz_chart_stops_at_cursor(void **state)
{
    (void)state;
    viz_series *s = vfx_make_series(60, 0);
    vfx_canvas c;
    vfx_canvas_open(&c, VFX_W, VFX_H);
    viz_state st;
    vfx_draw(&c, s, &st, 29); /* half way through */
    viz_layout L;
    viz_layout_compute(VFX_W, VFX_H, viz_series_cities(s), &L);
    SDL_Rect plot = viz_layout_chart_plot(&L, 0);
    SDL_Color col = viz_pal_city(1);
    assert_true(line_y(&c, plot, plot.x + plot.w / 4, col) > 0);
    assert_int_equal(line_y(&c, plot, plot.x + plot.w * 9 / 10, col), -1);
    vfx_canvas_close(&c);
    viz_series_free(s);
}

static void test_viz_gauge_fill_proportional(void **state)
{
    (void)state;
    vfx_canvas c;
    vfx_canvas_open(&c, VFX_W, VFX_H);
    SDL_Color fill = {10, 120, 200, 255};
    const double achieved[] = {0, 12345, 30000, 61728, 98765, 123450, 200000};
    SDL_Rect rc = {100, 100, 400, 40};
    SDL_Rect track = viz_gauge_track(rc, 1);
    for (size_t k = 0; k < sizeof achieved / sizeof achieved[0]; k++) {
        SDL_SetRenderDrawColor(c.r, 255, 255, 255, 255);
        SDL_RenderClear(c.r);
        viz_gauge_draw(c.r, c.t, rc, 1, "KPI", "detail", 123450, achieved[k], fill);
        double a = fmin(achieved[k] / 123450, 1);
        int want = (int)lround(track.w * a), got = vfx_fill_px(&c, track, fill);
        /* The target mark covers the last 2 px of the track. */
        if (a >= 1)
            want -= 2;
        assert_true(abs(got - want) <= 1);
    }
    vfx_canvas_close(&c);
}

static void test_viz_gauge_panel_shows_kpis_or_adoption(void **state)
{
    (void)state;
    viz_series *s = vfx_make_series(10, 0);
    vfx_canvas c;
    vfx_canvas_open(&c, VFX_W, VFX_H);
    viz_state st;
    viz_state_init(&st);
    st.day_index = 9;
    /* No KPI rows: adoption gauges in the cities' colours, fill = residents with a wallet / population. */
    viz_draw(c.r, c.t, s, &st, VFX_W, VFX_H);
    viz_ctx ctx;
    viz_ctx_make(&ctx, NULL, c.t, s, &st, VFX_W, VFX_H);
    SDL_Rect area;
    int row_h, cols;
    viz_gauges_per_page(&ctx, false, &area, &row_h, &cols);
    assert_int_equal(cols, 2); /* two columns, but two cities fit in one */
    SDL_Rect rc0 = {area.x, area.y, area.w, row_h - (int)(8 * ctx.L.scale)};
    SDL_Rect track = viz_gauge_track(rc0, ctx.L.scale);
    double share = 10 * 12345.0 / 12750000;
    assert_true(abs(vfx_fill_px(&c, track, viz_pal_city(0)) - (int)lround(track.w * share)) <= 1);
    /* A KPI row (61.728% attained, no section: behind, red) replaces them, one per row. */
    viz_series_add_kpi(s, 9, "wallets suzhou", 200000, 123456);
    viz_draw(c.r, c.t, s, &st, VFX_W, VFX_H);
    viz_gauges_per_page(&ctx, true, &area, &row_h, &cols);
    SDL_Rect rc = {area.x, area.y, area.w, row_h - (int)(8 * ctx.L.scale)};
    SDL_Rect top = {rc.x, rc.y, rc.w, rc.h - viz_text_height(c.t, VIZ_SMALL) - (int)(4 * ctx.L.scale)};
    track = viz_gauge_track(top, ctx.L.scale);
    SDL_Color red = viz_gauge_color(0);
    assert_int_equal(viz_kpi_status(s, 9, 0), VIZ_KPI_BEHIND);
    assert_true(abs(vfx_fill_px(&c, track, red) - (int)lround(track.w * 123456.0 / 200000)) <= 1);
    vfx_canvas_close(&c);
    viz_series_free(s);
}

static void test_viz_draw_any_size(void **state)
{
    (void)state;
    viz_series *s = vfx_make_series(5, 0);
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
    viz_series *s = vfx_make_series(8, 0);
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
        viz_series *s = vfx_make_series(n, 0);
        char why[256];
        viz_view_opts o = {"test", "REPLAY", true, speed};
        viz_view *v = viz_view_open(&o, s, why, sizeof why);
        assert_non_null(v);
        viz_view_play(v, true);
        assert_int_equal(viz_view_day_index(v), n - 1);
        viz_view_close(v);
        viz_series_free(s);
    }
    viz_series *s = vfx_make_series(400, 0);
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
        cmocka_unit_test(test_viz_palette_thirty_distinct),
        cmocka_unit_test(test_viz_layout_presentation_sizes),
        cmocka_unit_test(test_viz_kpi_status_pace_projection),
        cmocka_unit_test(test_viz_load_markers_in_words),
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
