// SPDX-License-Identifier: GPL-2.0
/* The service of the scheduler suites (sched_fixture.h). */
#include <linux/in.h>
#include <linux/rcupdate.h>
#include <net/net_namespace.h>

#include "netns.h"
#include "sched_fixture.h"

#define NFVS_FIXTURE_DEST_BASE 0x0a000100	/* 10.0.1.0 */

struct nfvs_service_conf nfvs_fixture_svc_conf(const char *sched)
{
	return (struct nfvs_service_conf) {
		.af = AF_INET,
		.protocol = IPPROTO_TCP,
		.addr.ip = htonl(0x0a000001),
		.port = htons(80),
		.sched_name = sched,
	};
}

struct nfvs_dest_conf nfvs_fixture_dest_conf(int i, int weight)
{
	return (struct nfvs_dest_conf) {
		.af = AF_INET,
		.addr.ip = htonl(NFVS_FIXTURE_DEST_BASE + i),
		.port = htons(80),
		.fwd = NFVS_FWD_NAT,
		.weight = weight,
	};
}

/* A service with one destination per weight. */
void nfvs_fixture_setup(struct kunit *test, struct nfvs_sched_fixture *f,
			const char *sched, const int *weights, int n)
{
	struct nfvs_service_conf c = nfvs_fixture_svc_conf(sched);
	struct nfvs_dest_conf d;
	int i, err;

	f->nn = kunit_kzalloc(test, sizeof(*f->nn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->nn);
	f->nn->net = &init_net;	/* destinations' addresses are checked there */
	nfvs_services_init(&f->nn->services);
	mutex_lock(&f->nn->services.mutex);
	err = nfvs_service_add(f->nn, &c, NULL);
	f->svc = nfvs_service_find(f->nn, &c);
	for (i = 0; !err && f->svc && i < n; i++) {
		d = nfvs_fixture_dest_conf(i, weights[i]);
		err = nfvs_dest_add(f->svc, &d, NULL);
	}
	mutex_unlock(&f->nn->services.mutex);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_NOT_NULL(test, f->svc);
}

void nfvs_fixture_teardown(struct nfvs_sched_fixture *f)
{
	mutex_lock(&f->nn->services.mutex);
	nfvs_services_flush(f->nn);
	mutex_unlock(&f->nn->services.mutex);
	rcu_barrier();
}

struct nfvs_dest *nfvs_fixture_dest(struct nfvs_sched_fixture *f, int i)
{
	union nf_inet_addr a = { .ip = htonl(NFVS_FIXTURE_DEST_BASE + i) };

	return nfvs_dest_find(f->svc, AF_INET, &a, htons(80));
}

/* The index of the destination the scheduler picks, -1 for none. */
int nfvs_fixture_pick_flow(struct nfvs_sched_fixture *f,
			   const struct nfvs_flow *flow)
{
	struct nfvs_scheduler *sched;
	struct nfvs_dest *dest;

	rcu_read_lock();
	sched = rcu_dereference(f->svc->sched);
	dest = sched->schedule(f->svc, NULL, flow);
	rcu_read_unlock();
	return dest ? ntohl(dest->addr.ip) - NFVS_FIXTURE_DEST_BASE : -1;
}

int nfvs_fixture_pick(struct nfvs_sched_fixture *f)
{
	struct nfvs_flow flow = { .af = AF_INET, .protocol = IPPROTO_TCP };

	return nfvs_fixture_pick_flow(f, &flow);
}

void nfvs_fixture_set_conns(struct nfvs_sched_fixture *f, int i, int active,
			    int inactive)
{
	atomic_set(&nfvs_fixture_dest(f, i)->activeconns, active);
	atomic_set(&nfvs_fixture_dest(f, i)->inactconns, inactive);
}

int nfvs_fixture_set_weight(struct nfvs_sched_fixture *f, int i, int weight)
{
	struct nfvs_dest_conf d = nfvs_fixture_dest_conf(i, weight);
	int err;

	mutex_lock(&f->nn->services.mutex);
	err = nfvs_dest_edit(f->svc, &d, NULL);
	mutex_unlock(&f->nn->services.mutex);
	return err;
}

int nfvs_fixture_del(struct nfvs_sched_fixture *f, int i)
{
	struct nfvs_dest_conf d = nfvs_fixture_dest_conf(i, 0);
	int err;

	mutex_lock(&f->nn->services.mutex);
	err = nfvs_dest_del(f->svc, &d, NULL);
	mutex_unlock(&f->nn->services.mutex);
	return err;
}
