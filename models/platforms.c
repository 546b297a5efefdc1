/* platforms.c: named online platforms as merchants of a voucher programme
 * (prefix plt_).
 *
 * A programme's 'platforms' key (jd, meituan, ... from data/platforms.csv)
 * puts one merchant per platform in the online category, in the order named,
 * instead of the anonymous online merchants. Each platform has its own share
 * of purchase occasions and its own category mix, so the online share of a
 * campaign's spending follows which platforms take part: where the online
 * share comes from the categories taking part (no online_pct override), the
 * online category weighs the sum of its platforms' occasion shares instead of
 * its own, a purchase online picks a platform by its share, and the ticket is
 * drawn from a category of the platform's mix. With the key absent nothing
 * here runs and no random draw is added: existing scenarios are unchanged.
 *
 * Invariants: the k-th merchant of an online category in v->merchants is the
 * platform v->platform[k mod n_platforms] (prg_vouchers_tag adds them in that
 * order); every platform's mix adds up to 1 (data.c). Cost: O(merchants)
 * when merchants were added, to find the platforms' merchants; O(platforms)
 * per purchase.
 */
#include <stdio.h>
#include <string.h>

#include "models/programme.h"
#include "sim/rng.h"

bool plt_parse(const scn_doc *doc, const scn_instance *in, const char *key, const wld_world *w, prg_vouchers *v,
               err_list *errs)
{
    v->n_platforms = 0;
    if (!scn_has(in, key))
        return true;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", scn_str(in, key));
    bool ok = true;
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int k = dat_find_platform(w->data, tok);
        bool again = false;
        for (int i = 0; i < v->n_platforms && k >= 0; i++)
            again |= v->platform[i] == (uint8_t)k;
        if (k >= 0 && !again && v->n_platforms < DAT_MAX_PLATFORMS) {
            v->platform[v->n_platforms++] = (uint8_t)k;
            continue;
        }
        char where[600], names[DAT_MAX_PLATFORMS * (DAT_NAME_LEN + 2)] = "";
        scn_where(doc, in, key, where, sizeof where);
        const char *hint = NULL;
        size_t best = SIZE_MAX;
        for (int i = 0; i < w->data->n_platforms; i++) {
            size_t d = scn_edit_distance(tok, w->data->platform[i].platform);
            if (d < best) {
                best = d;
                hint = w->data->platform[i].platform;
            }
            size_t at = strlen(names);
            snprintf(names + at, sizeof names - at, "%s%s", i ? ", " : "", w->data->platform[i].platform);
        }
        if (again)
            err_add(errs, "%s: '%s' is named twice in %s of [%s.%s]: expected each platform once", where, tok, key,
                    scn_section_name(in), scn_name(in));
        else if (w->data->n_platforms == 0)
            err_add(errs, "%s: '%s' in %s of [%s.%s] is not a platform: the data folder has no platforms.csv", where,
                    tok, key, scn_section_name(in), scn_name(in));
        else if (hint && best <= 2)
            err_add(errs, "%s: '%s' in %s of [%s.%s] is not a platform of platforms.csv (did you mean '%s'?)", where,
                    tok, key, scn_section_name(in), scn_name(in), hint);
        else
            err_add(errs, "%s: '%s' in %s of [%s.%s] is not a platform of platforms.csv: expected one of %s", where,
                    tok, key, scn_section_name(in), scn_name(in), names);
        ok = false;
    }
    if (!ok || v->n_platforms == 0)
        return ok;
    /* platforms are online merchants: a category list without an online
     * category takes the first one */
    if (v->category_mask) {
        bool has_online = false;
        int first = -1;
        for (int k = 0; k < w->data->n_categories; k++) {
            if (!w->data->category[k].online)
                continue;
            has_online |= (v->category_mask >> k & 1) != 0;
            if (first < 0)
                first = k;
        }
        if (!has_online && first >= 0)
            v->category_mask |= UINT32_C(1) << first;
    }
    return true;
}

double plt_occasion_share(const prg_vouchers *v, const wld_world *w)
{
    double t = 0;
    for (int i = 0; i < v->n_platforms; i++)
        t += w->data->platform[v->platform[i]].occasion_share;
    return t;
}

/* Fills v->platform_at: the k-th merchant of an online category is platform
 * k mod n_platforms; LED_NONE-like UINT32_MAX when a platform has none.
 * O(merchants), only when merchants were added since the last call (the
 * list only grows), so derived state needs no checkpoint. */
static void locate(prg_vouchers *v, const wld_world *w)
{
    if (v->platform_at_seen == v->n_merchants && v->n_merchants > 0)
        return;
    for (int i = 0; i < DAT_MAX_PLATFORMS; i++)
        v->platform_at[i] = UINT32_MAX;
    uint32_t rank = 0;
    for (uint32_t j = 0; j < v->n_merchants; j++) {
        if (!w->data->category[v->merchant_cat[j]].online)
            continue;
        uint32_t k = rank++ % (uint32_t)v->n_platforms;
        if (v->platform_at[k] == UINT32_MAX)
            v->platform_at[k] = j;
    }
    v->platform_at_seen = v->n_merchants;
}

uint32_t plt_pick(prg_vouchers *v, const wld_world *w, gsl_rng *r, uint32_t fallback, int *platform)
{
    locate(v, w);
    double total = plt_occasion_share(v, w), x = rng_uniform(r) * total;
    int want = v->n_platforms - 1;
    for (int i = 0; i < v->n_platforms; i++) {
        double share = w->data->platform[v->platform[i]].occasion_share;
        if (x < share) {
            want = i;
            break;
        }
        x -= share;
    }
    if (v->platform_at[want] != UINT32_MAX) {
        *platform = want;
        return v->platform_at[want];
    }
    /* fewer online merchants than platforms (a tiny city at a coarse scale) */
    for (int i = 0; i < v->n_platforms; i++)
        if (v->platform_at[i] == fallback) {
            *platform = i;
            return fallback;
        }
    *platform = 0;
    return fallback;
}

int plt_ticket_category(const prg_vouchers *v, const wld_world *w, gsl_rng *r, int platform)
{
    const dat_platform *pl = &w->data->platform[v->platform[platform]];
    double x = rng_uniform(r);
    int last = -1;
    for (int k = 0; k < w->data->n_categories; k++) {
        if (pl->mix[k] <= 0)
            continue;
        last = k;
        if (x < pl->mix[k])
            return k;
        x -= pl->mix[k];
    }
    return last;
}

void plt_report(const prg_vouchers *v, prg_programme *p, const wld_world *w)
{
    static char names[DAT_MAX_PLATFORMS][DAT_NAME_LEN + 8];
    double k = (double)w->scale;
    for (int i = 0; i < v->n_platforms; i++) {
        int d = v->platform[i];
        snprintf(names[d], sizeof names[d], "spent_%s", w->data->platform[d].platform);
        prg_out(p, names[d], "yuan", (double)v->spent_by_platform_fen[i] * k / 100.0);
    }
}
