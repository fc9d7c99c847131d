#!/usr/bin/env python3
"""make check's self-test of bench_stats.py (the numbers make bench reports)."""
import os
import sys
import unittest

# No __pycache__ in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_stats as bs  # noqa: E402


class BenchStatsTest(unittest.TestCase):
    def test_median_odd_even_unsorted(self):
        self.assertEqual(bs.median([3.0, 1.0, 2.0]), 2.0)
        self.assertEqual(bs.median([4.0, 1.0, 3.0, 2.0]), 2.5)
        self.assertEqual(bs.median([7.5]), 7.5)
        with self.assertRaises(ValueError):
            bs.median([])

    def test_summary(self):
        self.assertEqual(bs.summary([5.0, 1.0, 3.0]), (3, 1.0, 3.0, 5.0))
        self.assertIsNone(bs.summary([]))

    def test_ratio_and_verdict(self):
        self.assertAlmostEqual(bs.ratio(2.0, 8.0), 0.25)
        self.assertIsNone(bs.ratio(None, 8.0))
        self.assertIsNone(bs.ratio(2.0, 0.0))
        self.assertEqual(bs.verdict(0.25, 0.25), "met")
        self.assertEqual(bs.verdict(0.26, 0.25), "missed")
        self.assertEqual(bs.verdict(None, 0.25), "n/a")

    def test_compare(self):
        c = bs.compare([3.0, 1.0, 2.0], [8.0, 4.0], 0.5)
        self.assertEqual(c["ours"], (3, 1.0, 2.0, 3.0))
        self.assertEqual(c["reference"], (2, 4.0, 6.0, 8.0))
        self.assertAlmostEqual(c["ratio"], 2.0 / 6.0)
        self.assertEqual((c["goal"], c["verdict"]), (0.5, "met"))
        self.assertEqual(bs.compare([1.0], [1.0])["verdict"], None)
        self.assertEqual(bs.compare([], [1.0], 0.25)["verdict"], "n/a")

    def test_table(self):
        t = bs.table([("boot", [2.0, 3.0, 4.0], [6.0, 8.0, 10.0], 0.5),
                      ("create", [9.0], [], 0.25),
                      ("info", [1.0, 2.0], [1.0, 3.0], None)], "A", "B")
        lines = t.splitlines()
        self.assertEqual(len(lines), 5)
        self.assertEqual(lines[2], "| boot | 2.00 / 3.00 / 4.00 (3) | 6.00 / 8.00 / 10.00 (3) "
                                   "| 0.38 | <= 0.50 | met |")
        self.assertEqual(lines[3], "| create | 9.00 / 9.00 / 9.00 (1) | none | n/a | <= 0.25 | n/a |")
        self.assertEqual(lines[4], "| info | 1.00 / 1.50 / 2.00 (2) | 1.00 / 2.00 / 3.00 (2) | 0.75 |  |  |")


if __name__ == "__main__":
    unittest.main()
