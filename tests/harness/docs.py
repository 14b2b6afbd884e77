#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""docs.py [TOP]: the module's interface against its documentation.

Every command and attribute of include/uapi/linux/nfvs.h must have a row
"NAME NUMBER ..." in its table of Documentation/netlink.rst (the section
titled with its ``NFVS_..._*`` prefix), and every sysctl of src/sysctl.c a
row "name default range ..." in Documentation/sysctl.rst with the default
nfvs_sysctl_defaults() sets, and every module parameter of src/*.c the
words "Module parameter ``name`` (default N)" in
Documentation/admin-guide.rst. Prints one "ok - docs: ..." or
"not ok - docs: ..." line per set; exits 1 when any is missing or wrong.
"""
import glob
import os
import re
import sys


def enums(header):
    """prefix ("NFVS_SVC_ATTR_") -> [(short name, number)]."""
    out = {}
    for m in re.finditer(r"enum nfvs_\w+ \{(.*?)\};", header, re.S):
        body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
        names = re.findall(r"(?<![_\w])(NFVS_\w+),", body)
        if not names:
            continue
        prefix = re.match(r"(NFVS_(?:CMD_ATTR|[A-Z]+_ATTR|CMD)_)",
                          names[0]).group(1)
        members = []
        for nr, name in enumerate(names):
            short = name[len(prefix):]
            if short != "UNSPEC":
                members.append((short, nr))
        out[prefix] = members
    return out


def sections(rst):
    """title line -> the text up to the next title of the same kind."""
    out = {}
    lines = rst.split("\n")
    starts = [i for i in range(len(lines) - 1)
              if lines[i] and re.fullmatch(r"[-=]{3,}", lines[i + 1]) and
              len(lines[i + 1]) == len(lines[i])]
    for k, i in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        out[lines[i]] = "\n".join(lines[i + 2:end])
    return out


def sysctls(src):
    """[(name, default)] in the template's order."""
    m = re.search(r"void nfvs_sysctl_defaults\(.*?\{(.*?)\n\}", src, re.S)
    defaults = dict(re.findall(r"\.(\w+) = (\d+|\w+\(\)),", m.group(1))) if m else {}
    # A default computed at load time, and how the table says so.
    computed = {"nfvs_conn_max_default()": "by RAM"}
    defaults = {n: computed.get(d, d) for n, d in defaults.items()}
    found = re.findall(r'^\s+NFVS_SYSCTL_(?:INT|HANDLER)\((\w+),|'
                       r'\.procname = "(\w+)"', src, re.M)
    # (The macro NFVS_SYSCTL_INT is written with NFVS_SYSCTL_HANDLER.)
    names = [a or b for a, b in found if (a or b) != "name"]
    return [(n, defaults.get(n, "0")) for n in names]


def module_params(srcs):
    """[(name, default)] of every module_param() / module_param_named()."""
    out = []
    for src in srcs:
        for m in re.finditer(r"module_param(_named)?\((\w+),\s*(\w+)", src):
            name, var = m.group(2), m.group(3) if m.group(1) else m.group(2)
            init = re.search(r"\b%s\b[^;=(]*=\s*(\w+);" % var, src)
            val = init.group(1) if init else "0"
            out.append((name, {"true": "1", "false": "0"}.get(val, val)))
    return out


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..")
    read = lambda p: open(os.path.join(top, p)).read()
    failed = 0

    def result(ok, what, missing):
        nonlocal failed
        if ok:
            print("ok - docs: %s" % what)
        else:
            failed += 1
            print("not ok - docs: %s" % what)
            for m in missing[:10]:
                print("# %s" % m)

    secs = sections(read("Documentation/netlink.rst"))
    for prefix, members in enums(read("include/uapi/linux/nfvs.h")).items():
        title = [t for t in secs if "``%s*``" % prefix in t]
        what = "netlink.rst lists every %s* with its number" % prefix
        if len(title) != 1:
            result(False, what, ["no section titled with ``%s*``" % prefix])
            continue
        body = secs[title[0]]
        missing = ["%s%s = %d" % (prefix, s, nr) for s, nr in members
                   if not re.search(r"^%s +%d( |$)" % (s, nr), body, re.M)]
        result(not missing, what, missing)

    body = read("Documentation/sysctl.rst")
    missing = ["%s (default %s)" % (n, d)
               for n, d in sysctls(read("src/sysctl.c"))
               if not re.search(r"^%s +%s +\S" % (n, d), body, re.M)]
    result(not missing, "sysctl.rst lists every sysctl with its default",
           missing)

    body = read("Documentation/admin-guide.rst")
    params = module_params(open(f).read() for f in
                           sorted(glob.glob(os.path.join(top, "src", "*.c"))))
    missing = ["%s (default %s)" % (n, d) for n, d in params
               if not re.search(r"Module parameter ``%s`` \(default %s\)" %
                                (n, d), body)]
    result(params and not missing, "admin-guide.rst describes every module "
           "parameter (%d) with its default" % len(params),
           missing or ["no module parameter found in src/*.c"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
