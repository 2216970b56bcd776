/* SPDX-License-Identifier: MIT */
/* linux/major.h - the statically assigned character device majors (the ones code names). */
#ifndef _LINUX_MAJOR_H
#define _LINUX_MAJOR_H

#define UNNAMED_MAJOR 0
#define MEM_MAJOR 1
#define TTY_MAJOR 4
#define TTYAUX_MAJOR 5
#define LP_MAJOR 6
#define VCS_MAJOR 7
#define MISC_MAJOR 10
#define SCSI_GENERIC_MAJOR 21
#define INPUT_MAJOR 13
#define SOUND_MAJOR 14
#define FB_MAJOR 29
#define RAW_MAJOR 162
#define USB_ACM_MAJOR 166
#define USB_CHAR_MAJOR 180
#define MISC_MAJOR_DYNAMIC 0

#endif /* _LINUX_MAJOR_H */
