/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NFVS_VERSION_H
#define _NFVS_VERSION_H

#define NFVS_VERSION "0.1.0"

#endif /* _NFVS_VERSION_H */
