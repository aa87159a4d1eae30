"""Entry point the launchpad runs: python3 -I -B extensa_bootstrap.py satellite|forkserver.

-I keeps the environment and the working directory out of sys.path, so put this file's
directory (the unpacked runtime) there explicitly.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from extensa._launch import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
