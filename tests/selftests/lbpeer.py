#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""lbpeer.py: the real servers and clients of the datapath selftests; all of
it is in lbpeer_impl.py (its docstring lists the commands), next to this
file.

Python compiles the script it runs at every start, but caches the bytecode
of the modules it imports (the guests keep it in PYTHONPYCACHEPREFIX, the
tree being read-only there): the selftests start this program hundreds of
times per kernel, and under emulation compiling all of it took a good part
of each start."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lbpeer_impl import main  # noqa: E402

if __name__ == "__main__":
    main()
