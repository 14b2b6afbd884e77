# SPDX-License-Identifier: GPL-2.0
#
# make demo                 a QEMU guest shows nfvs balancing NAT and DR (start here)
# make                      nfvs.ko for the running kernel
# make KDIR=/usr/src/...    nfvs.ko for the kernel whose headers are there
# make check                everything the project tests (see README.md)

KDIR ?= /lib/modules/$(shell uname -r)/build
NFVS_WERROR ?=
DEMO_SERIES ?= 6.1

.PHONY: all modules clean check deps build-matrix kunit selftests style demo help

all: modules

modules:
	@test -d "$(KDIR)" || { \
	  echo "nfvs: no kernel headers at $(KDIR)."; \
	  echo "      Install them, or name some: make KDIR=/usr/src/linux-headers-<version>"; \
	  ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sed 's/^/      available: /'; \
	  exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) NFVS_WERROR=$(NFVS_WERROR) modules

clean:
	@if [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -rf build

deps:
	scripts/deps.sh

build-matrix:
	scripts/build-matrix.sh

kunit:
	scripts/kunit.sh

# make selftests [SERIES="6.1 6.12 7.3"]: every selftest, one guest per kernel.
SERIES ?= 6.1 6.12 7.3
selftests: build-matrix
	@rc=0; for s in $(SERIES); do scripts/vm/run.sh $$s || rc=1; done; exit $$rc

style:
	scripts/style.sh

check:
	scripts/check.sh

demo:
	@scripts/run-demo.sh $(DEMO_SERIES)

help:
	@sed -n 's/^# \{0,1\}//p' Makefile | sed -n '1,6p'
