# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration of nfvs's documentation: make htmldocs.
project = "nfvs"
author = "nfvs developers"
copyright = "2026, nfvs developers"
master_doc = "index"
exclude_patterns = []
html_theme = "alabaster"
html_show_sourcelink = False
