"""EXTENSA_LIBRARY_PATH: external library directories go before the system's packages."""

import os
import sys
import tempfile
import unittest

import helpers  # noqa: F401  (puts the package on sys.path)
from extensa import _satellite


class LibraryPathTest(unittest.TestCase):

    def test_directories_come_first_in_order_and_reach_subprocesses(self):
        with tempfile.TemporaryDirectory() as private, tempfile.TemporaryDirectory() as public:
            with open(os.path.join(public, "shadowed_mod.py"), "w") as f:
                f.write("WHO = 'public'\n")
            with open(os.path.join(private, "shadowed_mod.py"), "w") as f:
                f.write("WHO = 'private'\n")
            environ = {"EXTENSA_LIBRARY_PATH": private + ":" + public, "PYTHONPATH": "/inherited"}
            path = ["/script", "/usr/lib/python3/dist-packages"]
            self.assertEqual(_satellite.apply_library_path(environ, path), [private, public])
            self.assertEqual(path, [private, public, "/script", "/usr/lib/python3/dist-packages"])
            self.assertEqual(environ["PYTHONPATH"], private + ":" + public + ":/inherited")
            saved = list(sys.path)
            try:
                sys.path[0:0] = path[:2]
                import shadowed_mod
                self.assertEqual(shadowed_mod.WHO, "private")
            finally:
                sys.path[:] = saved
                sys.modules.pop("shadowed_mod", None)

    def test_nothing_to_do_without_libraries(self):
        path = ["/a"]
        self.assertEqual(_satellite.apply_library_path({}, path), [])
        self.assertEqual(path, ["/a"])


if __name__ == "__main__":
    unittest.main()
