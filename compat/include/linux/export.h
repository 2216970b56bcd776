/* SPDX-License-Identifier: MIT */
/*
 * linux/export.h - EXPORT_SYMBOL.
 *
 * ktl loads every module privately (RTLD_LOCAL): modules never see each other's symbols, so
 * an export is recorded nowhere and a module that needs another's symbol fails to load with
 * the dynamic loader's "undefined symbol" message.
 */
#ifndef _LINUX_EXPORT_H
#define _LINUX_EXPORT_H

#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define EXPORT_SYMBOL_NS(sym, ns)
#define EXPORT_SYMBOL_NS_GPL(sym, ns)

#endif /* _LINUX_EXPORT_H */
