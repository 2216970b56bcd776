// /proc, seq_file, uaccess, sysfs, debugfs and character devices from kernel-style C
// (tests/compat/c/fs.c). Files are read and written the way the console does it: ktl::proc_read
// and proc_write from a user task (cat, echo >), which has an mm, so the modules' copy_to_user()
// into the reader's buffer works; the same access from a kernel thread fails with -EFAULT.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "fs_internal.h"
#include "ktl/fs/proc.h"
#include "ktl/init/shell.h"
#include "ktl/kernel/printk.h"
#include "support/kernel_test.h"

namespace {

extern "C" {
int ctest_fs_hello_create(void);
int ctest_fs_hello_counts(void);
void ctest_fs_hello_remove(void);
const void* ctest_fs_hello_ops(void);
int ctest_fs_hello_duplicate(void);
int ctest_fs_data_create(void);
void ctest_fs_data_remove(void);
int ctest_fs_rw_create(void);
const char* ctest_fs_big(void);
int ctest_fs_big_reads(long long* offsets, std::size_t* counts, int max);
int ctest_fs_writes(void);
void ctest_fs_rw_remove(void);
int ctest_fs_uaccess_kthread(void);
int ctest_fs_uaccess_user(void);
int ctest_fs_seq_create(int n);
int ctest_fs_seq_balance(void);
void ctest_fs_seq_remove(void);
int ctest_fs_dir_create(void);
int ctest_fs_dir_remove_subtree(void);
int ctest_fs_attrs_create(void);
int ctest_fs_attrs_seen(unsigned* flags, unsigned* mode);
int ctest_fs_attrs_poll(void);
void ctest_fs_attrs_remove(void);
int ctest_fs_block_create(void);
int ctest_fs_block_in_read(void);
void ctest_fs_block_release(void);
int ctest_fs_block_remove(void);
int ctest_fs_sysfs_create(void);
int ctest_fs_sysfs_foo(void);
int ctest_fs_sysfs_stores(void);
const void* ctest_fs_sysfs_foo_attr(void);
int ctest_fs_sysfs_remove_group(void);
void ctest_fs_sysfs_put(void);
int ctest_fs_kset_create(void);
int ctest_fs_kset_destroy(void);
int ctest_fs_debugfs_create(void);
unsigned ctest_fs_debugfs_u32(void);
int ctest_fs_debugfs_bool(void);
unsigned long long ctest_fs_debugfs_attr(void);
void ctest_fs_debugfs_remove(void);
int ctest_fs_chrdev_register(void);
int ctest_fs_chrdev_major(int i);
void ctest_fs_chrdev_unregister(void);
int ctest_fs_misc_register(void);
const void* ctest_fs_misc_a(void);
void ctest_fs_misc_deregister(void);
int ctest_fs_class_create(void);
void ctest_fs_class_destroy(void);
int ctest_fs_trace_fire(int n);
int ctest_fs_trace_instance(void);
int ctest_fs_trace_instance_destroy(void);
}

using namespace ktl;
using ktl::testing::join_for;
using ktl::testing::KernelTest;
using ktl::testing::kJoinMs;
using ktl::testing::spawn;
using ktl::testing::spawn_user;
using ktl::testing::task_handle;
using ktl::testing::wait_state;
using ktl::testing::wait_until;

// fn in a kernel thread (module code: module_init, module_exit, its kthreads).
int in_kthread(std::function<int()> fn, const char* name = "ctest") {
  auto t = spawn(std::move(fn), name);
  int r = -9999;
  EXPECT_TRUE(join_for(t, kJoinMs, &r)) << name << " did not finish";
  return r;
}

// fn in a user task (the console's cat and echo).
int in_user(std::function<int()> fn, const char* name = "cat") {
  auto t = spawn_user(std::move(fn), name);
  int r = -9999;
  EXPECT_TRUE(join_for(t, kJoinMs, &r)) << name << " did not finish";
  return r;
}

// `cat path`: the text, or "<-errno>".
std::string cat(const std::string& path) {
  std::string s;
  int r = in_user([&] { return proc_read(path, &s); });
  return r < 0 ? "<" + std::to_string(r) + ">" : s;
}

// `echo value > path` (echo adds the newline).
int echo(const std::string& path, const std::string& value) {
  return in_user([&] { return proc_write(path, value + "\n"); }, "echo");
}

bool log_has(const std::string& needle) { return dmesg().find(needle) != std::string::npos; }

// The entries the compat layer reports for unload checks, by path.
std::vector<std::pair<std::string, const void*>> fs_entries() {
  std::vector<std::pair<std::string, const void*>> v;
  compat::for_each_fs_entry(
      [&](const std::string& path, const void* ops, const void*) { v.emplace_back(path, ops); });
  return v;
}

const void* entry_ops(const std::string& path) {
  for (const auto& [p, ops] : fs_entries())
    if (p == path) return ops;
  return nullptr;
}

// The C side's entries outlive a kernel (they are process-wide, as a module's would be if it
// were never unloaded): a test that failed half-way must not leave them to the next run.
class CompatFsBase : public KernelTest {
 protected:
  void TearDown() override {
    for (const auto& [path, ops] : fs_entries())
      if (path.find("ctest") != std::string::npos) compat::remove_fs_entry(path);
    KernelTest::TearDown();
  }
};

// ---- /proc ------------------------------------------------------------------------------------

class CompatProcTest : public CompatFsBase {};

TEST_P(CompatProcTest, SingleOpenEntryReadsBackWithCat) {
  ASSERT_EQ(in_kthread(ctest_fs_hello_create), 0);
  EXPECT_EQ(cat("/proc/ctest_hello"), "hello from ctest, open #1\nsecond line\n!\n");
  EXPECT_EQ(cat("/proc/ctest_hello"), "hello from ctest, open #2\nsecond line\n!\n");
  EXPECT_EQ(ctest_fs_hello_counts(), 202);  // every open was released
  EXPECT_EQ(entry_ops("/proc/ctest_hello"), ctest_fs_hello_ops());
  in_kthread([] {
    ctest_fs_hello_remove();
    return 0;
  });
  EXPECT_EQ(cat("/proc/ctest_hello"), "<-2>");  // -ENOENT
  EXPECT_EQ(entry_ops("/proc/ctest_hello"), nullptr);
  EXPECT_EQ(ctest_fs_hello_counts(), 202);
}

TEST_P(CompatProcTest, DuplicateNameWarnsAndKeepsTheFirstEntry) {
  ASSERT_EQ(in_kthread(ctest_fs_hello_create), 0);
  ASSERT_EQ(in_kthread(ctest_fs_hello_duplicate), 0);
  std::string log = dmesg();
  std::size_t at = log.find("proc_dir_entry '/proc/ctest_hello' already registered\n");
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_NE(log.find("WARNING: CPU: ", at), std::string::npos) << log;
  EXPECT_NE(log.rfind("------------[ cut here ]------------", at), std::string::npos) << log;
  EXPECT_EQ(cat("/proc/ctest_hello"), "hello from ctest, open #1\nsecond line\n!\n");
  in_kthread([] {
    ctest_fs_hello_remove();
    return 0;
  });
  // ktl's own files cannot be shadowed either.
  EXPECT_EQ(cat("/proc/ctest_hello"), "<-2>");
}

TEST_P(CompatProcTest, ProcCreateDataPassesItsDataToPdeData) {
  ASSERT_EQ(in_kthread(ctest_fs_data_create), 0);
  EXPECT_EQ(cat("/proc/ctest_data_a"), "data of entry a\n");
  EXPECT_EQ(cat("/proc/ctest_data_b"), "data of entry b\n");
  in_kthread([] {
    ctest_fs_data_remove();
    return 0;
  });
  EXPECT_EQ(cat("/proc/ctest_data_a"), "<-2>");
}

TEST_P(CompatProcTest, SimpleReadFromBufferAcrossSeveralReads) {
  ASSERT_EQ(in_kthread(ctest_fs_rw_create), 0);
  std::string text = cat("/proc/ctest_big");
  EXPECT_EQ(text, std::string(ctest_fs_big(), 10000));
  // cat reads a page at a time until ->proc_read returns 0.
  long long offsets[8];
  std::size_t counts[8];
  ASSERT_EQ(ctest_fs_big_reads(offsets, counts, 8), 4);
  EXPECT_EQ(offsets[0], 0);
  EXPECT_EQ(offsets[1], 4096);
  EXPECT_EQ(offsets[2], 8192);
  EXPECT_EQ(offsets[3], 10000);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(counts[i], 4096u);
  // The textbook read that checks *offset and logs the file's name.
  EXPECT_EQ(cat("/proc/ctest_once"), "HelloWorld!\n");
  EXPECT_TRUE(log_has("procfile read ctest_once\n")) << dmesg();
  in_kthread([] {
    ctest_fs_rw_remove();
    return 0;
  });
}

TEST_P(CompatProcTest, EchoReachesProcWriteThroughCopyFromUser) {
  ASSERT_EQ(in_kthread(ctest_fs_rw_create), 0);
  EXPECT_EQ(cat("/proc/ctest_stored"), "nothing yet\n");
  EXPECT_EQ(echo("/proc/ctest_big", "hello world"), 0);
  EXPECT_EQ(ctest_fs_writes(), 1);
  EXPECT_EQ(cat("/proc/ctest_stored"), "hello world\n");
  // No ->proc_write: proc_reg_write's -EIO.
  EXPECT_EQ(echo("/proc/ctest_stored", "x"), -EIO);
  // A kernel thread has no user memory: the module's copy_from_user fails.
  EXPECT_EQ(in_kthread([] { return proc_write("/proc/ctest_big", "from a kthread\n"); }), -EFAULT);
  EXPECT_EQ(cat("/proc/ctest_stored"), "hello world\n");
  in_kthread([] {
    ctest_fs_rw_remove();
    return 0;
  });
  EXPECT_EQ(echo("/proc/ctest_big", "gone"), -ENOENT);
}

TEST_P(CompatProcTest, ReadingFromAKernelThreadFaults) {
  ASSERT_EQ(in_kthread(ctest_fs_hello_create), 0);
  std::string s = "untouched";
  EXPECT_EQ(in_kthread([&] { return proc_read("/proc/ctest_hello", &s); }), -EFAULT);
  EXPECT_EQ(s, "untouched");
  in_kthread([] {
    ctest_fs_hello_remove();
    return 0;
  });
}

TEST_P(CompatProcTest, SeqFileLargerThanAPage) {
  constexpr int kRecords = 300;
  ASSERT_EQ(in_kthread([] { return ctest_fs_seq_create(kRecords); }), 0);
  std::string want;
  for (int i = 0; i < kRecords; ++i) {
    char b[32];
    std::snprintf(b, sizeof b, "record %4d: ", i);
    want += b;
    if (i % 100 == 50)
      for (int j = 0; j < 500; ++j) want += "0123456789";
    want += "end\n";
  }
  std::string got = cat("/proc/ctest_seq");
  EXPECT_EQ(got.size(), want.size());
  EXPECT_EQ(got, want);
  EXPECT_GT(ctest_fs_seq_balance(), 2);  // several reads, each start paired with a stop
  in_kthread([] {
    ctest_fs_seq_remove();
    return 0;
  });
}

TEST_P(CompatProcTest, DirectoriesAndSubtreeRemoval) {
  ASSERT_EQ(in_kthread(ctest_fs_dir_create), 0);
  EXPECT_TRUE(log_has("name 'ctest_nodir/x'\n")) << dmesg();
  EXPECT_EQ(cat("/proc/ctest_dir/value"), "value=42 parent=42\n");
  EXPECT_EQ(cat("/proc/ctest_dir/sub/deep"), "deep value=42\n");
  EXPECT_EQ(cat("/proc/ctest_dir"), "<-21>");  // -EISDIR
  ASSERT_EQ(in_kthread(ctest_fs_dir_remove_subtree), 0);
  EXPECT_EQ(cat("/proc/ctest_dir/value"), "<-2>");
  EXPECT_EQ(cat("/proc/ctest_dir/sub/deep"), "<-2>");
  EXPECT_EQ(cat("/proc/ctest_dir"), "<-2>");
}

TEST_P(CompatProcTest, ShowAndSeqAttributesFlagsAndPoll) {
  ASSERT_EQ(in_kthread(ctest_fs_attrs_create), 0);
  EXPECT_EQ(cat("/proc/ctest_modes"), "proc show attribute\n");
  EXPECT_EQ(cat("/sys/kernel/debug/ctest_seq/countdown"), "3\n2\n1\n");
  // cat opens O_RDONLY (| O_LARGEFILE); nonseekable_open() took FMODE_LSEEK away.
  constexpr unsigned kO_ACCMODE = 3, kO_WRONLY = 1, kO_LARGEFILE = 0100000, kO_NONBLOCK = 04000;
  constexpr unsigned kFMODE_READ = 1, kFMODE_WRITE = 2, kFMODE_LSEEK = 4;
  unsigned flags = 0, mode = 0;
  EXPECT_EQ(cat("/proc/ctest_flags"), "blocking\n");
  ctest_fs_attrs_seen(&flags, &mode);
  EXPECT_EQ(flags & kO_ACCMODE, 0u);
  EXPECT_TRUE(flags & kO_LARGEFILE);
  EXPECT_FALSE(flags & kO_NONBLOCK);
  EXPECT_EQ(mode & (kFMODE_READ | kFMODE_WRITE | kFMODE_LSEEK), kFMODE_READ);
  // echo > opens O_WRONLY.
  EXPECT_EQ(echo("/proc/ctest_flags", "x"), 0);
  ctest_fs_attrs_seen(&flags, &mode);
  EXPECT_EQ(flags & kO_ACCMODE, kO_WRONLY);
  EXPECT_EQ(mode & (kFMODE_READ | kFMODE_WRITE), kFMODE_WRITE);
  EXPECT_EQ(in_kthread(ctest_fs_attrs_poll), 0);
  in_kthread([] {
    ctest_fs_attrs_remove();
    return 0;
  });
  EXPECT_EQ(cat("/proc/ctest_modes"), "<-2>");
  EXPECT_EQ(cat("/sys/kernel/debug/ctest_seq/countdown"), "<-2>");
}

TEST_P(CompatProcTest, RemoveProcEntryWaitsForTheReadInProgress) {
  ASSERT_EQ(in_kthread(ctest_fs_block_create), 0);
  std::string text;
  auto reader = spawn_user([&] { return proc_read("/proc/ctest_block", &text); }, "cat");
  ASSERT_TRUE(wait_until([] { return ctest_fs_block_in_read() != 0; }));
  auto remover = spawn(ctest_fs_block_remove, "rmmod");
  // remove_proc_entry() sleeps (uninterruptibly) until the reader leaves ->proc_read.
  ASSERT_TRUE(wait_state(remover, 'D'));
  EXPECT_EQ(cat("/proc/ctest_block"), "<-2>");  // new accesses fail at once
  ctest_fs_block_release();
  int r = -1;
  ASSERT_TRUE(join_for(reader, kJoinMs, &r));
  EXPECT_EQ(r, 0);
  EXPECT_EQ(text, "done\n");
  ASSERT_TRUE(join_for(remover, kJoinMs, &r));
  EXPECT_EQ(r, 0);
}

TEST_P(CompatProcTest, UnloadChecksSeeAndDropEntries) {
  ASSERT_EQ(in_kthread(ctest_fs_hello_create), 0);
  ASSERT_EQ(in_kthread(ctest_fs_sysfs_create), 0);
  EXPECT_EQ(entry_ops("/proc/ctest_hello"), ctest_fs_hello_ops());
  EXPECT_EQ(entry_ops("/sys/kernel/ctest_kobj/foo"), ctest_fs_sysfs_foo_attr());
  // What the module loader does with entries left behind by a module's exit.
  compat::remove_fs_entry("/proc/ctest_hello");
  compat::remove_fs_entry("/sys/kernel/ctest_kobj/foo");
  EXPECT_EQ(cat("/proc/ctest_hello"), "<-2>");
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj/foo"), "<-2>");
  EXPECT_EQ(entry_ops("/proc/ctest_hello"), nullptr);
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj/bar"), "ctest_kobj:initial\n");
  in_kthread([] {
    ctest_fs_sysfs_put();
    return 0;
  });
}

TEST_P(CompatProcTest, BuiltinFilesWin) {
  // /proc/stat is ktl's; /proc/driver exists from boot, as on Linux.
  std::string stat = cat("/proc/stat");
  EXPECT_EQ(stat.rfind("cpu ", 0), 0u) << stat;
  EXPECT_EQ(cat("/proc/driver"), "<-21>");
}

TEST_P(CompatProcTest, CatAndEchoFromTheConsole) {
  ASSERT_EQ(in_kthread(ctest_fs_rw_create), 0);
  std::string out;
  int status = in_user([&] {
    shell sh([&](std::string_view s) { out += s; });
    return sh.run("echo from the shell > /proc/ctest_big; cat /proc/ctest_stored");
  }, "sh");
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "from the shell\n");
  in_kthread([] {
    ctest_fs_rw_remove();
    return 0;
  });
}

KTL_INSTANTIATE_MACHINES(CompatProcTest);

// ---- uaccess ----------------------------------------------------------------------------------

class CompatFsUaccessTest : public CompatFsBase {};

TEST_P(CompatFsUaccessTest, KthreadsHaveNoUserMemory) {
  EXPECT_EQ(in_kthread(ctest_fs_uaccess_kthread), 0);
  EXPECT_EQ(in_user(ctest_fs_uaccess_user), 0);
}

KTL_INSTANTIATE_MACHINES(CompatFsUaccessTest);

// ---- sysfs ------------------------------------------------------------------------------------

class CompatSysfsTest : public CompatFsBase {};

TEST_P(CompatSysfsTest, KobjAttributesShowAndStoreThroughCatAndEcho) {
  ASSERT_EQ(in_kthread(ctest_fs_sysfs_create), 0);
  std::string log = dmesg();
  EXPECT_NE(log.find("sysfs: cannot create duplicate filename '/kernel/ctest_kobj/foo'"),
            std::string::npos) << log;
  EXPECT_NE(log.find("kobject: kobject_add_internal failed for ctest_kobj with -EEXIST, don't "
                     "try to register things with the same name in the same directory."),
            std::string::npos) << log;
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj/foo"), "7\n");
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj/bar"), "ctest_kobj:initial\n");
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj/grp/foo"), "7\n");
  EXPECT_EQ(echo("/sys/kernel/ctest_kobj/foo", "42"), 0);
  EXPECT_EQ(ctest_fs_sysfs_foo(), 42);
  EXPECT_EQ(ctest_fs_sysfs_stores(), 1);
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj/grp/foo"), "42\n");
  EXPECT_EQ(echo("/sys/kernel/ctest_kobj/foo", "forty"), -EINVAL);  // store's kstrtoint error
  // __ATTR_RO: no write bit, __ATTR_WO: no read bit.
  EXPECT_EQ(echo("/sys/kernel/ctest_kobj/bar", "x"), -EACCES);
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj/secret"), "<-13>");
  EXPECT_EQ(echo("/sys/kernel/ctest_kobj/secret", "hidden"), 0);
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj/bar"), "ctest_kobj:hidden\n");
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj"), "<-21>");
  // Written from a kernel thread, the text cannot be copied in.
  EXPECT_EQ(in_kthread([] { return proc_write("/sys/kernel/ctest_kobj/foo", "1\n"); }), -EFAULT);
  EXPECT_EQ(entry_ops("/sys/kernel/ctest_kobj/foo"), ctest_fs_sysfs_foo_attr());
  ASSERT_EQ(in_kthread(ctest_fs_sysfs_remove_group), 0);
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj/grp/foo"), "<-2>");
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj/foo"), "42\n");
  in_kthread([] {
    ctest_fs_sysfs_put();
    return 0;
  });
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj/foo"), "<-2>");
  EXPECT_EQ(cat("/sys/kernel/ctest_kobj"), "<-2>");
}

TEST_P(CompatSysfsTest, EmbeddedKobjectsInAKset) {
  ASSERT_EQ(in_kthread(ctest_fs_kset_create), 0);
  EXPECT_EQ(cat("/sys/kernel/ctest_kset/obj0/value"), "10\n");
  EXPECT_EQ(cat("/sys/kernel/ctest_kset/obj1/value"), "20\n");
  EXPECT_EQ(echo("/sys/kernel/ctest_kset/obj1/value", "0x30"), 0);
  EXPECT_EQ(cat("/sys/kernel/ctest_kset/obj1/value"), "48\n");
  EXPECT_EQ(in_kthread(ctest_fs_kset_destroy), 2);  // both released on their last put
  EXPECT_EQ(cat("/sys/kernel/ctest_kset/obj0/value"), "<-2>");
  EXPECT_EQ(cat("/sys/kernel/ctest_kset"), "<-2>");
}

KTL_INSTANTIATE_MACHINES(CompatSysfsTest);

// ---- debugfs ------------------------------------------------------------------------------------

class CompatFsDebugfsTest : public CompatFsBase {};

TEST_P(CompatFsDebugfsTest, ValueFilesAndFops) {
  ASSERT_EQ(in_kthread(ctest_fs_debugfs_create), 0);
  std::string log = dmesg();
  EXPECT_NE(log.find("debugfs: File 'show' in directory 'ctest' already present!"),
            std::string::npos) << log;
  EXPECT_NE(log.find("debugfs: Directory 'ctest' with parent '/' already present!"),
            std::string::npos) << log;
  EXPECT_EQ(cat("/sys/kernel/debug/ctest/u32"), "42\n");
  EXPECT_EQ(cat("/sys/kernel/debug/ctest/x32"), "0x0000beef\n");
  EXPECT_EQ(cat("/sys/kernel/debug/ctest/u64"), "1099511627776\n");
  EXPECT_EQ(cat("/sys/kernel/debug/ctest/bool"), "Y\n");
  EXPECT_EQ(cat("/sys/kernel/debug/ctest/atomic"), "-5\n");
  EXPECT_EQ(cat("/sys/kernel/debug/ctest/show"), "u32=42 private=dbg data\n");
  EXPECT_EQ(cat("/sys/kernel/debug/ctest/attr"), "100\n");
  EXPECT_EQ(echo("/sys/kernel/debug/ctest/u32", "7"), 0);
  EXPECT_EQ(ctest_fs_debugfs_u32(), 7u);
  EXPECT_EQ(echo("/sys/kernel/debug/ctest/u32", "0x10"), 0);
  EXPECT_EQ(cat("/sys/kernel/debug/ctest/u32"), "16\n");
  EXPECT_EQ(echo("/sys/kernel/debug/ctest/u32", "seven"), -EINVAL);
  EXPECT_EQ(echo("/sys/kernel/debug/ctest/bool", "N"), 0);
  EXPECT_EQ(ctest_fs_debugfs_bool(), 0);
  EXPECT_EQ(echo("/sys/kernel/debug/ctest/ro", "1"), -EACCES);  // 0444: no set
  EXPECT_EQ(echo("/sys/kernel/debug/ctest/attr", "999"), 0);
  EXPECT_EQ(ctest_fs_debugfs_attr(), 999u);
  EXPECT_EQ(echo("/sys/kernel/debug/ctest/attr", "1001"), -EINVAL);  // the set callback's error
  EXPECT_EQ(cat("/sys/kernel/debug/ctest"), "<-21>");
  in_kthread([] {
    ctest_fs_debugfs_remove();
    return 0;
  });
  EXPECT_EQ(cat("/sys/kernel/debug/ctest/u32"), "<-2>");
  EXPECT_EQ(cat("/sys/kernel/debug/ctest"), "<-2>");
}

KTL_INSTANTIATE_MACHINES(CompatFsDebugfsTest);

// ---- character devices ---------------------------------------------------------------------------

class CompatFsDevicesTest : public CompatFsBase {};

TEST_P(CompatFsDevicesTest, RegisterChrdevIsListedInProcDevices) {
  ASSERT_EQ(in_kthread(ctest_fs_chrdev_register), 0);
  // Dynamic majors from 254 downwards, as Linux allocates them on a machine without others.
  EXPECT_EQ(ctest_fs_chrdev_major(0), 254);
  EXPECT_EQ(ctest_fs_chrdev_major(1), 253);
  EXPECT_EQ(ctest_fs_chrdev_major(3), 252);
  EXPECT_TRUE(log_has("CHRDEV \"ctest_too_big\" major requested (600) is greater than the "
                      "maximum (511)"))
      << dmesg();
  EXPECT_EQ(cat("/proc/devices"),
            "Character devices:\n 10 misc\n200 ctest_chr_200\n252 ctest_region\n"
            "253 ctest_chr_b\n254 ctest_chr_a\n\nBlock devices:\n");
  in_kthread([] {
    ctest_fs_chrdev_unregister();
    return 0;
  });
  EXPECT_EQ(cat("/proc/devices"), "Character devices:\n 10 misc\n\nBlock devices:\n");
}

TEST_P(CompatFsDevicesTest, MiscDevicesInProcMisc) {
  ASSERT_EQ(in_kthread(ctest_fs_misc_register), 0);
  EXPECT_EQ(cat("/proc/misc"), "126 ctest_misc_b\n127 ctest_misc_a\n");
  EXPECT_EQ(cat("/sys/class/misc/ctest_misc_a/dev"), "10:127\n");
  EXPECT_TRUE(log_has("misc ctest_misc_a: registered with minor 127\n")) << dmesg();
  EXPECT_TRUE(log_has("sysfs: cannot create duplicate filename '/class/misc/ctest_misc_a'"))
      << dmesg();
  bool listed = false;
  compat::for_each_fs_entry([&](const std::string& path, const void*, const void* data) {
    if (path == "/sys/class/misc/ctest_misc_a") listed = data == ctest_fs_misc_a();
  });
  EXPECT_TRUE(listed);
  in_kthread([] {
    ctest_fs_misc_deregister();
    return 0;
  });
  EXPECT_EQ(cat("/proc/misc"), "");
  EXPECT_EQ(cat("/sys/class/misc/ctest_misc_a/dev"), "<-2>");
}

TEST_P(CompatFsDevicesTest, ClassDeviceAndCdev) {
  int major = in_kthread(ctest_fs_class_create);
  ASSERT_GT(major, 0);
  EXPECT_EQ(cat("/sys/class/ctest_class/ctest_dev0/dev"), std::to_string(major) + ":0\n");
  EXPECT_TRUE(log_has("ctest_class ctest_dev0: hello from the device\n")) << dmesg();
  in_kthread([] {
    ctest_fs_class_destroy();
    return 0;
  });
  EXPECT_EQ(cat("/sys/class/ctest_class/ctest_dev0/dev"), "<-2>");
  EXPECT_EQ(cat("/sys/class/ctest_class"), "<-2>");
}

KTL_INSTANTIATE_MACHINES(CompatFsDevicesTest);

// ---- tracing ------------------------------------------------------------------------------------

class CompatFsTraceTest : public CompatFsBase {};

std::string trace() { return cat("/sys/kernel/tracing/trace"); }

TEST_P(CompatFsTraceTest, TraceEventsRecordWhenEnabled) {
  const std::string dir = "/sys/kernel/tracing/events/ctest-events/";
  EXPECT_EQ(cat(dir + "ctest_sample/enable"), "0\n");
  EXPECT_EQ(in_kthread([] { return ctest_fs_trace_fire(1); }), 0);
  EXPECT_EQ(trace().find("ctest_sample:"), std::string::npos);
  for (const char* ev : {"ctest_sample", "ctest_stop", "ctest_even"})
    ASSERT_EQ(echo(dir + ev + "/enable", "1"), 0) << ev;
  EXPECT_EQ(cat(dir + "ctest_sample/enable"), "1\n");
  EXPECT_EQ(in_kthread([] { return ctest_fs_trace_fire(3); }, "tracer"), 1);
  std::string t = trace();
  EXPECT_NE(t.find(" ctest_sample: count=0 time=5 who=alpha tag=tag state=idle flags=A|C\n"),
            std::string::npos) << t;
  EXPECT_NE(t.find(" ctest_sample: count=1 time=5 who=alpha tag=tag state=busy flags=A|C\n"),
            std::string::npos) << t;
  EXPECT_NE(t.find(" ctest_stop: stopped with 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find(" ctest_even: even 2\n"), std::string::npos) << t;
  EXPECT_EQ(t.find(" ctest_even: even 1\n"), std::string::npos) << t;  // TP_CONDITION
  EXPECT_EQ(t.find(" ctest_start:"), std::string::npos) << t;           // not enabled
  EXPECT_NE(t.find(" ctest_fs_trace_fire: printk 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("tracer-"), std::string::npos) << t;
  EXPECT_TRUE(log_has("** trace_printk() being used. Allocating extra memory.  **")) << dmesg();
  for (const char* ev : {"ctest_sample", "ctest_stop", "ctest_even"})
    ASSERT_EQ(echo(dir + ev + "/enable", "0"), 0) << ev;
  EXPECT_EQ(in_kthread([] { return ctest_fs_trace_fire(1); }), 0);
  EXPECT_EQ(echo("/sys/kernel/tracing/trace_marker", "marked"), 0);
  EXPECT_NE(trace().find(" tracing_mark_write: marked\n"), std::string::npos);
}

TEST_P(CompatFsTraceTest, InstancesHaveTheirOwnBuffer) {
  ASSERT_EQ(in_kthread(ctest_fs_trace_instance, "inst"), 0);
  const std::string inst = "/sys/kernel/tracing/instances/ctest-instance/";
  std::string t = cat(inst + "trace");
  EXPECT_EQ(t.rfind("# tracer: nop\n", 0), 0u) << t;
  EXPECT_NE(t.find(" ctest_fs_trace_instance: in instance 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find(" ctest_start: v=5\n"), std::string::npos) << t;
  EXPECT_NE(t.find("inst-"), std::string::npos) << t;
  EXPECT_EQ(trace().find(" ctest_start: v=5\n"), std::string::npos);  // not at the top level
  EXPECT_EQ(cat(inst + "events/ctest-events/ctest_start/enable"), "1\n");
  EXPECT_EQ(cat("/sys/kernel/tracing/events/ctest-events/ctest_start/enable"), "0\n");
  EXPECT_EQ(in_kthread(ctest_fs_trace_instance_destroy), 0);
  EXPECT_EQ(cat(inst + "trace"), "<-2>");
}

KTL_INSTANTIATE_MACHINES(CompatFsTraceTest);

}  // namespace
