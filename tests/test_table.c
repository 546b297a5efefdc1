/* test_table.c: unit tests of sim/table, the libcsv data reader (cmocka).
 *
 * Comments before the header, quoted fields with commas, quotes and line
 * breaks, CRLF, a last row without a newline, short rows; errors with the
 * file and line: bad quoting, an unclosed quote, a missing column, bytes that
 * are not UTF-8, an empty file; the typed field readers and their messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/calendar.h"
#include "sim/table.h"

static char dir[256], path[512];
static err_list *errs;

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "%s/test_table.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof path, "%s/t.csv", dir);
    errs = malloc(sizeof *errs);
    if (!errs)
        return -1;
    err_init(errs);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    free(errs);
    return 0;
}

static tab_table *read_text(const char *text, size_t n, const char *const *cols, size_t n_cols)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    err_init(errs);
    return tab_read(path, cols, n_cols, errs);
}
#define READ(text, cols) read_text(text, strlen(text), cols, sizeof(cols) / sizeof((cols)[0]))

static bool has_msg(const char *a, const char *b)
{
    for (int i = 0; i < errs->count && i < ERR_MAX; i++)
        if (strstr(errs->msg[i], a) && (!b || strstr(errs->msg[i], b)))
            return true;
    for (int i = 0; i < errs->count && i < ERR_MAX; i++)
        print_message("  %s\n", errs->msg[i]);
    return false;
}

static const char *cols3[] = {"id", "name", "share"};

static void test_table_reads_rows_and_comments(void **state)
{
    (void)state;
    tab_table *t = READ("# a comment\n"
                        "# another, with \"quotes\"\n"
                        "\n"
                        "id,name,share,extra\n"
                        "1,suzhou,0.25,x\n"
                        "2,\"Xi'an, Shaanxi\",0.5,\n"
                        "3,\"say \"\"hi\"\"\",0.125,y\n"
                        "4,\"two\nlines\",1,z\n"
                        "5,short\n"
                        "6,last,0,no newline",
                        cols3);
    assert_non_null(t);
    assert_int_equal(tab_rows(t), 6);
    assert_string_equal(tab_path(t), path);
    assert_string_equal(tab_get(t, 0, "name"), "suzhou");
    assert_int_equal(tab_line(t, 0), 5);
    assert_string_equal(tab_get(t, 1, "name"), "Xi'an, Shaanxi");
    assert_string_equal(tab_get(t, 1, "extra"), "");
    assert_string_equal(tab_get(t, 2, "name"), "say \"hi\"");
    assert_string_equal(tab_get(t, 3, "name"), "two\nlines");
    assert_int_equal(tab_line(t, 3), 8); /* where the record starts */
    assert_int_equal(tab_line(t, 4), 10);
    assert_string_equal(tab_get(t, 4, "share"), ""); /* short row */
    assert_string_equal(tab_get(t, 5, "extra"), "no newline");
    assert_int_equal(tab_line(t, 5), 11);
    assert_string_equal(tab_get(t, 0, "nosuch"), "");
    tab_free(t);
    tab_free(NULL);
}

static void test_table_crlf(void **state)
{
    (void)state;
    tab_table *t = READ("id,name,share\r\n1,a,0.5\r\n2,\"b,c\",0.5\r\n", cols3);
    assert_non_null(t);
    assert_int_equal(tab_rows(t), 2);
    assert_string_equal(tab_get(t, 0, "share"), "0.5");
    assert_string_equal(tab_get(t, 1, "name"), "b,c");
    assert_int_equal(tab_line(t, 1), 3);
    tab_free(t);
}

static void test_table_bad_quoting(void **state)
{
    (void)state;
    assert_null(READ("id,name,share\n1,a,0.5\n2,\"Suz\"hou\",0.5\n3,c,1\n", cols3));
    assert_true(has_msg("t.csv:3:", "quotes only around whole fields"));
    assert_null(READ("id,name,share\n1,a,0.5\n2,b\"c,0.5\n", cols3));
    assert_true(has_msg("t.csv:3:", NULL));
    /* A quote opened and never closed: reported at the end of the file. */
    assert_null(READ("id,name,share\n1,\"open,0.5\n2,b,0.5\n", cols3));
    assert_true(has_msg("t.csv:", "not closed"));
}

static void test_table_missing_column(void **state)
{
    (void)state;
    static const char *cols[] = {"id", "name", "lat", "lon"};
    assert_null(READ("# c\nid,name,latitude,lon\n1,a,3,4\n", cols));
    assert_true(has_msg("t.csv:2:", "header has no column 'lat'"));
    assert_int_equal(errs->count, 1);
    static const char *two[] = {"id", "x", "y"};
    assert_null(READ("id,name\n1,a\n", two));
    assert_int_equal(errs->count, 2); /* every missing column */
}

static void test_table_non_utf8(void **state)
{
    (void)state;
    assert_null(READ("id,name,share\n1,caf\xe9,0.5\n", cols3));
    assert_true(has_msg("t.csv:2:", "not UTF-8"));
    assert_null(read_text("id,name,share\n1,a\0b,0.5\n", 22, cols3, 3));
    assert_true(has_msg("t.csv:2:", "not UTF-8"));
    tab_table *t = READ("id,name,share\n1,\xe6\xb7\xb1\xe5\x9c\xb3,0.5\n", cols3); /* 深圳 */
    assert_non_null(t);
    assert_string_equal(tab_get(t, 0, "name"), "\xe6\xb7\xb1\xe5\x9c\xb3");
    tab_free(t);
}

static void test_table_empty_file(void **state)
{
    (void)state;
    assert_null(READ("", cols3));
    assert_true(has_msg("t.csv:1:", "the file is empty"));
    assert_null(READ("# only a comment\n", cols3));
    assert_true(has_msg("the file is empty", NULL));
    /* A header and no rows is a table of 0 rows: the loader decides. */
    tab_table *t = READ("id,name,share\n", cols3);
    assert_non_null(t);
    assert_int_equal(tab_rows(t), 0);
    tab_free(t);
    err_init(errs);
    assert_null(tab_read("/nonexistent/t.csv", cols3, 3, errs));
    assert_true(has_msg("/nonexistent/t.csv", "cannot open"));
}

static void test_table_typed_fields(void **state)
{
    (void)state;
    static const char *cols[] = {"n", "x", "d", "s"};
    tab_table *t = READ("n,x,d,s\n"
                        "12345,0.25,2020-04-01,abc\n"
                        "-7,1e3,2021-02-29,\n"
                        "9999999999999999999,nan,2020/04/01,x\n"
                        "1.5,,2020-13-01,y\n",
                        cols);
    assert_non_null(t);
    int64_t n = 0;
    double x = 0;
    int32_t d = 0;
    const char *s = NULL;
    err_init(errs);
    assert_true(tab_int(t, 0, "n", 0, 100000, &n, errs));
    assert_true(n == 12345);
    assert_true(tab_real(t, 0, "x", 0, 1, &x, errs));
    assert_true(x == 0.25);
    assert_true(tab_date(t, 0, "d", &d, errs));
    assert_int_equal(d, cal_day_from_ymd(2020, 4, 1));
    assert_true(tab_text(t, 0, "s", &s, errs));
    assert_string_equal(s, "abc");
    assert_int_equal(errs->count, 0);

    assert_false(tab_int(t, 1, "n", 0, 100000, &n, errs));
    assert_true(has_msg("t.csv:3:", "column 'n' is '-7': expected a whole number in 0..100000"));
    assert_false(tab_real(t, 1, "x", 0, 1, &x, errs));
    assert_true(has_msg("t.csv:3:", "column 'x' is '1e3': expected a number in 0..1"));
    assert_false(tab_date(t, 1, "d", &d, errs));
    assert_true(has_msg("t.csv:3:", "column 'd' is '2021-02-29'"));
    assert_false(tab_text(t, 1, "s", &s, errs));
    assert_true(has_msg("t.csv:3:", "column 's' is empty"));
    assert_false(tab_int(t, 2, "n", INT64_MIN, INT64_MAX, &n, errs)); /* overflow */
    assert_false(tab_real(t, 2, "x", -1e300, 1e300, &x, errs));       /* nan */
    assert_false(tab_date(t, 2, "d", &d, errs));
    assert_false(tab_int(t, 3, "n", 0, 10, &n, errs));
    assert_true(has_msg("t.csv:5:", "column 'n' is '1.5'"));
    assert_false(tab_real(t, 3, "x", 0, 1, &x, errs)); /* empty */
    assert_false(tab_date(t, 3, "d", &d, errs));
    assert_int_equal(errs->count, 10);
    assert_true(n == 12345); /* untouched by failures */
    tab_free(t);
}

/* tab_stream: rows in order with their lines, '#' rows skipped, quoted
 * fields unquoted; a callback's false stops it; bad quoting is FILE:LINE. */
typedef struct {
    int rows, lines[8];
    char second[64];
    int stop_at;
} stream_seen;

static bool stream_row(void *vctx, char **field, size_t n, int line)
{
    stream_seen *s = vctx;
    if (s->rows < 8)
        s->lines[s->rows] = line;
    if (s->rows == 1 && n >= 2)
        snprintf(s->second, sizeof s->second, "%s|%s|%zu", field[0], field[1], n);
    s->rows++;
    return s->rows != s->stop_at;
}

static void write_text(const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    err_init(errs);
}

static void test_table_stream(void **state)
{
    (void)state;
    write_text("date,city,v\n# a comment\n2020-04-01,\"Su,zhou\",12345\n2020-04-02,b,7\n");
    stream_seen s = {0};
    assert_true(tab_stream(path, stream_row, &s, errs));
    assert_int_equal(s.rows, 3);
    assert_int_equal(s.lines[0], 1);
    assert_int_equal(s.lines[1], 3);
    assert_int_equal(s.lines[2], 4);
    assert_string_equal(s.second, "2020-04-01|Su,zhou|3");
    stream_seen stop = {.stop_at = 2};
    assert_false(tab_stream(path, stream_row, &stop, errs));
    assert_int_equal(stop.rows, 2);
    write_text("date,city,v\n2020-04-01,\"Suz\"hou\",1\n");
    stream_seen bad = {0};
    assert_false(tab_stream(path, stream_row, &bad, errs));
    assert_true(has_msg("t.csv:2:", NULL));
    err_init(errs);
    assert_false(tab_stream("/nonexistent/ecnysim.csv", stream_row, &bad, errs));
    assert_true(has_msg("/nonexistent/ecnysim.csv: cannot read", NULL));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_table_reads_rows_and_comments),
        T(test_table_crlf),
        T(test_table_bad_quoting),
        T(test_table_missing_column),
        T(test_table_non_utf8),
        T(test_table_empty_file),
        T(test_table_typed_fields),
        T(test_table_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
