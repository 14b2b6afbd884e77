/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A service with destinations for the scheduler suites, built by the real
 * code of src/service.c and src/dest.c: destination i is 10.0.1.i:80.
 */
#ifndef _NFVS_SCHED_FIXTURE_H
#define _NFVS_SCHED_FIXTURE_H

#include <kunit/test.h>

#include "sched.h"
#include "service.h"

struct nfvs_sched_fixture {
	struct nfvs_net *nn;
	struct nfvs_service *svc;
};

struct nfvs_service_conf nfvs_fixture_svc_conf(const char *sched);
struct nfvs_dest_conf nfvs_fixture_dest_conf(int i, int weight);
void nfvs_fixture_setup(struct kunit *test, struct nfvs_sched_fixture *f,
			const char *sched, const int *weights, int n);
void nfvs_fixture_teardown(struct nfvs_sched_fixture *f);
struct nfvs_dest *nfvs_fixture_dest(struct nfvs_sched_fixture *f, int i);
int nfvs_fixture_pick(struct nfvs_sched_fixture *f);
int nfvs_fixture_pick_flow(struct nfvs_sched_fixture *f,
			   const struct nfvs_flow *flow);
void nfvs_fixture_set_conns(struct nfvs_sched_fixture *f, int i, int active,
			    int inactive);
int nfvs_fixture_set_weight(struct nfvs_sched_fixture *f, int i, int weight);
int nfvs_fixture_del(struct nfvs_sched_fixture *f, int i);

#endif /* _NFVS_SCHED_FIXTURE_H */
