#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""nfvs_genl.py: the IPVS-protocol generic netlink client of the tests, as a
CLI and as a library: everything is in nfvs_genl_impl.py (its docstring
lists the commands), next to this file.

Python compiles the script it runs at every start, but caches the
bytecode of the modules it imports (the guests keep it in
PYTHONPYCACHEPREFIX, the tree being read-only there): under emulation,
compiling the whole client took about half a second of a CPU at each run,
compiling this file takes next to nothing."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfvs_genl_impl import *  # noqa: E402,F401,F403
from nfvs_genl_impl import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
