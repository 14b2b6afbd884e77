# SPDX-License-Identifier: GPL-2.0
#
# make demo                 a QEMU guest shows nfvs balancing NAT and DR (start here)
# make                      nfvs.ko for the running kernel, and nfvsctl
# make KDIR=/usr/src/...    nfvs.ko for the kernel whose headers are there
# make check                everything the project tests (see README.md)
# make bench                nfvs against in-tree IPVS, one guest per kernel
#                           (about 20 minutes each; Documentation/performance.rst)
# make htmldocs             Documentation/ as HTML, in build/htmldocs
# make install             nfvs.ko into /lib/modules/<release>/extra (depmod),
#                           nfvsctl and nfvsctl(8) (DESTDIR, PREFIX); make uninstall

KDIR ?= /lib/modules/$(shell uname -r)/build
# The release of the kernel KDIR builds for (its UTS_RELEASE: Debian's
# kernel.release file has the upstream version), where the module goes.
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null || uname -r)
MODDIR ?= /lib/modules/$(KVER)/extra
VERSION := $(shell sed -n 's/^\#define NFVS_VERSION "\(.*\)"/\1/p' src/version.h)
DKMS_SRC ?= /usr/src/nfvs-$(VERSION)
# What DKMS (and the nfvs-dkms package) builds the module from.
DKMS_FILES := Kbuild dkms.conf src include
NFVS_WERROR ?=
DEMO_SERIES ?= 6.1

.PHONY: all modules tools tools-if-possible install install-module \
	install-tools uninstall clean check deps build-matrix kunit selftests \
	style demo help bench dkms-install dkms-remove dkms-source htmldocs

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

install: install-module install-tools

# depmod runs for a real install; a staged one (DESTDIR) is the packager's.
install-module: modules
	install -D -m 0644 nfvs.ko $(DESTDIR)$(MODDIR)/nfvs.ko
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

install-tools:
	$(MAKE) -C tools/nfvsctl install

uninstall:
	rm -f $(DESTDIR)$(MODDIR)/nfvs.ko
	-rmdir $(DESTDIR)$(MODDIR) 2>/dev/null
	@if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi
	$(MAKE) -C tools/nfvsctl uninstall

# make dkms-install: the sources into /usr/src/nfvs-<version>, then DKMS
# builds and installs nfvs.ko for the running kernel (and, later, for every
# kernel installed); make dkms-remove takes it away again.
dkms-source:
	@test "$$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)" = "$(VERSION)" || \
	  { echo "nfvs: dkms.conf's PACKAGE_VERSION is not src/version.h's $(VERSION)"; exit 1; }
	rm -rf $(DESTDIR)$(DKMS_SRC)
	mkdir -p $(DESTDIR)$(DKMS_SRC)
	cp -r $(DKMS_FILES) $(DESTDIR)$(DKMS_SRC)/
	find $(DESTDIR)$(DKMS_SRC) \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \
	  -o -name '*.mod*' \) -delete

dkms-install: dkms-source
	dkms add -m nfvs -v $(VERSION)
	dkms build -m nfvs -v $(VERSION) -k $(KVER)
	dkms install -m nfvs -v $(VERSION) -k $(KVER)

dkms-remove:
	-dkms remove -m nfvs -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

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

# make htmldocs: Documentation/ rendered by Sphinx into build/htmldocs
# (warnings are errors: make check runs it).
htmldocs:
	sphinx-build -q -W --keep-going -b html Documentation build/htmldocs
	@echo "nfvs: open build/htmldocs/index.html"

demo:
	@scripts/run-demo.sh $(DEMO_SERIES)

help:
	@sed -n 's/^# \{0,1\}//p' Makefile | sed -n '3,11p'
