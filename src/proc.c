// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net views in the formats of IPVS, named ip_vs* with ipvs_compat and
 * nfvs* otherwise: the services and the totals here, the connections
 * (ipvsadm -Lc reads them) in proc_conn.c.
 */
#include <linux/in.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "proc.h"
#include "sched.h"
#include "service.h"

struct nfvs_proc_iter {
	struct seq_net_private p;	/* first: seq_file_net() needs it */
	unsigned int bucket;
};

static const char *nfvs_proto_name(u16 protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	}
	return "UNK";
}

static const char *nfvs_fwd_name(u32 fwd)
{
	switch (fwd) {
	case NFVS_FWD_NAT:
		return "Masq";
	case NFVS_FWD_LOCAL:
		return "Local";
	case NFVS_FWD_TUNNEL:
		return "Tunnel";
	case NFVS_FWD_DROUTE:
		return "Route";
	}
	return "Unknown";
}

static struct nfvs_service *nfvs_proc_first_from(struct seq_file *seq,
						 unsigned int bucket)
{
	struct nfvs_net *nn = nfvs_net(seq_file_net(seq));
	struct nfvs_proc_iter *iter = seq->private;
	struct hlist_node *first;

	for (; bucket < NFVS_SVC_BUCKETS; bucket++) {
		first = rcu_dereference(hlist_first_rcu(nfvs_services_bucket(nn, bucket)));
		if (first) {
			iter->bucket = bucket;
			return hlist_entry(first, struct nfvs_service, hash);
		}
	}
	return NULL;
}

static struct nfvs_service *nfvs_proc_next_svc(struct seq_file *seq,
					       struct nfvs_service *svc)
{
	struct nfvs_proc_iter *iter = seq->private;
	struct hlist_node *next;

	next = rcu_dereference(hlist_next_rcu(&svc->hash));
	if (next)
		return hlist_entry(next, struct nfvs_service, hash);
	return nfvs_proc_first_from(seq, iter->bucket + 1);
}

static void *nfvs_proc_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct nfvs_service *svc;
	loff_t n = *pos;

	rcu_read_lock();
	if (!n)
		return SEQ_START_TOKEN;
	svc = nfvs_proc_first_from(seq, 0);
	while (svc && --n)
		svc = nfvs_proc_next_svc(seq, svc);
	return svc;
}

static void *nfvs_proc_next(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	if (v == SEQ_START_TOKEN)
		return nfvs_proc_first_from(seq, 0);
	return nfvs_proc_next_svc(seq, v);
}

static void nfvs_proc_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static int nfvs_proc_show(struct seq_file *seq, void *v)
{
	const struct nfvs_service *svc = v;
	struct nfvs_scheduler *sched;
	const char *ops, *sched_name;
	struct nfvs_dest *dest;

	if (v == SEQ_START_TOKEN) {
		seq_printf(seq, "IP Virtual Server version %d.%d.%d (size=%d)\n",
			   (NFVS_IPVS_VERSION_CODE >> 16) & 0xff,
			   (NFVS_IPVS_VERSION_CODE >> 8) & 0xff,
			   NFVS_IPVS_VERSION_CODE & 0xff, NFVS_CONN_TAB_SIZE);
		seq_puts(seq, "Prot LocalAddress:Port Scheduler Flags\n");
		seq_puts(seq, "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n");
		return 0;
	}

	sched = rcu_dereference(svc->sched);
	sched_name = sched ? sched->name : "none";
	ops = svc->flags & NFVS_SVC_F_ONEPACKET ? "ops " : "";
	if (svc->fwmark)
		seq_printf(seq, "FWM  %08X %s %s", svc->fwmark, sched_name, ops);
	else
		seq_printf(seq, "%s  %08X:%04X %s %s ",
			   nfvs_proto_name(svc->protocol), ntohl(svc->addr.ip),
			   ntohs(svc->port), sched_name, ops);
	/* IPVS shows the persistence timeout in jiffies here. */
	if (svc->flags & NFVS_SVC_F_PERSISTENT)
		seq_printf(seq, "persistent %d %08X\n", svc->timeout * HZ,
			   ntohl(svc->netmask));
	else
		seq_putc(seq, '\n');

	list_for_each_entry_rcu(dest, &svc->dests, list)
		seq_printf(seq, "  -> %08X:%04X      %-7s %-6d %-10d %-10d\n",
			   ntohl(dest->addr.ip), ntohs(dest->port),
			   nfvs_fwd_name(dest->fwd), atomic_read(&dest->weight),
			   atomic_read(&dest->activeconns),
			   atomic_read(&dest->inactconns));
	return 0;
}

static const struct seq_operations nfvs_proc_services_ops = {
	.start = nfvs_proc_start,
	.next = nfvs_proc_next,
	.stop = nfvs_proc_stop,
	.show = nfvs_proc_show,
};

static int nfvs_proc_stats_show(struct seq_file *seq, void *v)
{
	struct nfvs_net *nn = nfvs_net(seq_file_single_net(seq));
	struct nfvs_counters c;

	nfvs_stats_read(&nn->tot_stats, &c);
	seq_puts(seq, "   Total Incoming Outgoing         Incoming         Outgoing\n");
	seq_puts(seq, "   Conns  Packets  Packets            Bytes            Bytes\n");
	seq_printf(seq, "%8llX %8llX %8llX %16llX %16llX\n\n", c.conns,
		   c.inpkts, c.outpkts, c.inbytes, c.outbytes);
	seq_puts(seq, " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n");
	seq_printf(seq, "%8llX %8llX %8llX %16llX %16llX\n", 0ULL, 0ULL, 0ULL,
		   0ULL, 0ULL);
	return 0;
}

int nfvs_proc_net_init(struct net *net, const char *prefix)
{
	char conn[32], stats[32];

	snprintf(conn, sizeof(conn), "%s_conn", prefix);
	snprintf(stats, sizeof(stats), "%s_stats", prefix);
	if (!proc_create_net(prefix, 0444, net->proc_net,
			     &nfvs_proc_services_ops,
			     sizeof(struct nfvs_proc_iter)))
		goto err_services;
	if (nfvs_proc_conn_init(net, conn))
		goto err_conn;
	if (!proc_create_net_single(stats, 0444, net->proc_net,
				    nfvs_proc_stats_show, NULL))
		goto err_stats;
	return 0;

err_stats:
	remove_proc_entry(conn, net->proc_net);
err_conn:
	remove_proc_entry(prefix, net->proc_net);
err_services:
	return -ENOMEM;
}

void nfvs_proc_net_exit(struct net *net, const char *prefix)
{
	char name[32];

	snprintf(name, sizeof(name), "%s_stats", prefix);
	remove_proc_entry(name, net->proc_net);
	snprintf(name, sizeof(name), "%s_conn", prefix);
	remove_proc_entry(name, net->proc_net);
	remove_proc_entry(prefix, net->proc_net);
}
