// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/ip_vs_conn (nfvs_conn without ipvs_compat): the connections of
 * a namespace, one line each, in the format of IPVS that ipvsadm -Lc reads.
 *
 * An open file owns a walker of the connection table. Between two read()s
 * the walker keeps its place and the file keeps a reference to the entry
 * that did not fit, so a long table is read in one pass rather than by
 * skipping, for every chunk, over all that was already read. As with any
 * rhashtable walk, a resize between two reads sends the walker back to the
 * start of the new table (entries may then be listed twice), and a removal
 * between two reads may make it miss a neighbour of the removed entry.
 */
#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "conn.h"
#include "netns.h"
#include "proc.h"
#include "proto_tcp.h"

static void nfvs_conn_seq_drop_held(struct nfvs_conn_seq *s)
{
	if (s->held) {
		nfvs_conn_put(s->held);
		s->held = NULL;
	}
}

void nfvs_conn_seq_enter(struct nfvs_conn_seq *s, struct nfvs_net *nn)
{
	s->nn = nn;
	s->pos = 0;
	s->held = NULL;
	rhltable_walk_enter(&nn->conns.table, &s->walk);
}

void nfvs_conn_seq_exit(struct nfvs_conn_seq *s)
{
	nfvs_conn_seq_drop_held(s);
	rhashtable_walk_exit(&s->walk);
}

static void nfvs_conn_seq_rewind(struct nfvs_conn_seq *s)
{
	nfvs_conn_seq_exit(s);
	nfvs_conn_seq_enter(s, s->nn);
}

/* The next entry, or NULL at the end; a resize only restarts the walk. */
static struct nfvs_conn *nfvs_conn_seq_walk(struct nfvs_conn_seq *s)
{
	struct nfvs_conn *cp;

	do {
		cp = rhashtable_walk_next(&s->walk);
	} while (cp == ERR_PTR(-EAGAIN));
	if (IS_ERR_OR_NULL(cp))
		return NULL;
	s->pos++;
	return cp;
}

static void *nfvs_conn_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct nfvs_conn_seq *s = seq->private;
	struct nfvs_conn *cp = NULL;

	if (!*pos || *pos < s->pos || (*pos == s->pos && !s->held))
		nfvs_conn_seq_rewind(s);
	rhashtable_walk_start(&s->walk);
	if (!*pos)
		return SEQ_START_TOKEN;
	if (*pos == s->pos) {
		/* The entry that did not fit last time; RCU keeps it now. */
		cp = s->held;
		s->held = NULL;
		nfvs_conn_put(cp);
		return cp;
	}
	while (s->pos < *pos) {
		cp = nfvs_conn_seq_walk(s);
		if (!cp)
			return NULL;
	}
	return cp;
}

static void *nfvs_conn_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	++*pos;
	return nfvs_conn_seq_walk(seq->private);
}

static void nfvs_conn_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	struct nfvs_conn_seq *s = seq->private;
	struct nfvs_conn *cp = v;

	/* The next read starts with this entry, unless it is being freed. */
	if (cp && v != SEQ_START_TOKEN) {
		if (refcount_inc_not_zero(&cp->refcnt))
			s->held = cp;
		else
			s->pos--;
	}
	rhashtable_walk_stop(&s->walk);
}

static const char *nfvs_conn_proto_name(u8 protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_ICMP:
		return "ICMP";
	}
	return "IP";
}

const char *nfvs_conn_state_name(const struct nfvs_conn *cp)
{
	switch (cp->key.protocol) {
	case IPPROTO_TCP:
		return nfvs_tcp_state_name(READ_ONCE(cp->state));
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_ICMP:
		return "ICMP";
	}
	return "ERR!";
}

static int nfvs_conn_seq_show(struct seq_file *seq, void *v)
{
	const struct nfvs_conn *cp = v;
	unsigned int expires;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n");
		return 0;
	}
	if (READ_ONCE(cp->unhashed))
		return SEQ_SKIP;

	expires = jiffies_delta_to_msecs(READ_ONCE(cp->expires) -
					 jiffies) / 1000;
	if (cp->key.af == AF_INET6)
		seq_printf(seq, "%-3s %pI6 %04X %pI6 %04X %pI6 %04X %-11s %7u\n",
			   nfvs_conn_proto_name(cp->key.protocol),
			   &cp->key.caddr.in6, ntohs(cp->key.cport),
			   &cp->vaddr.in6, ntohs(cp->vport),
			   &cp->daddr.in6, ntohs(cp->dport),
			   nfvs_conn_state_name(cp), expires);
	else
		seq_printf(seq, "%-3s %08X %04X %08X %04X %08X %04X %-11s %7u\n",
			   nfvs_conn_proto_name(cp->key.protocol),
			   ntohl(cp->key.caddr.ip), ntohs(cp->key.cport),
			   ntohl(cp->vaddr.ip), ntohs(cp->vport),
			   ntohl(cp->daddr.ip), ntohs(cp->dport),
			   nfvs_conn_state_name(cp), expires);
	return 0;
}

const struct seq_operations nfvs_conn_seq_ops = {
	.start = nfvs_conn_seq_start,
	.next = nfvs_conn_seq_next,
	.stop = nfvs_conn_seq_stop,
	.show = nfvs_conn_seq_show,
};

static int nfvs_conn_seq_open(struct inode *inode, struct file *file)
{
	struct nfvs_conn_seq *s;
	struct net *net;

	net = maybe_get_net(pde_data(inode));
	if (!net)
		return -ENXIO;
	s = __seq_open_private(file, &nfvs_conn_seq_ops, sizeof(*s));
	if (!s) {
		put_net(net);
		return -ENOMEM;
	}
	s->net = net;
	nfvs_conn_seq_enter(s, nfvs_net(net));
	return 0;
}

/*
 * Also called when the namespace's names go (module unload) while the file
 * is still open, before the connection table is freed.
 */
static int nfvs_conn_seq_release(struct inode *inode, struct file *file)
{
	struct seq_file *seq = file->private_data;
	struct nfvs_conn_seq *s = seq->private;
	struct net *net = s->net;

	nfvs_conn_seq_exit(s);
	seq_release_private(inode, file);
	put_net(net);
	return 0;
}

static const struct proc_ops nfvs_conn_proc_ops = {
	.proc_open = nfvs_conn_seq_open,
	.proc_read_iter = seq_read_iter,
	.proc_lseek = seq_lseek,
	.proc_release = nfvs_conn_seq_release,
};

int nfvs_proc_conn_init(struct net *net, const char *name)
{
	if (!proc_create_data(name, 0444, net->proc_net, &nfvs_conn_proc_ops,
			      net))
		return -ENOMEM;
	return 0;
}
