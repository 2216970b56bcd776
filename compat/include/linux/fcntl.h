/* SPDX-License-Identifier: MIT */
/* linux/fcntl.h - open flags as struct file's f_flags carries them (O_NONBLOCK, O_RDONLY...). */
#ifndef _LINUX_FCNTL_H
#define _LINUX_FCNTL_H

#include <linux/stat.h>
#include <uapi/asm-generic/fcntl.h>

/* The flags open() accepts, as the kernel lists them for build-time checks. */
#define VALID_OPEN_FLAGS                                                              \
	(O_RDONLY | O_WRONLY | O_RDWR | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC |      \
	 O_APPEND | O_NDELAY | O_NONBLOCK | __O_SYNC | O_DSYNC | FASYNC | O_DIRECT | \
	 O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH |   \
	 __O_TMPFILE)

#define AT_FDCWD -100

#endif /* _LINUX_FCNTL_H */
