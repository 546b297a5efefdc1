/* test_output.c: unit tests of sim/output (cmocka).
 *
 * A results folder appears only when complete: it is written under a hidden
 * temporary name and renamed on commit; abort leaves nothing; a failed
 * commit leaves the previous results byte-identical. The write-failure sweep
 * (SQLite style) makes write 1, 2, 3 ... fail through out_test_fail_write_at
 * until the operation completes, checking every time that nothing is left
 * behind and nothing earlier is harmed. CSV text is checked byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/output.h"

static char root[256];
static err_list *errs;

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "%s/test_output.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(root))
        return -1;
    errs = malloc(sizeof *errs);
    if (!errs)
        return -1;
    err_init(errs);
    out_test_fail_write_at(0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    out_test_fail_write_at(0);
    char sub[600];
    DIR *d = opendir(root);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
                continue;
            snprintf(sub, sizeof sub, "%s/%s", root, e->d_name);
            out_remove_dir(sub);
            unlink(sub);
        }
        closedir(d);
    }
    rmdir(root);
    free(errs);
    return 0;
}

/* Names in root, sorted, joined by spaces ("" when empty). */
static void list_root(char *out, size_t len)
{
    char names[32][256];
    int n = 0;
    DIR *d = opendir(root);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) && n < 32) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    }
    closedir(d);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char t[256];
                memcpy(t, names[i], sizeof t);
                memcpy(names[i], names[j], sizeof t);
                memcpy(names[j], t, sizeof t);
            }
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "", names[i]);
}

static char *slurp(const char *dir, const char *file)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Writes a small results folder NAME: two CSV files and a text file. Returns
 * out_commit's result (errs gets the message). */
static bool write_results(const char *name, int tag)
{
    out_run *run = out_begin(root, name, errs);
    if (!run)
        return false;
    static const char *cols[] = {"date", "city", "value_fen", "share"};
    out_csv *a = out_csv_open(run, "daily.csv", cols, 4);
    out_csv *b = out_csv_open(run, "other.csv", cols, 2);
    if (a && b) {
        for (int r = 0; r < 3; r++) {
            out_csv_str(a, "2020-04-01");
            out_csv_str(a, r == 1 ? "Xi'an, Shaanxi" : "suzhou");
            out_csv_int(a, 12345 * (r + 1) + tag);
            out_csv_real(a, 0.125 * r);
            out_csv_end_row(a);
        }
        out_csv_str(b, "say \"hi\"");
        out_csv_str(b, " padded");
        out_csv_end_row(b);
        out_flush(run);
    }
    FILE *m = out_text_open(run, "manifest.ini");
    if (m)
        fprintf(m, "[run]\ntag = %d\n", tag);
    return out_commit(run, errs);
}

static void test_output_commit_renames_temp(void **state)
{
    (void)state;
    out_run *run = out_begin(root, "res", errs);
    assert_non_null(run);
    char expect[600], names[2048];
    snprintf(expect, sizeof expect, "%s/res", root);
    assert_string_equal(out_final_dir(run), expect);
    snprintf(expect, sizeof expect, "%s/.res.partial-%ld", root, (long)getpid());
    assert_string_equal(out_temp_dir(run), expect);
    struct stat st;
    assert_int_equal(stat(out_temp_dir(run), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    list_root(names, sizeof names);
    char want[700];
    snprintf(want, sizeof want, ".res.lock %s", strrchr(expect, '/') + 1);
    assert_string_equal(names, want); /* only the lock and the hidden temp folder */
    /* a second writer of the same location is refused, naming the holder */
    err_list other;
    err_init(&other);
    assert_null(out_begin(root, "res", &other));
    assert_int_equal(other.count, 1);
    assert_non_null(strstr(other.msg[0], "another ecnysim run"));
    char pid[32];
    snprintf(pid, sizeof pid, "pid = %ld", (long)getpid());
    assert_non_null(strstr(other.msg[0], pid));
    out_abort(run);

    assert_true(write_results("res", 7));
    list_root(names, sizeof names);
    assert_string_equal(names, "res");
    snprintf(expect, sizeof expect, "%s/res", root);
    assert_string_equal(slurp(expect, "daily.csv"), "date,city,value_fen,share\n"
                                                    "2020-04-01,suzhou,12352,0\n"
                                                    "2020-04-01,\"Xi'an, Shaanxi\",24697,0.125\n"
                                                    "2020-04-01,suzhou,37042,0.25\n");
    assert_string_equal(slurp(expect, "other.csv"), "date,city\n\"say \"\"hi\"\"\",\" padded\"\n");
    assert_string_equal(slurp(expect, "manifest.ini"), "[run]\ntag = 7\n");
    assert_int_equal(errs->count, 0);

    /* A second commit replaces the first, and leaves no .old folder. */
    assert_true(write_results("res", 8));
    list_root(names, sizeof names);
    assert_string_equal(names, "res");
    assert_string_equal(slurp(expect, "manifest.ini"), "[run]\ntag = 8\n");
}

static void test_output_abort_leaves_nothing(void **state)
{
    (void)state;
    out_run *run = out_begin(root, "res", errs);
    static const char *cols[] = {"a", "b"};
    out_csv *c = out_csv_open(run, "x.csv", cols, 2);
    assert_non_null(c);
    out_csv_int(c, 1);
    out_csv_int(c, 2);
    out_csv_end_row(c);
    assert_non_null(out_text_open(run, "manifest.ini"));
    assert_false(out_failed(run));
    out_abort(run);
    out_abort(NULL);
    char names[2048];
    list_root(names, sizeof names);
    assert_string_equal(names, "");
    /* Abort does not touch existing results of the same name. */
    assert_true(write_results("res", 1));
    run = out_begin(root, "res", errs);
    out_abort(run);
    list_root(names, sizeof names);
    assert_string_equal(names, "res");
}

static void test_output_failed_commit_keeps_previous(void **state)
{
    (void)state;
    assert_true(write_results("res", 1));
    char dir[600];
    snprintf(dir, sizeof dir, "%s/res", root);
    char before[8192];
    snprintf(before, sizeof before, "%s", slurp(dir, "daily.csv"));

    out_test_fail_write_at(5);
    assert_false(write_results("res", 2));
    assert_true(errs->count >= 1);
    assert_non_null(strstr(errs->msg[0], "cannot write"));
    assert_non_null(strstr(errs->msg[0], "daily.csv"));
    assert_non_null(strstr(errs->msg[0], "previous results"));
    assert_string_equal(slurp(dir, "daily.csv"), before);
    assert_string_equal(slurp(dir, "manifest.ini"), "[run]\ntag = 1\n");
    char names[2048];
    list_root(names, sizeof names);
    assert_string_equal(names, "res");
}

static void test_output_write_failure_sweep(void **state)
{
    (void)state;
    assert_true(write_results("res", 1));
    char dir[600], names[2048], before[8192];
    snprintf(dir, sizeof dir, "%s/res", root);
    snprintf(before, sizeof before, "%s", slurp(dir, "daily.csv"));
    long n;
    for (n = 1; n < 10000; n++) {
        err_init(errs);
        out_test_fail_write_at(n);
        bool ok = write_results("res", 2);
        list_root(names, sizeof names);
        assert_string_equal(names, "res"); /* never a .partial nor .old */
        if (ok)
            break;
        assert_int_equal(errs->count, 1);
        if (!strstr(errs->msg[0], "cannot write"))
            fail_msg("write %ld: %s", n, errs->msg[0]);
        assert_string_equal(slurp(dir, "daily.csv"), before);
        assert_string_equal(slurp(dir, "manifest.ini"), "[run]\ntag = 1\n");
    }
    assert_true(n > 20); /* every separator, field and row end is a checked write */
    assert_string_equal(slurp(dir, "manifest.ini"), "[run]\ntag = 2\n");
    print_message("write sweep: %ld failure points\n", n - 1);
}

static void test_output_out_write_injection(void **state)
{
    (void)state;
    char p[600];
    snprintf(p, sizeof p, "%s/f.bin", root);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    out_test_fail_write_at(2);
    assert_true(out_write(f, "abc", 3));
    assert_false(out_write(f, "def", 3));
    assert_true(out_write(f, "ghi", 3)); /* one failure, as injected */
    out_test_fail_write_at(0);
    assert_true(out_write(f, "jkl", 3));
    fclose(f);
    FILE *r = fopen(p, "rb");
    char got[16] = "";
    assert_int_equal(fread(got, 1, sizeof got, r), 9);
    fclose(r);
    assert_memory_equal(got, "abcghijkl", 9);
    unlink(p);
}

static void test_output_begin_failure(void **state)
{
    (void)state;
    char file[600], under[700];
    snprintf(file, sizeof file, "%s/plainfile", root);
    FILE *f = fopen(file, "w");
    fclose(f);
    snprintf(under, sizeof under, "%s/sub", file);
    assert_null(out_begin(under, "res", errs));
    assert_int_equal(errs->count, 1);
    assert_non_null(strstr(errs->msg[0], "cannot create the results folder"));
    unlink(file);
    /* A missing root is created, parents included. */
    snprintf(under, sizeof under, "%s/a/b/c", root);
    err_init(errs);
    out_run *run = out_begin(under, "res", errs);
    assert_non_null(run);
    assert_true(out_commit(run, errs));
    char final[800];
    snprintf(final, sizeof final, "%s/res", under);
    struct stat st;
    assert_int_equal(stat(final, &st), 0);
    out_remove_dir(final);
    snprintf(final, sizeof final, "%s/a", root);
    out_remove_dir(final);
}

static void test_output_remove_dir(void **state)
{
    (void)state;
    char d[600], sub[700], p[800];
    snprintf(d, sizeof d, "%s/tree", root);
    mkdir(d, 0777);
    snprintf(sub, sizeof sub, "%s/inner", d);
    mkdir(sub, 0777);
    snprintf(p, sizeof p, "%s/x", sub);
    fclose(fopen(p, "w"));
    snprintf(p, sizeof p, "%s/y", d);
    fclose(fopen(p, "w"));
    out_remove_dir(d);
    struct stat st;
    assert_int_equal(stat(d, &st), -1);
    out_remove_dir(d); /* absent: nothing happens */
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_output_commit_renames_temp),
        T(test_output_abort_leaves_nothing),
        T(test_output_failed_commit_keeps_previous),
        T(test_output_write_failure_sweep),
        T(test_output_out_write_injection),
        T(test_output_begin_failure),
        T(test_output_remove_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
