/* data.c: loads and validates the CSV files in data/; see data.h. Every
 * message carries FILE:LINE: a row's line, or the header's line for what is
 * wrong with the whole file (no rows, shares not adding up). Banks (by 'bank'
 * and by 'id') and categories (by 'category' and by 'id') must be unique, as
 * areas and city ids are. Cost: O(rows x rows) over at most a few hundred rows. */
#include "models/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/table.h"

static void copy_name(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src);
}

static bool check_unique(const tab_table *t, size_t row, const char *column, const char *value, const char *const *seen,
                         size_t n_seen, err_list *errs)
{
    for (size_t i = 0; i < n_seen; i++) {
        if (strcmp(seen[i], value) == 0) {
            err_add(errs, "%s:%d: column '%s' is '%s' again: expected each value once", tab_path(t),
                    tab_line(t, row), column, value);
            return false;
        }
    }
    return true;
}

static bool load_cities(const char *dir, dat_set *out, err_list *errs)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/cities.csv", dir);
    static const char *cols[] = {"id", "area", "name", "province", "batch", "pilot_start", "population",
                                 "urban_pct", "lat", "lon", "gdp_per_capita_yuan", "kind"};
    tab_table *t = tab_read(path, cols, sizeof cols / sizeof cols[0], errs);
    if (!t)
        return false;
    int before = errs->count;
    const char *seen[DAT_MAX_CITIES];
    if (tab_rows(t) == 0)
        err_add(errs, "%s:%d: no cities: expected at least one row after the header", path, tab_header_line(t));
    if (tab_rows(t) > DAT_MAX_CITIES)
        err_add(errs, "%s:%d: %zu cities: expected at most %d", path, tab_line(t, DAT_MAX_CITIES), tab_rows(t),
                DAT_MAX_CITIES);
    for (size_t r = 0; r < tab_rows(t) && r < DAT_MAX_CITIES; r++) {
        dat_city *c = &out->city[out->n_cities];
        int64_t id = 0, batch = 0, pop = 0;
        const char *area = "", *name = "", *province = "", *kind = "";
        bool ok = tab_int(t, r, "id", 1, 65535, &id, errs);
        ok &= tab_text(t, r, "area", &area, errs);
        ok &= tab_text(t, r, "name", &name, errs);
        ok &= tab_text(t, r, "province", &province, errs);
        ok &= tab_int(t, r, "batch", 1, 99, &batch, errs);
        ok &= tab_date(t, r, "pilot_start", &c->pilot_start_day, errs);
        ok &= tab_int(t, r, "population", 1, 2000000000, &pop, errs);
        ok &= tab_real(t, r, "urban_pct", 0, 100, &c->urban_pct, errs);
        ok &= tab_real(t, r, "lat", -90, 90, &c->lat, errs);
        ok &= tab_real(t, r, "lon", -180, 180, &c->lon, errs);
        ok &= tab_real(t, r, "gdp_per_capita_yuan", 0, 1e7, &c->gdp_per_capita_yuan, errs);
        ok &= tab_text(t, r, "kind", &kind, errs);
        if (ok && strcmp(kind, "city") != 0 && strcmp(kind, "province") != 0) {
            err_add(errs, "%s:%d: column 'kind' is '%s': expected city or province", path, tab_line(t, r), kind);
            ok = false;
        }
        if (ok && strlen(area) >= DAT_NAME_LEN) {
            err_add(errs, "%s:%d: column 'area' is %zu characters: expected at most %d", path, tab_line(t, r),
                    strlen(area), DAT_NAME_LEN - 1);
            ok = false;
        }
        if (!ok || !check_unique(t, r, "area", area, seen, (size_t)out->n_cities, errs))
            continue;
        for (int i = 0; i < out->n_cities; i++)
            if (out->city[i].id == (uint32_t)id) {
                err_add(errs, "%s:%d: column 'id' is %lld again: expected each id once", path, tab_line(t, r),
                        (long long)id);
                ok = false;
            }
        if (!ok)
            continue;
        c->id = (uint32_t)id;
        c->batch = (int)batch;
        c->kind = strcmp(kind, "province") == 0 ? DAT_KIND_PROVINCE : DAT_KIND_CITY;
        c->population = pop;
        copy_name(c->area, sizeof c->area, area);
        copy_name(c->name, sizeof c->name, name);
        copy_name(c->province, sizeof c->province, province);
        seen[out->n_cities] = c->area;
        out->n_cities++;
    }
    tab_free(t);
    return errs->count == before;
}

static bool load_banks(const char *dir, dat_set *out, err_list *errs)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/banks.csv", dir);
    static const char *cols[] = {"id", "bank", "name", "joined", "market_share", "rural_outlet_share"};
    tab_table *t = tab_read(path, cols, sizeof cols / sizeof cols[0], errs);
    if (!t)
        return false;
    int before = errs->count;
    if (tab_rows(t) == 0 || tab_rows(t) > DAT_MAX_BANKS)
        err_add(errs, "%s:%d: %zu banks: expected 1..%d rows", path,
                tab_rows(t) ? tab_line(t, DAT_MAX_BANKS) : tab_header_line(t), tab_rows(t), DAT_MAX_BANKS);
    const char *seen_bank[DAT_MAX_BANKS], *seen_bank_id[DAT_MAX_BANKS];
    double share_total = 0;
    for (size_t r = 0; r < tab_rows(t) && r < DAT_MAX_BANKS; r++) {
        dat_bank *b = &out->bank[out->n_banks];
        int64_t id = 0;
        const char *bank = "", *name = "";
        bool ok = tab_int(t, r, "id", 1, 65535, &id, errs);
        ok &= tab_text(t, r, "bank", &bank, errs);
        ok &= tab_text(t, r, "name", &name, errs);
        ok &= tab_date(t, r, "joined", &b->joined_day, errs);
        ok &= tab_real(t, r, "market_share", 0, 1, &b->market_share, errs);
        ok &= tab_real(t, r, "rural_outlet_share", 0, 1, &b->rural_outlet_share, errs);
        if (!ok)
            continue;
        seen_bank_id[out->n_banks] = tab_get(t, r, "id");
        if (!check_unique(t, r, "bank", bank, seen_bank, (size_t)out->n_banks, errs) ||
            !check_unique(t, r, "id", seen_bank_id[out->n_banks], seen_bank_id, (size_t)out->n_banks, errs))
            continue;
        seen_bank[out->n_banks] = bank;
        b->id = (uint32_t)id;
        copy_name(b->bank, sizeof b->bank, bank);
        copy_name(b->name, sizeof b->name, name);
        share_total += b->market_share;
        out->n_banks++;
    }
    if (errs->count == before && share_total <= 0)
        err_add(errs, "%s:%d: market_share adds up to 0: expected positive shares", path, tab_header_line(t));
    tab_free(t);
    return errs->count == before;
}

static bool load_categories(const char *dir, dat_set *out, err_list *errs)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/merchant_categories.csv", dir);
    static const char *cols[] = {"id", "category", "merchant_share", "occasion_share", "ticket_median_yuan",
                                 "ticket_sigma", "online"};
    tab_table *t = tab_read(path, cols, sizeof cols / sizeof cols[0], errs);
    if (!t)
        return false;
    int before = errs->count;
    if (tab_rows(t) == 0 || tab_rows(t) > DAT_MAX_CATEGORIES)
        err_add(errs, "%s:%d: %zu categories: expected 1..%d rows", path,
                tab_rows(t) ? tab_line(t, DAT_MAX_CATEGORIES) : tab_header_line(t), tab_rows(t), DAT_MAX_CATEGORIES);
    const char *seen_cat[DAT_MAX_CATEGORIES], *seen_cat_id[DAT_MAX_CATEGORIES];
    double merchants = 0, occasions = 0;
    for (size_t r = 0; r < tab_rows(t) && r < DAT_MAX_CATEGORIES; r++) {
        dat_category *c = &out->category[out->n_categories];
        int64_t id = 0, online = 0;
        const char *name = "";
        bool ok = tab_int(t, r, "id", 1, 65535, &id, errs);
        ok &= tab_text(t, r, "category", &name, errs);
        ok &= tab_real(t, r, "merchant_share", 0, 1, &c->merchant_share, errs);
        ok &= tab_real(t, r, "occasion_share", 0, 1, &c->occasion_share, errs);
        ok &= tab_real(t, r, "ticket_median_yuan", 0.01, 1e6, &c->ticket_median_yuan, errs);
        ok &= tab_real(t, r, "ticket_sigma", 0, 3, &c->ticket_sigma, errs);
        ok &= tab_int(t, r, "online", 0, 1, &online, errs);
        if (!ok)
            continue;
        seen_cat_id[out->n_categories] = tab_get(t, r, "id");
        if (!check_unique(t, r, "category", name, seen_cat, (size_t)out->n_categories, errs) ||
            !check_unique(t, r, "id", seen_cat_id[out->n_categories], seen_cat_id, (size_t)out->n_categories, errs))
            continue;
        seen_cat[out->n_categories] = name;
        c->id = (uint32_t)id;
        c->online = online != 0;
        copy_name(c->category, sizeof c->category, name);
        merchants += c->merchant_share;
        occasions += c->occasion_share;
        out->n_categories++;
    }
    if (errs->count == before && (merchants < 0.99 || merchants > 1.01 || occasions < 0.99 || occasions > 1.01))
        err_add(errs, "%s:%d: merchant_share adds up to %.3f and occasion_share to %.3f: expected each to add up to 1",
                path, tab_header_line(t), merchants, occasions);
    tab_free(t);
    return errs->count == before;
}

/* One 'mix' field: category:share pairs separated by ';', physical
 * categories, shares adding up to 1. */
static bool parse_mix(const tab_table *t, size_t row, const char *text, const dat_set *d, dat_platform *pl,
                      err_list *errs)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", text);
    double total = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        char *colon = strchr(tok, ':');
        if (colon)
            *colon = '\0';
        int cat = dat_find_category(d, tok);
        char *end = NULL;
        double share = colon && tab_decimal(colon + 1) ? strtod(colon + 1, &end) : -1;
        if (cat < 0 || d->category[cat].online || share < 0 || share > 1) {
            err_add(errs, "%s:%d: column 'mix' has '%s%s%s': expected category:share pairs separated by ';' (a "
                          "physical category of merchant_categories.csv, a share 0..1)",
                    tab_path(t), tab_line(t, row), tok, colon ? ":" : "", colon ? colon + 1 : "");
            return false;
        }
        pl->mix[cat] += share;
        total += share;
    }
    if (total < 0.99 || total > 1.01) {
        err_add(errs, "%s:%d: column 'mix' adds up to %.3f: expected shares adding up to 1", tab_path(t),
                tab_line(t, row), total);
        return false;
    }
    return true;
}

/* platforms.csv is optional: a data folder without one has no platforms. */
static bool load_platforms(const char *dir, dat_set *out, err_list *errs)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/platforms.csv", dir);
    if (access(path, F_OK) != 0)
        return true;
    static const char *cols[] = {"platform", "name", "occasion_share", "mix"};
    tab_table *t = tab_read(path, cols, sizeof cols / sizeof cols[0], errs);
    if (!t)
        return false;
    int before = errs->count;
    if (tab_rows(t) > DAT_MAX_PLATFORMS)
        err_add(errs, "%s:%d: %zu platforms: expected at most %d rows", path, tab_line(t, DAT_MAX_PLATFORMS),
                tab_rows(t), DAT_MAX_PLATFORMS);
    const char *seen[DAT_MAX_PLATFORMS];
    double occasions = 0;
    for (size_t r = 0; r < tab_rows(t) && r < DAT_MAX_PLATFORMS; r++) {
        dat_platform *pl = &out->platform[out->n_platforms];
        memset(pl, 0, sizeof *pl);
        const char *key = "", *name = "", *mix = "";
        bool ok = tab_text(t, r, "platform", &key, errs);
        ok &= tab_text(t, r, "name", &name, errs);
        ok &= tab_real(t, r, "occasion_share", 0, 1, &pl->occasion_share, errs);
        if (ok && pl->occasion_share <= 0) { /* a platform nobody buys on could never be picked */
            err_add(errs, "%s:%d: occasion_share of platform '%s' is 0: expected a share above 0 (remove the row "
                          "for a platform that takes no part)", path, tab_line(t, r), key);
            ok = false;
        }
        ok &= tab_text(t, r, "mix", &mix, errs);
        if (!ok || !check_unique(t, r, "platform", key, seen, (size_t)out->n_platforms, errs) ||
            !parse_mix(t, r, mix, out, pl, errs))
            continue;
        seen[out->n_platforms] = key;
        copy_name(pl->platform, sizeof pl->platform, key);
        copy_name(pl->name, sizeof pl->name, name);
        occasions += pl->occasion_share;
        out->n_platforms++;
    }
    if (errs->count == before && occasions > 1.0)
        err_add(errs, "%s:%d: occasion_share adds up to %.3f: expected at most 1", path, tab_header_line(t),
                occasions);
    tab_free(t);
    return errs->count == before;
}

bool dat_load(const char *dir, dat_set *out, err_list *errs)
{
    memset(out, 0, sizeof *out);
    bool ok = load_cities(dir, out, errs);
    ok &= load_banks(dir, out, errs);
    ok &= load_categories(dir, out, errs);
    if (ok) /* mixes name categories */
        ok &= load_platforms(dir, out, errs);
    return ok;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

#ifndef ECNYSIM_DATA_DIR
#define ECNYSIM_DATA_DIR "/usr/local/share/ecnysim/data"
#endif

/* The program's own data, for the default data_dir "data": a scenario saved
 * anywhere and run from anywhere still finds it. */
static bool locate_own_data(char *out, size_t out_len)
{
    char exe[2048];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *const forms[] = {"%s/../../data", "%s/../share/ecnysim/data"};
            for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
                char candidate[4096], file[4200];
                snprintf(candidate, sizeof candidate, forms[i], exe);
                snprintf(file, sizeof file, "%s/cities.csv", candidate);
                if (is_dir(candidate) && access(file, R_OK) == 0) {
                    snprintf(out, out_len, "%s", candidate);
                    return true;
                }
            }
        }
    }
    if (is_dir(ECNYSIM_DATA_DIR)) {
        snprintf(out, out_len, "%s", ECNYSIM_DATA_DIR);
        return true;
    }
    return false;
}

const char *dat_locate(const char *dir, const char *scenario_path, char *out, size_t out_len)
{
    snprintf(out, out_len, "%s", dir);
    if (dir[0] == '/' || is_dir(dir))
        return out;
    char base[2048];
    snprintf(base, sizeof base, "%s", scenario_path ? scenario_path : "");
    char *slash = strrchr(base, '/');
    if (slash) {
        *slash = '\0';
        static const char *const forms[] = {"%s/../%s", "%s/%s"};
        for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
            char candidate[4096];
            snprintf(candidate, sizeof candidate, forms[i], base, dir);
            if (is_dir(candidate)) {
                snprintf(out, out_len, "%s", candidate);
                return out;
            }
        }
    }
    if (strcmp(dir, "data") == 0 && locate_own_data(out, out_len))
        return out;
    snprintf(out, out_len, "%s", dir);
    return out;
}

const dat_city *dat_find_city(const dat_set *d, const char *area)
{
    for (int i = 0; i < d->n_cities; i++)
        if (strcmp(d->city[i].area, area) == 0)
            return &d->city[i];
    return NULL;
}

int dat_find_platform(const dat_set *d, const char *platform)
{
    for (int i = 0; i < d->n_platforms; i++)
        if (strcmp(d->platform[i].platform, platform) == 0)
            return i;
    return -1;
}

int dat_find_category(const dat_set *d, const char *category)
{
    for (int i = 0; i < d->n_categories; i++)
        if (strcmp(d->category[i].category, category) == 0)
            return i;
    return -1;
}
