// SPDX-License-Identifier: GPL-2.0
/*
 * nfvsctl monitor: live connection events need a multicast group in the
 * nfvs family. The module has none yet; say so rather than wait forever.
 */
#include <stdio.h>

#include <linux/nfvs.h>

#include "nfvsctl.h"
#include "nl.h"

int do_monitor(int argc, char **argv)
{
	int groups;

	cmd_context = "monitor";
	if (argc > 0 && is_help(argv[0])) {
		printf("Usage: nfvsctl monitor\n"
		       "Prints connection events as the module sends them, when it does.\n");
		return 0;
	}
	if (argc > 0)
		usage_error("unexpected \"%s\"", argv[0]);
	groups = nl_family_mcast_groups();
	if (groups < 0)
		return EXIT_KERNEL;
	if (!groups)
		fprintf(stderr,
			"nfvsctl: monitor: the nfvs module sends no events (family \"%s\" has no multicast group); use \"nfvsctl conn show\"\n",
			NFVS_GENL_NAME);
	else
		fprintf(stderr,
			"nfvsctl: monitor: this nfvsctl does not know the events of family \"%s\"\n",
			NFVS_GENL_NAME);
	return EXIT_USAGE;
}
