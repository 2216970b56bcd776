// Entries the compat layer registers in ktl's /proc and /sys trees on behalf of modules.
#pragma once

#include <functional>
#include <string>

namespace ktl::compat {

// Every live proc/debugfs/sysfs/chrdev/misc registration made through the compat layer, with the
// operations table it calls (proc_ops, file_operations, kobj_attribute, ...) and its data.
void for_each_fs_entry(
    const std::function<void(const std::string& path, const void* ops, const void* data)>& fn);
// Drops one registration (the path for_each_fs_entry reported).
void remove_fs_entry(const std::string& path);

}  // namespace ktl::compat
