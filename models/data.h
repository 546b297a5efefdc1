/* data.h: the input data files under data/ (prefix dat_).
 *
 * cities.csv (pilot areas), banks.csv (operating institutions) and
 * merchant_categories.csv, read with libcsv through sim/table and validated
 * row by row: every bad field is reported as FILE:LINE with its column.
 */
#ifndef ECNYSIM_DATA_H
#define ECNYSIM_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/error.h"

#define DAT_NAME_LEN 64
#define DAT_MAX_CITIES 256
#define DAT_MAX_BANKS 32
#define DAT_MAX_CATEGORIES 16
#define DAT_MAX_PLATFORMS 16

/* What a pilot area is (cities.csv column 'kind'): one city, where the rest
 * of it is a metro ride from any district, or a province-wide area, where the
 * rest of it is other cities hours away (Hainan; the batch-4 provinces). */
typedef enum { DAT_KIND_CITY, DAT_KIND_PROVINCE } dat_kind;

typedef struct {
    uint32_t id;                 /* stable: random streams are seeded by it */
    char area[DAT_NAME_LEN];     /* key used by [city.NAME] */
    char name[DAT_NAME_LEN];     /* display name */
    char province[DAT_NAME_LEN];
    int batch;
    int32_t pilot_start_day;
    int64_t population;
    double urban_pct, lat, lon, gdp_per_capita_yuan;
    dat_kind kind;
} dat_city;

typedef struct {
    uint32_t id;
    char bank[DAT_NAME_LEN];
    char name[DAT_NAME_LEN * 2];
    int32_t joined_day;
    double market_share, rural_outlet_share;
} dat_bank;

typedef struct {
    uint32_t id;
    char category[DAT_NAME_LEN];
    double merchant_share, occasion_share, ticket_median_yuan, ticket_sigma;
    bool online;
} dat_category;

/* An online platform taking part as a merchant (platforms.csv): its share of
 * purchase occasions and the categories bought there (shares adding to 1). */
typedef struct {
    char platform[DAT_NAME_LEN]; /* key used by a programme's 'platforms' */
    char name[DAT_NAME_LEN];
    double occasion_share;
    double mix[DAT_MAX_CATEGORIES]; /* by category index */
} dat_platform;

typedef struct {
    dat_city city[DAT_MAX_CITIES];
    int n_cities;
    dat_bank bank[DAT_MAX_BANKS];
    int n_banks;
    dat_category category[DAT_MAX_CATEGORIES];
    int n_categories;
    dat_platform platform[DAT_MAX_PLATFORMS]; /* platforms.csv, optional: none when absent */
    int n_platforms;
} dat_set;

/* Loads the three files from dir into *out, and platforms.csv when dir has
 * one (n_platforms 0 otherwise). Returns false with every problem in errs. */
bool dat_load(const char *dir, dat_set *out, err_list *errs);
/* Where the data folder dir is: as given when it exists (relative to the
 * working folder), else next to the scenario file (its folder's parent, then
 * its folder), so an installed scenario finds the installed data; for the
 * default "data" only, then the program's own data: beside the binary in the
 * build tree (BIN/../../data), installed (BIN/../share/ecnysim/data), and the
 * folder compiled in as ECNYSIM_DATA_DIR (PREFIX/share/ecnysim/data). Writes
 * the path into out; returns dir unchanged when none exists (the loader
 * reports it). */
const char *dat_locate(const char *dir, const char *scenario_path, char *out, size_t out_len);
const dat_city *dat_find_city(const dat_set *d, const char *area);
int dat_find_category(const dat_set *d, const char *category);
int dat_find_platform(const dat_set *d, const char *platform); /* index or -1 */

#endif
