/* SPDX-License-Identifier: MIT */
/* uapi/linux/poll.h - poll(2) event bits. */
#ifndef _UAPI_LINUX_POLL_H
#define _UAPI_LINUX_POLL_H

#include <uapi/asm-generic/poll.h>

#endif /* _UAPI_LINUX_POLL_H */
