// Loadable modules: kernel-style C built against compat/include/<linux/...> into a .ko (a shared
// object, see cmake/ktlModule.cmake or compat/ktl-modbuild), loaded into the running kernel.
//
//   std::string msg;
//   int r = ktl::load_module("build/release/examples/modules/periodic.ko", "period_ms=50", &msg);
//   ...
//   ktl::unload_module("periodic", &msg);
//
// Implemented by ktl::compat (compat/src/module.cc), which a program that loads modules links
// whole: target_link_libraries(app PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,ktl::compat>"). It
// also adds insmod, rmmod, lsmod and modinfo to the console shell.
//
// Context: load_module and unload_module run module_init / module_exit in the calling task, as
// insmod and rmmod do in Linux: call them from a kernel task (the console's shell, a kthread in a
// test), never from a host thread. Modules are loaded privately (RTLD_LOCAL, symbols bound inside
// the module): two modules may both define a global `wq` or `my_exit`.
#pragma once

#include <string>
#include <vector>

namespace ktl {

// insmod: loads path, applies "name=value ..." parameters, runs module_init. 0 on success, else
// -errno: -EEXIST (a module of that name is loaded), -ENOEXEC (not a ktl module: *msg has the
// loader's reason), -ENOENT (no such file), -EINVAL (bad parameter), or module_init's own error,
// after which the module is unloaded again. *msg gets insmod's error line on failure.
int load_module(const std::string& path, const std::string& args, std::string* msg = nullptr);

// rmmod: runs module_exit, checks that nothing left behind still refers to the module (kthreads,
// timers, hrtimers, work items, tasklets, /proc entries, wait-queue entries, kmalloc'd memory)
// and unmaps it. A leftover that could still run module code is reported with a WARNING naming
// the module and the object, and the code then stays mapped (the module is gone from lsmod but
// its text is never unmapped). 0, -ENOENT (not loaded), -EBUSY (in use: try_module_get).
int unload_module(const std::string& name, std::string* msg = nullptr);

// lsmod's text ("Module                  Size  Used by" + one line per module, newest first).
std::string lsmod_text();
// /proc/modules' text.
std::string proc_modules_text();
// modinfo PATH-or-NAME: "filename:", "license:", "description:", ..., "parm:" lines. 0 or -ENOENT.
int modinfo_text(const std::string& path_or_name, std::string* out);
// Names of the loaded modules, oldest first.
std::vector<std::string> loaded_modules();
// Where `name` (e.g. "periodic") is looked up by insmod/modinfo when it is not a path: these
// directories, then "NAME.ko" in the current directory. The app adds its examples/modules dir.
void module_search_path_add(const std::string& dir);

}  // namespace ktl
