# SPDX-License-Identifier: GPL-2.0
#
# make demo                 a QEMU guest shows nfvs balancing NAT and DR (start here)
# make                      nfvs.ko for the running kernel, and nfvsctl
# make KDIR=/usr/src/...    nfvs.ko for the kernel whose headers are there
# make check                everything the project tests (see README.md)
# make bench                nfvs against in-tree IPVS, one guest per kernel
#                           (about 20 minutes each; Documentation/performance.rst)
# make tools; make install  nfvsctl; installs it and nfvsctl(8) (DESTDIR, PREFIX)

KDIR ?= /lib/modules/$(shell uname -r)/build
NFVS_WERROR ?=
DEMO_SERIES ?= 6.1

.PHONY: all modules tools tools-if-possible install install-tools clean check \
	deps build-matrix kunit selftests style demo help bench

all: modules tools-if-possible

modules:
	@test -d "$(KDIR)" || { \
	  echo "nfvs: no kernel headers at $(KDIR)."; \
	  echo "      Install them, or name some: make KDIR=/usr/src/linux-headers-<version>"; \
	  ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's/^/      available: /'; \
	  exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) NFVS_WERROR=$(NFVS_WERROR) modules

NFVSCTL_LIBS := libmnl libnetfilter_conntrack

tools:
	$(MAKE) -C tools/nfvsctl

# "make" builds nfvsctl when its libraries are there, and says so when not.
tools-if-possible:
	@if pkg-config --exists $(NFVSCTL_LIBS) 2>/dev/null; then \
	  $(MAKE) -C tools/nfvsctl; \
	else \
	  echo "nfvs: nfvsctl not built: it needs libmnl and libnetfilter_conntrack"; \
	  echo "      (apt install pkg-config libmnl-dev libnetfilter-conntrack-dev; make tools)"; \
	fi

install: install-tools

install-tools:
	$(MAKE) -C tools/nfvsctl install

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C tools/nfvsctl clean
	rm -rf build

deps:
	scripts/deps.sh

build-matrix:
	scripts/build-matrix.sh

kunit:
	scripts/kunit.sh

# make selftests [SERIES="6.1 6.12 7.3"]: every selftest, one guest per kernel.
SERIES ?= 6.1 6.12 7.3
selftests: build-matrix tools
	@rc=0; for s in $(SERIES); do scripts/vm/run.sh $$s || rc=1; done; exit $$rc

style:
	scripts/style.sh

check:
	scripts/check.sh

bench:
	bench/run.sh

demo:
	@scripts/run-demo.sh $(DEMO_SERIES)

help:
	@sed -n 's/^# \{0,1\}//p' Makefile | sed -n '3,9p'
