/* peer.c: 'run' of a scenario whose [peer] section has residents > 0:
 * the declared payments economy (models/peer.c) instead of the city world.
 *
 * Writes peer.csv (one row a day, the columns of
 * docs/benchmark.md) and manifest.ini into the results
 * folder, through the same safe writer as every run. At the end it checks
 * the ledger (led_check) and the benchmark's invariant; a failed check fails
 * the run and leaves no results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/peer.h"
#include "models/schema.h"
#include "cli/cli.h"
#include "sim/assert.h"
#include "sim/engine.h"
#include "sim/error.h"
#include "sim/output.h"
#include "sim/scenario.h"

static void write_row(out_csv *csv, const peer_row *r)
{
    const int64_t v[PEER_COLUMNS] = {r->day, r->adopters, r->accepting_merchants, r->ecny_payments, r->ecny_value_fen,
                                     r->cash_app_payments, r->cash_app_value_fen, r->new_adopters, r->topups,
                                     r->issued_value_fen, r->redeemed_value_fen};
    for (int c = 0; c < PEER_COLUMNS; c++)
        out_csv_int(csv, v[c]);
    out_csv_end_row(csv);
}

int cli_run_peer(const cli_session *s, int argc, char **argv)
{
    SIM_ASSERT(s && s->doc && s->errs, "a session begun on a [peer] scenario (cli_session_peer)");
    const cli_args *a = s->a;
    const scn_doc *doc = s->doc;
    err_list *errs = s->errs;
    int status = EXIT_OK;
    peer_params p;
    peer_model *m = NULL;
    eng_engine *eng = NULL;
    out_run *run = NULL;
    out_csv *csv = NULL;
    if (!peer_params_read(doc, &p, errs) || !(m = peer_create(&p, errs))) {
        status = EXIT_BADINPUT;
        goto done;
    }
    eng = eng_alloc(0, p.days, 16, 1024);
    if (!eng || !peer_attach(m, eng)) {
        err_add_kind(errs, ERR_MEMORY, "out of memory setting up the engine");
        status = EXIT_RUNTIME;
        goto done;
    }
    char root[4096], name[1024];
    cli_results_location(doc, a, root, sizeof root, name, sizeof name);
    run = out_begin(root, name, errs);
    if (run)
        csv = out_csv_open(run, "peer.csv", peer_columns, PEER_COLUMNS);
    if (!csv) {
        if (run)
            err_add_kind(errs, ERR_IO, "%s", out_error(run));
        status = EXIT_RUNTIME;
        goto done;
    }
    while (!eng_finished(eng)) {
        if (!eng_step_day(eng)) {
            err_add(errs, "run failed: %s", eng_failed(eng) ? eng_failed(eng) : "unknown");
            status = EXIT_RUNTIME;
            goto done;
        }
        write_row(csv, peer_last_row(m));
    }
    char why[256];
    if (!peer_check(m, why, sizeof why)) {
        err_add(errs, "ledger check failed at the end of the run: %s", why);
        status = EXIT_RUNTIME;
        goto done;
    }
    FILE *mf = out_text_open(run, "manifest.ini");
    if (mf) {
        const peer_row *t = peer_totals(m);
        fprintf(mf, "; manifest.ini: how this results folder was made. The [scenario] and later sections\n"
                    "; are the resolved scenario, every default filled: 'ecnysim run' accepts this file.\n");
        fprintf(mf, "\n[run]\nstatus = complete\nversion = %s\nmodel = peer\nscenario_file = %s\n"
                    "scenario_hash = %016llx\nseed = %llu\ndays_run = %d\nresidents = %u\nmerchants = %u\n"
                    "events = %llu\nledger_check = ok\nissued_fen = %lld\nredeemed_fen = %lld\n",
                ECNYSIM_VERSION, scn_path(doc), (unsigned long long)scn_hash(doc), (unsigned long long)p.seed,
                eng_day_index(eng), p.residents, peer_merchants(m), (unsigned long long)eng_events_run(eng),
                (long long)t->issued_value_fen, (long long)t->redeemed_value_fen);
        cli_write_command(mf, argc, argv);
        scn_write_resolved(doc, mf);
    }
    if (!out_commit(run, errs)) {
        run = NULL;
        status = EXIT_RUNTIME;
        goto done;
    }
    run = NULL;
    if (!a->quiet) {
        const peer_row *t = peer_totals(m);
        fprintf(stderr, "ecnysim: peer model, %u residents, %d days: %lld adopters, %lld e-CNY payments, ledger ok: "
                        "results in %s/%s\n",
                p.residents, p.days, (long long)t->adopters, (long long)t->ecny_payments, root, name);
    }
done:
    if (run) {
        if (out_failed(run))
            err_add_kind(errs, ERR_IO, "%s (previous results, if any, are untouched)", out_error(run));
        out_abort(run);
    }
    err_print(errs, stderr);
    eng_free(eng);
    peer_free(m);
    return status;
}
