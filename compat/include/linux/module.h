/* SPDX-License-Identifier: MIT */
/*
 * linux/module.h - what a loadable module declares about itself.
 *
 * Built with ktl's module helper (cmake: ktl_add_module; shell: compat/ktl-modbuild), a
 * module is a shared object loaded privately into a running ktl kernel with insmod. Like
 * the kernel's header, this one brings in printk, errno, moduleparam, stat, list, spinlock
 * and mutex, which much existing module code relies on without including them itself.
 */
#ifndef _LINUX_MODULE_H
#define _LINUX_MODULE_H

#include <asm/ktl-module.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/spinlock.h>
#include <linux/stat.h>
#include <linux/types.h>
#include <linux/version.h>

__KTL_BEGIN_DECLS
#ifdef MODULE
/* Defined for each module by compat/module/mod.c with its KBUILD_MODNAME. */
extern struct module __this_module;
#define THIS_MODULE (&__this_module)
#else
#define THIS_MODULE ((struct module *)0)
#endif

/* Pins a module against rmmod; false once its unload has begun. */
bool try_module_get(struct module *mod) __ktl_abi(try_module_get);
void module_put(struct module *mod) __ktl_abi(module_put);
void __module_get(struct module *mod) __ktl_abi(__module_get);
/* The name of the module owning @mod ("kernel" for NULL, i.e. built-in code). */
const char *module_name(const struct module *mod) __ktl_abi(module_name);
__KTL_END_DECLS

#define MODULE_INFO(tag, info) __MODULE_INFO(tag, tag, info)
#define MODULE_LICENSE(_license) MODULE_INFO(license, _license)
#define MODULE_AUTHOR(_author) MODULE_INFO(author, _author)
#define MODULE_DESCRIPTION(_description) MODULE_INFO(description, _description)
#define MODULE_VERSION(_version) MODULE_INFO(version, _version)
#define MODULE_ALIAS(_alias) MODULE_INFO(alias, _alias)
#define MODULE_SOFTDEP(_softdep) MODULE_INFO(softdep, _softdep)
#define MODULE_FIRMWARE(_firmware) MODULE_INFO(firmware, _firmware)
#define MODULE_IMPORT_NS(ns) MODULE_INFO(import_ns, #ns)
#define MODULE_DEVICE_TABLE(type, name)

#endif /* _LINUX_MODULE_H */
