/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included before every nfvs source file (see Kbuild). The sources are
 * written against the newest kernel API; this header maps it back to older
 * kernels of the matrix (Debian's 6.1, 6.12 and 7.3). It is the only place
 * where kernel versions are tested.
 */
#ifndef _NFVS_COMPAT_H
#define _NFVS_COMPAT_H

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/version.h>

/*
 * Before 6.6, sysctl tables were terminated by an empty entry and registered
 * without a size; since 6.11 an empty entry is an error. Register a copy
 * with a terminator, and free that copy on unregister.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 6, 0)
#include <linux/slab.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

static inline struct ctl_table_header *
nfvs_compat_register_net_sysctl_sz(struct net *net, const char *path,
				   struct ctl_table *table, size_t size)
{
	struct ctl_table_header *hdr;
	struct ctl_table *copy;

	copy = kcalloc(size + 1, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return NULL;
	memcpy(copy, table, size * sizeof(*copy));
	hdr = register_net_sysctl(net, path, copy);
	if (!hdr)
		kfree(copy);
	return hdr;
}

static inline void
nfvs_compat_unregister_net_sysctl_table(struct ctl_table_header *hdr)
{
	struct ctl_table *copy = hdr->ctl_table_arg;

	unregister_net_sysctl_table(hdr);
	kfree(copy);
}

#define register_net_sysctl_sz nfvs_compat_register_net_sysctl_sz
#define unregister_net_sysctl_table nfvs_compat_unregister_net_sysctl_table
#endif

/* 6.5 moved the GSO helpers (skb_gso_validate_network_len()) out of skbuff.h. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <net/gso.h>
#endif

/* 6.11 gave proc handlers a const table. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
#define nfvs_ctl_table struct ctl_table
#else
#define nfvs_ctl_table const struct ctl_table
#endif

/* 6.16 renamed from_timer(). */
#include <linux/timer.h>
#ifndef timer_container_of
#define timer_container_of(var, t, field) from_timer(var, t, field)
#endif

/*
 * 7.x (after 6.12; 7.3 is the first of the matrix with it): conntrack
 * registers a copy of a helper and hands it back, each entry holds a
 * reference on its helper, and nf_ct_helper_init() lost its ports.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 0, 0)
#define nfvs_ct_helper_init(h, l3num, l4num, name, pol, class_max, help, me) \
	nf_ct_helper_init(h, l3num, l4num, name, 0, 0, 0, pol, class_max, \
			  help, NULL, me)
#define nfvs_ct_helper_register(h, registered)				\
	({								\
		struct nf_conntrack_helper *__h = (h);			\
		int __err = nf_conntrack_helper_register(__h);		\
		*(registered) = __err ? NULL : __h;			\
		__err;							\
	})
#define nfvs_ct_helper_hold(h) true
#else
#define nfvs_ct_helper_init(h, l3num, l4num, name, pol, class_max, help, me) \
	nf_ct_helper_init(h, l3num, l4num, name, pol, class_max, help, NULL, me)
#define nfvs_ct_helper_register(h, registered)				\
	nf_conntrack_helper_register(h, registered)
#define nfvs_ct_helper_hold(h) refcount_inc_not_zero(&(h)->ct_refcnt)
#endif

#endif /* _NFVS_COMPAT_H */
