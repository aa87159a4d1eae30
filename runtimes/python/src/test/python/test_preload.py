"""EXTENSA_PRELOAD: the operator's extra modules, imported once by the fork server."""

import contextlib
import io
import os
import sys
import unittest

import helpers  # noqa: F401  (puts the package on sys.path)
from extensa import _forkserver


class PreloadTest(unittest.TestCase):

    def test_listed_modules_are_imported_and_a_bad_one_is_reported_not_fatal(self):
        sys.modules.pop("colorsys", None)
        saved = os.environ.get("EXTENSA_PRELOAD")
        os.environ["EXTENSA_PRELOAD"] = "colorsys, no_such_module_for_extensa ,"
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                _forkserver._preload()
        finally:
            if saved is None:
                del os.environ["EXTENSA_PRELOAD"]
            else:
                os.environ["EXTENSA_PRELOAD"] = saved
        self.assertIn("colorsys", sys.modules)
        self.assertIn("cannot preload module 'no_such_module_for_extensa'", err.getvalue())


if __name__ == "__main__":
    unittest.main()
