#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "path.h"

static void canonical_absolute_and_relative(void)
{
    char out[4096];
    CU_ASSERT_EQUAL(path_canonical("/a/b", 3, false, 0, out, sizeof(out)), 0);
    CU_ASSERT_STRING_EQUAL(out, "/a/b");
    CU_ASSERT_EQUAL(path_canonical("dev/x", 3, false, 0, out, sizeof(out)), 0);
    CU_ASSERT_STRING_EQUAL(out, "/local/domain/3/dev/x");
    CU_ASSERT_EQUAL(path_canonical("/", 0, false, 0, out, sizeof(out)), 0);
    CU_ASSERT_STRING_EQUAL(out, "/");
}

static void canonical_rejects_bad_names(void)
{
    char out[4096];
    const char *bad[] = { "", "/a//b", "/a/", "/a b", "/a\x01", "/ä", "a//b" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_EQUAL(path_canonical(bad[i], 0, false, 0, out, sizeof(out)), -EINVAL);
}

/* Every byte value, in the middle of a path: exactly the protocol's set passes. */
static void canonical_accepts_exactly_the_path_characters(void)
{
    char name[8], out[64];
    for (int c = 1; c < 256; c++) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '@';
        snprintf(name, sizeof(name), "/a%cb", c);
        int want = ok || c == '/' ? 0 : -EINVAL;
        CU_ASSERT_EQUAL(path_canonical(name, 0, false, 0, out, sizeof(out)), want);
        if (c == '/')
            continue;
        /* The same character after a slash, and in a special name. */
        snprintf(name, sizeof(name), "/a/%c", c);
        CU_ASSERT_EQUAL(path_canonical(name, 0, false, 0, out, sizeof(out)), ok ? 0 : -EINVAL);
        snprintf(name, sizeof(name), "@x%c", c);
        CU_ASSERT_EQUAL(path_canonical(name, 0, true, 0, out, sizeof(out)), ok ? 0 : -EINVAL);
    }
    /* Empty components anywhere, including the last two bytes. */
    CU_ASSERT_EQUAL(path_canonical("//a", 0, false, 0, out, sizeof(out)), -EINVAL);
    CU_ASSERT_EQUAL(path_canonical("/a/b//", 0, false, 0, out, sizeof(out)), -EINVAL);
    CU_ASSERT_EQUAL(path_canonical("/a/b/c", 0, false, 0, out, sizeof(out)), 0);
}

static void canonical_special_names(void)
{
    char out[4096];
    CU_ASSERT_EQUAL(path_canonical("@releaseDomain", 0, true, 0, out, sizeof(out)), 0);
    CU_ASSERT_STRING_EQUAL(out, "@releaseDomain");
    /* Outside watches they are refused; inside a path '@' is an ordinary character. */
    CU_ASSERT_EQUAL(path_canonical("@x", 2, false, 0, out, sizeof(out)), -EINVAL);
    CU_ASSERT_EQUAL(path_canonical("a@b", 2, false, 0, out, sizeof(out)), 0);
    CU_ASSERT_STRING_EQUAL(out, "/local/domain/2/a@b");
}

static void canonical_length_limits(void)
{
    static char name[4000], out[8192];
    memset(name, 'a', sizeof(name) - 1);
    name[0] = '/';
    name[XENSTORE_ABS_PATH_MAX] = '\0';
    CU_ASSERT_EQUAL(path_canonical(name, 0, false, 0, out, sizeof(out)), 0);
    name[XENSTORE_ABS_PATH_MAX] = 'a';
    name[XENSTORE_ABS_PATH_MAX + 1] = '\0';
    CU_ASSERT_EQUAL(path_canonical(name, 0, false, 0, out, sizeof(out)), -EINVAL);
    /* A quota limit tighter than the protocol's. */
    CU_ASSERT_EQUAL(path_canonical("/abcdef", 0, false, 4, out, sizeof(out)), -EINVAL);
    /* Relative names have their own, shorter limit. */
    memset(name, 'b', XENSTORE_REL_PATH_MAX + 1);
    name[XENSTORE_REL_PATH_MAX + 1] = '\0';
    CU_ASSERT_EQUAL(path_canonical(name, 0, false, 0, out, sizeof(out)), -EINVAL);
}

static void child_parent_basename(void)
{
    CU_ASSERT_TRUE(path_is_child("/a/b", "/a"));
    CU_ASSERT_TRUE(path_is_child("/a", "/a"));
    CU_ASSERT_TRUE(path_is_child("/a", "/"));
    CU_ASSERT_FALSE(path_is_child("/ab", "/a"));
    CU_ASSERT_FALSE(path_is_child("/a", "/a/b"));
    CU_ASSERT_EQUAL(path_parent_len("/a/b"), 2);
    CU_ASSERT_EQUAL(path_parent_len("/a"), 1);
    CU_ASSERT_EQUAL(path_parent_len("/"), 0);
    CU_ASSERT_STRING_EQUAL(path_basename("/a/bc"), "bc");
    CU_ASSERT_STRING_EQUAL(path_relative_to_domain("/local/domain/4/x/y", 4), "x/y");
    CU_ASSERT_STRING_EQUAL(path_relative_to_domain("/local/domain/44/x", 4), "/local/domain/44/x");
}

void register_path_tests(void)
{
    CU_pSuite s = CU_add_suite("path", NULL, NULL);
    CU_add_test(s, "canonical_absolute_and_relative", canonical_absolute_and_relative);
    CU_add_test(s, "canonical_rejects_bad_names", canonical_rejects_bad_names);
    CU_add_test(s, "canonical_accepts_exactly_the_path_characters",
                canonical_accepts_exactly_the_path_characters);
    CU_add_test(s, "canonical_special_names", canonical_special_names);
    CU_add_test(s, "canonical_length_limits", canonical_length_limits);
    CU_add_test(s, "child_parent_basename", child_parent_basename);
}
