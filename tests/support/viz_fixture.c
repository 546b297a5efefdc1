/* viz_fixture.c: the view tests' made-up series and headless canvas (see
 * viz_fixture.h). Frames are built by hand as snap_frame data, as the view
 * must not depend on models/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "sim/calendar.h"
#include "tests/support/viz_fixture.h"

#define NCOL 4

static const char *const columns[NCOL] = {"population", "wallets", "rural_wallets", "payments_ecny"};
const snap_city vfx_cities[2] = {{"suzhou", "Suzhou", 31.30, 120.62}, {"shenzhen", "Shenzhen", 22.54, 114.06}};

void vfx_add_frame(viz_series *s, int32_t day, int32_t day_index, int n_cities, const snap_city *city, int n_columns,
                   const char *const *column, const int64_t *value)
{
    const char *rows[VFX_MAX_CITIES];
    assert_true(n_cities >= 1 && n_cities <= VFX_MAX_CITIES);
    for (int i = 0; i < n_cities; i++)
        rows[i] = city[i].name;
    snap_frame f = {0};
    f.day = day;
    f.day_index = day_index;
    f.n_cities = n_cities;
    f.city = city;
    f.n_tables = 1;
    f.table[0] = (snap_table){.file = "daily.csv", .n_columns = n_columns, .column = column, .value = value,
                              .n_rows = n_cities, .row_city = rows};
    assert_true(viz_series_add_frame(s, &f));
}

viz_series *vfx_make_series(int n_days, int64_t rural)
{
    viz_series *s = viz_series_alloc();
    assert_non_null(s);
    int32_t start = cal_day_from_ymd(2020, 4, 1);
    for (int d = 0; d < n_days; d++) {
        int64_t v[2 * NCOL] = {12750000, 12345 * (d + 1), rural, 1000 + d,
                               17560000, 23456 * (d + 1), 0,     2000 + d};
        vfx_add_frame(s, start + d, d, 2, vfx_cities, NCOL, columns, v);
    }
    return s;
}

const snap_city vfx_national[12] = {
    {"shenzhen", "Shenzhen", 22.54, 114.06},        {"suzhou", "Suzhou", 31.30, 120.62},
    {"xiongan", "Xiong'an New Area", 39.00, 115.97}, {"chengdu", "Chengdu", 30.66, 104.07},
    {"shanghai", "Shanghai", 31.23, 121.47},        {"hainan", "Hainan (province)", 20.04, 110.32},
    {"changsha", "Changsha", 28.23, 112.94},        {"xian", "Xi'an", 34.34, 108.94},
    {"qingdao", "Qingdao", 36.07, 120.38},          {"dalian", "Dalian", 38.91, 121.61},
    {"beijing", "Beijing", 39.90, 116.41},          {"zhangjiakou", "Zhangjiakou", 40.82, 114.88},
};
static const int64_t national_pop[12] = {17560000, 12750000, 1200000,  20940000, 24870000, 10080000,
                                         10050000, 12950000, 10070000, 7450000,  21890000, 4120000};

/* Adoption per mille at the end of national_2021. */
static const int national_adoption_pm[12] = {840, 830, 840, 840, 99, 100, 99, 100, 100, 110, 15, 10};

viz_series *vfx_make_national(void)
{
    static const char *const cols[2] = {"population", "adopters"};
    int64_t v[24];
    for (int i = 0; i < 12; i++) {
        v[2 * i] = national_pop[i];
        v[2 * i + 1] = national_pop[i] * national_adoption_pm[i] / 1000;
    }
    viz_series *s = viz_series_alloc();
    assert_non_null(s);
    vfx_add_frame(s, cal_day_from_ymd(2021, 12, 31), 0, 12, vfx_national, 2, cols, v);
    return s;
}

void vfx_canvas_open(vfx_canvas *c, int w, int h)
{
    char why[256];
    c->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    assert_non_null(c->surf);
    c->r = SDL_CreateSoftwareRenderer(c->surf);
    assert_non_null(c->r);
    c->t = viz_text_open(1, why, sizeof why);
    assert_non_null(c->t);
}

void vfx_canvas_close(vfx_canvas *c)
{
    viz_text_close(c->t);
    SDL_DestroyRenderer(c->r);
    SDL_FreeSurface(c->surf);
}

void vfx_draw(vfx_canvas *c, const viz_series *s, viz_state *st, int day_index)
{
    viz_state_init(st);
    st->day_index = day_index;
    viz_draw(c->r, c->t, s, st, c->surf->w, c->surf->h);
}

SDL_Color vfx_pixel(const vfx_canvas *c, int x, int y)
{
    Uint32 p = ((const Uint32 *)((const Uint8 *)c->surf->pixels + y * c->surf->pitch))[x];
    SDL_Color col;
    SDL_GetRGB(p, c->surf->format, &col.r, &col.g, &col.b);
    col.a = 255;
    return col;
}

bool vfx_same(SDL_Color a, SDL_Color b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

bool vfx_near(SDL_Color a, SDL_Color b)
{
    return abs(a.r - b.r) <= 3 && abs(a.g - b.g) <= 3 && abs(a.b - b.b) <= 3;
}

int vfx_fill_px(const vfx_canvas *c, SDL_Rect track, SDL_Color fill)
{
    int n = 0, y = track.y + track.h / 2;
    for (int x = track.x; x < track.x + track.w; x++)
        n += vfx_same(vfx_pixel(c, x, y), fill);
    return n;
}
