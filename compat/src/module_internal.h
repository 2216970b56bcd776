// The module loader's interface to the rest of the compat shim (compat/src/module.cc).
#pragma once

#include <cstdint>
#include <string>

#include "../include/asm/ktl-module.h"

namespace ktl::compat {

// kmalloc accounting: `owner` is the allocating module's struct module (THIS_MODULE), nullptr
// for code that is not a module. bytes/count are negative on free. Leaks are reported per module
// at rmmod ("NAME: N bytes in M allocations leaked at unload").
void module_charge(const ::module* owner, long bytes, long count) noexcept;

// Keeps p (malloc'd) alive, reachable and owned by the loader for as long as ktl runs: the value
// strings of a module's charp parameters (a module thread may still print an old one).
void module_keep(const ::module* owner, void* p);

// The loaded module whose mapped image contains addr ("" if none): used in reports, e.g. the
// "[periodic]" suffix of a symbolised address.
std::string module_name_of(const void* addr);

}  // namespace ktl::compat
