// SPDX-License-Identifier: MIT
/*
 * Kernel-style C against <linux/proc_fs.h>, <linux/seq_file.h>, <linux/uaccess.h>,
 * <linux/sysfs.h>, <linux/kobject.h>, <linux/debugfs.h>, <linux/fs.h> (character devices),
 * <linux/miscdevice.h> and <linux/device.h>, written the way modules and tutorials write
 * them. Driven by tests/compat/fs_test.cc, which reads and writes the files through
 * ktl::proc_read/proc_write from a user task (the console's cat and echo).
 * Entry points return 0 on success, else the failing line (or a documented value).
 */
#include <linux/cdev.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/wait.h>

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			pr_err("ctest fs: %s:%d: %s\n", __func__, __LINE__, #cond); \
			return __LINE__;                                        \
		}                                                               \
	} while (0)

/* ---- single_open + seq_printf ---------------------------------------------------------- */

static int opens, releases;

static int hello_show(struct seq_file *m, void *v)
{
	seq_printf(m, "hello from %s, open #%d\n", "ctest", opens);
	seq_puts(m, "second line\n");
	seq_putc(m, '!');
	seq_putc(m, '\n');
	return 0;
}

static int hello_open(struct inode *inode, struct file *file)
{
	opens++;
	return single_open(file, hello_show, NULL);
}

static int hello_release(struct inode *inode, struct file *file)
{
	releases++;
	return single_release(inode, file);
}

static const struct proc_ops hello_ops = {
	.proc_open = hello_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = hello_release,
};

static struct proc_dir_entry *hello_pde;

int ctest_fs_hello_create(void)
{
	opens = releases = 0;
	hello_pde = proc_create("ctest_hello", 0444, NULL, &hello_ops);
	CHECK(hello_pde);
	return 0;
}

int ctest_fs_hello_counts(void)
{
	return opens * 100 + releases;
}

void ctest_fs_hello_remove(void)
{
	remove_proc_entry("ctest_hello", NULL);
}

const void *ctest_fs_hello_ops(void)
{
	return &hello_ops;
}

/* A second entry under the same name: NULL, and the first one stays. */
static int other_show(struct seq_file *m, void *v)
{
	seq_puts(m, "the second entry\n");
	return 0;
}

int ctest_fs_hello_duplicate(void)
{
	struct proc_dir_entry *p = proc_create_single("ctest_hello", 0444, NULL, other_show);

	CHECK(p == NULL);
	return 0;
}

/* ---- proc_create_data + pde_data (and the old PDE_DATA under a version check) ------------ */

static char data_a[] = "data of entry a";
static char data_b[] = "data of entry b";

static int data_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", (const char *)m->private);
	return 0;
}

static int data_open(struct inode *inode, struct file *file)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 17, 0)
	return single_open(file, data_show, pde_data(inode));
#else
	return single_open(file, data_show, PDE_DATA(inode));
#endif
}

static const struct proc_ops data_ops = {
	.proc_open = data_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

int ctest_fs_data_create(void)
{
	CHECK(proc_create_data("ctest_data_a", 0444, NULL, &data_ops, data_a));
	CHECK(proc_create_data("ctest_data_b", 0, NULL, &data_ops, data_b));
	return 0;
}

void ctest_fs_data_remove(void)
{
	remove_proc_entry("ctest_data_a", NULL);
	remove_proc_entry("ctest_data_b", NULL);
}

/* ---- ->proc_read with simple_read_from_buffer, ->proc_write with copy_from_user -------- */

#define BIG_SIZE 10000
static char big[BIG_SIZE];
static loff_t read_offsets[16];
static size_t read_counts[16];
static int nr_reads;

static ssize_t big_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	if (nr_reads < 16) {
		read_offsets[nr_reads] = *ppos;
		read_counts[nr_reads] = count;
	}
	nr_reads++;
	return simple_read_from_buffer(buf, count, ppos, big, BIG_SIZE);
}

static char stored[64] = "nothing yet\n";
static size_t stored_len = 12;
static int writes;

static ssize_t big_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	char tmp[sizeof(stored)];
	size_t n = min(count, sizeof(stored) - 1);

	writes++;
	if (copy_from_user(tmp, buf, n))
		return -EFAULT;
	memcpy(stored, tmp, n);
	stored[n] = '\0';
	stored_len = n;
	return count;
}

static const struct proc_ops big_ops = {
	.proc_read = big_read,
	.proc_write = big_write,
	.proc_lseek = default_llseek,
};

/* The written text, read back through a second entry. */
static ssize_t stored_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	return simple_read_from_buffer(buf, count, ppos, stored, stored_len);
}

static const struct proc_ops stored_ops = {
	.proc_read = stored_read,
};

/* The textbook read that ignores the offset and ends with a static flag (lkmpg's procfs1). */
static ssize_t once_read(struct file *file, char __user *buffer, size_t len, loff_t *offset)
{
	char s[13] = "HelloWorld!\n";
	int n = sizeof(s) - 1;

	if (*offset >= n || copy_to_user(buffer, s, n)) {
		pr_info("copy_to_user failed\n");
		return 0;
	}
	pr_info("procfile read %s\n", file->f_path.dentry->d_name.name);
	*offset += n;
	return n;
}

static const struct proc_ops once_ops = {
	.proc_read = once_read,
};

int ctest_fs_rw_create(void)
{
	int i;

	for (i = 0; i < BIG_SIZE; i++)
		big[i] = 'a' + i % 26;
	for (i = 99; i < BIG_SIZE; i += 100)
		big[i] = '\n';
	nr_reads = 0;
	writes = 0;
	strcpy(stored, "nothing yet\n");
	stored_len = strlen(stored);
	CHECK(proc_create("ctest_big", 0644, NULL, &big_ops));
	CHECK(proc_create("ctest_stored", 0444, NULL, &stored_ops));
	CHECK(proc_create("ctest_once", 0444, NULL, &once_ops));
	return 0;
}

const char *ctest_fs_big(void)
{
	return big;
}

int ctest_fs_big_reads(loff_t *offsets, size_t *counts, int max)
{
	int i;

	for (i = 0; i < nr_reads && i < max && i < 16; i++) {
		offsets[i] = read_offsets[i];
		counts[i] = read_counts[i];
	}
	return nr_reads;
}

int ctest_fs_writes(void)
{
	return writes;
}

void ctest_fs_rw_remove(void)
{
	remove_proc_entry("ctest_big", NULL);
	remove_proc_entry("ctest_stored", NULL);
	remove_proc_entry("ctest_once", NULL);
}

/* ---- uaccess from a kernel thread (no mm) and from a user task ------------------------- */

int ctest_fs_uaccess_kthread(void)
{
	char src[10] = "012345678";
	char dst[10];
	int v = 5;
	u64 big_v = 1;

	CHECK(current->mm == NULL);
	CHECK(copy_to_user(dst, src, sizeof(src)) == sizeof(src));
	memset(dst, 'x', sizeof(dst));
	CHECK(copy_from_user(dst, src, sizeof(src)) == sizeof(src));
	CHECK(dst[0] == 0 && dst[9] == 0); /* what was not copied is zeroed */
	CHECK(get_user(v, (int __user *)src) == -EFAULT);
	CHECK(v == 0);
	CHECK(put_user(7, (int __user *)dst) == -EFAULT);
	CHECK(get_user(big_v, (u64 __user *)src) == -EFAULT);
	CHECK(big_v == 0);
	CHECK(clear_user(dst, 4) == 4);
	CHECK(strncpy_from_user(dst, src, sizeof(dst)) == -EFAULT);
	CHECK(access_ok(src, sizeof(src)));
	return 0;
}

int ctest_fs_uaccess_user(void)
{
	char src[10] = "012345678";
	char dst[10];
	int iv = 0x12345678, iout = 0;
	u8 b = 0;
	s16 s = -3, sout = 0;
	u64 q = 0x1122334455667788ULL, qout = 0;
	const char *pconst = "x";
	const char *pout = NULL;

	CHECK(current->mm != NULL);
	CHECK(copy_to_user(dst, src, sizeof(src)) == 0);
	CHECK(memcmp(dst, src, sizeof(src)) == 0);
	CHECK(copy_from_user(dst, "abcdefghi", 10) == 0);
	CHECK(dst[0] == 'a' && dst[9] == 0);
	CHECK(get_user(iout, &iv) == 0 && iout == 0x12345678);
	CHECK(put_user(0x55, &b) == 0 && b == 0x55);
	CHECK(get_user(sout, &s) == 0 && sout == -3);
	CHECK(put_user(q, &qout) == 0 && qout == q);
	CHECK(get_user(pout, &pconst) == 0 && pout == pconst);
	CHECK(clear_user(dst, 4) == 0 && dst[0] == 0 && dst[3] == 0 && dst[4] == 'e');
	CHECK(strncpy_from_user(dst, "hey", sizeof(dst)) == 3 && strcmp(dst, "hey") == 0);
	CHECK(strncpy_from_user(dst, "0123456789abc", 4) == 4);
	/* The first page faults even for a user task. */
	CHECK(copy_to_user((void __user *)16, src, 4) == 4);
	CHECK(get_user(iout, (int __user *)NULL) == -EFAULT);
	return 0;
}

/* ---- seq_operations over a list, output larger than a page ----------------------------- */

struct rec {
	struct list_head node;
	int id;
};

static LIST_HEAD(recs);
static int seq_starts, seq_stops;

static void *recs_start(struct seq_file *m, loff_t *pos)
{
	seq_starts++;
	return seq_list_start(&recs, *pos);
}

static void *recs_next(struct seq_file *m, void *v, loff_t *pos)
{
	return seq_list_next(v, &recs, pos);
}

static void recs_stop(struct seq_file *m, void *v)
{
	seq_stops++;
}

static int recs_show(struct seq_file *m, void *v)
{
	struct rec *r = list_entry(v, struct rec, node);

	seq_printf(m, "record %4d: ", r->id);
	/* Every 100th record is larger than a page: seq_read must grow its buffer. */
	if (r->id % 100 == 50) {
		int i;

		for (i = 0; i < 500; i++)
			seq_puts(m, "0123456789");
	}
	seq_puts(m, "end\n");
	return 0;
}

static const struct seq_operations recs_sops = {
	.start = recs_start,
	.next = recs_next,
	.stop = recs_stop,
	.show = recs_show,
};

int ctest_fs_seq_create(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct rec *r = kmalloc(sizeof(*r), GFP_KERNEL);

		CHECK(r);
		r->id = i;
		list_add_tail(&r->node, &recs);
	}
	seq_starts = seq_stops = 0;
	CHECK(proc_create_seq("ctest_seq", 0444, NULL, &recs_sops));
	return 0;
}

int ctest_fs_seq_balance(void)
{
	return seq_starts == seq_stops ? seq_starts : -1;
}

void ctest_fs_seq_remove(void)
{
	struct rec *r, *tmp;

	remove_proc_entry("ctest_seq", NULL);
	list_for_each_entry_safe(r, tmp, &recs, node) {
		list_del(&r->node);
		kfree(r);
	}
}

/* ---- directories ------------------------------------------------------------------------ */

static struct proc_dir_entry *dir;
static int dir_value = 42;

static int parent_show(struct seq_file *m, void *v)
{
	seq_printf(m, "value=%d parent=%d\n", *(int *)m->private,
		   *(int *)proc_get_parent_data(file_inode(m->file)));
	return 0;
}

static int deep_show(struct seq_file *m, void *v)
{
	seq_printf(m, "deep value=%d\n", *(int *)m->private);
	return 0;
}

int ctest_fs_dir_create(void)
{
	struct proc_dir_entry *sub;

	dir = proc_mkdir_data("ctest_dir", 0, NULL, &dir_value);
	CHECK(dir);
	CHECK(proc_create_single_data("value", 0444, dir, parent_show, &dir_value));
	sub = proc_mkdir("sub", dir);
	CHECK(sub);
	CHECK(proc_create_single_data("ctest_dir/sub/deep", 0444, NULL, deep_show, &dir_value));
	/* A missing directory in the name is the kernel's "name '...'" WARN. */
	CHECK(proc_create_single("ctest_nodir/x", 0444, NULL, other_show) == NULL);
	return 0;
}

int ctest_fs_dir_remove_subtree(void)
{
	CHECK(remove_proc_subtree("ctest_dir", NULL) == 0);
	CHECK(remove_proc_subtree("ctest_dir", NULL) == -ENOENT);
	return 0;
}

/* ---- DEFINE_PROC_SHOW_ATTRIBUTE, DEFINE_SEQ_ATTRIBUTE, f_flags/f_mode, poll ------------ */

static int modes_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", (const char *)m->private);
	return 0;
}
DEFINE_PROC_SHOW_ATTRIBUTE(modes);

static int countdown_from = 3;

static void *countdown_start(struct seq_file *m, loff_t *pos)
{
	return *pos < *(int *)m->private ? pos : NULL;
}

static void *countdown_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return countdown_start(m, pos);
}

static void countdown_stop(struct seq_file *m, void *v)
{
}

static int countdown_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%lld\n", *(int *)m->private - *(loff_t *)v);
	return 0;
}

static const struct seq_operations countdown_sops = {
	.start = countdown_start,
	.next = countdown_next,
	.stop = countdown_stop,
	.show = countdown_show,
};
DEFINE_SEQ_ATTRIBUTE(countdown);

/* What ->open saw of the file: f_flags & O_ACCMODE, f_mode bits, after nonseekable_open. */
static unsigned int seen_flags, seen_mode;
static DECLARE_WAIT_QUEUE_HEAD(poll_wq);
static int poll_ready;

static int flags_open(struct inode *inode, struct file *file)
{
	seen_flags = file->f_flags;
	nonseekable_open(inode, file);
	seen_mode = file->f_mode;
	return 0;
}

static ssize_t flags_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	const char *s = (file->f_flags & O_NONBLOCK) ? "nonblock\n" : "blocking\n";

	return simple_read_from_buffer(buf, count, ppos, s, strlen(s));
}

static ssize_t flags_write(struct file *file, const char __user *buf, size_t count, loff_t *ppos)
{
	return count;
}

static __poll_t flags_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &poll_wq, wait);
	return READ_ONCE(poll_ready) ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct proc_ops flags_ops = {
	.proc_open = flags_open,
	.proc_read = flags_read,
	.proc_write = flags_write,
	.proc_lseek = no_llseek,
	.proc_poll = flags_poll,
};

static wait_queue_head_t *polled;

static void record_queue(struct file *file, wait_queue_head_t *wq, poll_table *p)
{
	polled = wq;
}

static char modes_text[] = "proc show attribute";
static struct dentry *seq_dir;

int ctest_fs_attrs_create(void)
{
	struct proc_dir_entry *pde;

	pde = proc_create_data("ctest_modes", 0444, NULL, &modes_proc_ops, modes_text);
	CHECK(pde);
	proc_set_size(pde, 20);
	proc_set_user(pde, GLOBAL_ROOT_UID, GLOBAL_ROOT_GID);
	CHECK(uid_eq(current_uid(), GLOBAL_ROOT_UID));
	CHECK(proc_create("ctest_flags", 0666, NULL, &flags_ops));
	seq_dir = debugfs_create_dir("ctest_seq", NULL);
	CHECK(!IS_ERR(seq_dir));
	CHECK(!IS_ERR(debugfs_create_file("countdown", 0444, seq_dir, &countdown_from,
					  &countdown_fops)));
	return 0;
}

int ctest_fs_attrs_seen(unsigned int *flags, unsigned int *mode)
{
	*flags = seen_flags;
	*mode = seen_mode;
	return 0;
}

/* ->proc_poll with a poll_table: registers the module's queue, reports readiness. */
int ctest_fs_attrs_poll(void)
{
	poll_table pt;
	struct file f = { 0 };

	init_poll_funcptr(&pt, record_queue);
	polled = NULL;
	WRITE_ONCE(poll_ready, 0);
	CHECK(flags_ops.proc_poll(&f, &pt) == 0);
	CHECK(polled == &poll_wq);
	WRITE_ONCE(poll_ready, 1);
	CHECK(flags_ops.proc_poll(&f, NULL) == (EPOLLIN | EPOLLRDNORM));
	CHECK(poll_requested_events(&pt) == ~(__poll_t)0);
	return 0;
}

void ctest_fs_attrs_remove(void)
{
	remove_proc_entry("ctest_modes", NULL);
	remove_proc_entry("ctest_flags", NULL);
	debugfs_remove(seq_dir);
}

/* ---- removal waits for a read in progress ---------------------------------------------- */

static DECLARE_WAIT_QUEUE_HEAD(block_wq);
static int block_release, block_in_read;

static ssize_t block_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	if (*ppos)
		return 0;
	WRITE_ONCE(block_in_read, 1);
	wait_event(block_wq, READ_ONCE(block_release));
	return simple_read_from_buffer(buf, count, ppos, "done\n", 5);
}

static const struct proc_ops block_ops = {
	.proc_read = block_read,
};

int ctest_fs_block_create(void)
{
	WRITE_ONCE(block_release, 0);
	WRITE_ONCE(block_in_read, 0);
	CHECK(proc_create("ctest_block", 0444, NULL, &block_ops));
	return 0;
}

int ctest_fs_block_in_read(void)
{
	return READ_ONCE(block_in_read);
}

void ctest_fs_block_release(void)
{
	WRITE_ONCE(block_release, 1);
	wake_up(&block_wq);
}

int ctest_fs_block_remove(void)
{
	remove_proc_entry("ctest_block", NULL);
	return 0;
}

/* ---- sysfs: a kobject under /sys/kernel with a group of kobj_attributes --------------- */

static struct kobject *ctest_kobj;
static int foo = 7;
static char bar[32] = "initial";
static int stores;

static ssize_t foo_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", foo);
}

static ssize_t foo_store(struct kobject *kobj, struct kobj_attribute *attr, const char *buf,
			 size_t count)
{
	int ret = kstrtoint(buf, 10, &foo);

	stores++;
	if (ret < 0)
		return ret;
	return count;
}

static ssize_t bar_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sprintf(buf, "%s:%s\n", kobject_name(kobj), bar);
}

static ssize_t secret_store(struct kobject *kobj, struct kobj_attribute *attr, const char *buf,
			    size_t count)
{
	strscpy(bar, buf, sizeof(bar));
	strim(bar);
	return count;
}

static struct kobj_attribute foo_attribute = __ATTR(foo, 0664, foo_show, foo_store);
static struct kobj_attribute bar_attribute = __ATTR_RO(bar);
static struct kobj_attribute secret_attribute = __ATTR_WO(secret);

static struct attribute *ctest_attrs[] = {
	&foo_attribute.attr,
	&bar_attribute.attr,
	&secret_attribute.attr,
	NULL,
};

static struct attribute_group ctest_group = {
	.attrs = ctest_attrs,
};

static struct attribute_group ctest_named_group = {
	.name = "grp",
	.attrs = ctest_attrs,
};

int ctest_fs_sysfs_create(void)
{
	int ret;

	foo = 7;
	stores = 0;
	strcpy(bar, "initial");
	ctest_kobj = kobject_create_and_add("ctest_kobj", kernel_kobj);
	CHECK(ctest_kobj);
	ret = sysfs_create_group(ctest_kobj, &ctest_group);
	CHECK(ret == 0);
	ret = sysfs_create_group(ctest_kobj, &ctest_named_group);
	CHECK(ret == 0);
	/* The same file twice: sysfs' duplicate-filename message, -EEXIST. */
	CHECK(sysfs_create_file(ctest_kobj, &foo_attribute.attr) == -EEXIST);
	/* A second kobject of the same name: NULL. */
	CHECK(kobject_create_and_add("ctest_kobj", kernel_kobj) == NULL);
	return 0;
}

int ctest_fs_sysfs_foo(void)
{
	return foo;
}

int ctest_fs_sysfs_stores(void)
{
	return stores;
}

const void *ctest_fs_sysfs_foo_attr(void)
{
	return &foo_attribute.attr;
}

int ctest_fs_sysfs_remove_group(void)
{
	sysfs_remove_group(ctest_kobj, &ctest_named_group);
	return 0;
}

void ctest_fs_sysfs_put(void)
{
	kobject_put(ctest_kobj);
	ctest_kobj = NULL;
}

/* An embedded kobject with its own type, as in samples/kobject/kset-example.c. */
struct ctest_obj {
	struct kobject kobj;
	int value;
};
#define to_ctest_obj(x) container_of(x, struct ctest_obj, kobj)

struct ctest_obj_attribute {
	struct attribute attr;
	ssize_t (*show)(struct ctest_obj *obj, struct ctest_obj_attribute *attr, char *buf);
	ssize_t (*store)(struct ctest_obj *obj, struct ctest_obj_attribute *attr, const char *buf,
			 size_t count);
};
#define to_ctest_obj_attr(x) container_of(x, struct ctest_obj_attribute, attr)

static ssize_t ctest_obj_attr_show(struct kobject *kobj, struct attribute *attr, char *buf)
{
	struct ctest_obj_attribute *a = to_ctest_obj_attr(attr);

	if (!a->show)
		return -EIO;
	return a->show(to_ctest_obj(kobj), a, buf);
}

static ssize_t ctest_obj_attr_store(struct kobject *kobj, struct attribute *attr, const char *buf,
				    size_t len)
{
	struct ctest_obj_attribute *a = to_ctest_obj_attr(attr);

	if (!a->store)
		return -EIO;
	return a->store(to_ctest_obj(kobj), a, buf, len);
}

static const struct sysfs_ops ctest_obj_sysfs_ops = {
	.show = ctest_obj_attr_show,
	.store = ctest_obj_attr_store,
};

static int obj_releases;

static void ctest_obj_release(struct kobject *kobj)
{
	obj_releases++;
	kfree(to_ctest_obj(kobj));
}

static ssize_t value_show(struct ctest_obj *obj, struct ctest_obj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", obj->value);
}

static ssize_t value_store(struct ctest_obj *obj, struct ctest_obj_attribute *attr,
			   const char *buf, size_t count)
{
	int ret = kstrtoint(buf, 0, &obj->value);

	return ret < 0 ? ret : count;
}

static struct ctest_obj_attribute value_attribute = __ATTR(value, 0664, value_show, value_store);
static struct attribute *ctest_obj_attrs[] = {
	&value_attribute.attr,
	NULL,
};
ATTRIBUTE_GROUPS(ctest_obj);

static const struct kobj_type ctest_obj_ktype = {
	.release = ctest_obj_release,
	.sysfs_ops = &ctest_obj_sysfs_ops,
	.default_groups = ctest_obj_groups,
};

static struct kset *ctest_kset;
static struct ctest_obj *objs[2];

int ctest_fs_kset_create(void)
{
	int i;

	obj_releases = 0;
	ctest_kset = kset_create_and_add("ctest_kset", NULL, kernel_kobj);
	CHECK(ctest_kset);
	for (i = 0; i < 2; i++) {
		struct ctest_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

		CHECK(o);
		o->value = 10 * (i + 1);
		o->kobj.kset = ctest_kset;
		CHECK(kobject_init_and_add(&o->kobj, &ctest_obj_ktype, NULL, "obj%d", i) == 0);
		objs[i] = o;
	}
	return 0;
}

int ctest_fs_kset_destroy(void)
{
	kobject_put(&objs[0]->kobj);
	kobject_put(&objs[1]->kobj);
	kset_unregister(ctest_kset);
	return obj_releases;
}

/* ---- debugfs ------------------------------------------------------------------------------ */

static struct dentry *dbg_dir;
static u32 dbg_u32 = 42;
static u32 dbg_x32 = 0xbeef;
static u64 dbg_u64 = 1ULL << 40;
static bool dbg_bool = true;
static atomic_t dbg_atomic = ATOMIC_INIT(-5);
static u8 dbg_ro = 3;
static u64 attr_value = 100;

static int dbg_show(struct seq_file *s, void *unused)
{
	seq_printf(s, "u32=%u private=%s\n", dbg_u32, (const char *)s->private);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dbg);

static int attr_get(void *data, u64 *val)
{
	*val = *(u64 *)data;
	return 0;
}

static int attr_set(void *data, u64 val)
{
	if (val > 1000)
		return -EINVAL;
	*(u64 *)data = val;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(attr_fops, attr_get, attr_set, "%llu\n");

static char dbg_private[] = "dbg data";

int ctest_fs_debugfs_create(void)
{
	struct dentry *d;

	dbg_u32 = 42;
	dbg_bool = true;
	attr_value = 100;
	dbg_dir = debugfs_create_dir("ctest", NULL);
	CHECK(!IS_ERR(dbg_dir));
	debugfs_create_u32("u32", 0644, dbg_dir, &dbg_u32);
	debugfs_create_x32("x32", 0644, dbg_dir, &dbg_x32);
	debugfs_create_u64("u64", 0444, dbg_dir, &dbg_u64);
	debugfs_create_bool("bool", 0644, dbg_dir, &dbg_bool);
	debugfs_create_atomic_t("atomic", 0644, dbg_dir, &dbg_atomic);
	debugfs_create_u8("ro", 0444, dbg_dir, &dbg_ro);
	d = debugfs_create_file("show", 0444, dbg_dir, dbg_private, &dbg_fops);
	CHECK(!IS_ERR(d));
	CHECK(!IS_ERR(debugfs_create_file("attr", 0644, dbg_dir, &attr_value, &attr_fops)));
	/* Duplicates: ERR_PTR(-EEXIST) with debugfs' messages. */
	CHECK(PTR_ERR(debugfs_create_file("show", 0444, dbg_dir, NULL, &dbg_fops)) == -EEXIST);
	CHECK(PTR_ERR(debugfs_create_dir("ctest", NULL)) == -EEXIST);
	/* An ERR_PTR parent passes through. */
	CHECK(debugfs_create_dir("x", ERR_PTR(-ENOMEM)) == ERR_PTR(-ENOMEM));
	d = debugfs_lookup("u32", dbg_dir);
	CHECK(d && !IS_ERR(d));
	CHECK(strcmp((const char *)d->d_name.name, "u32") == 0);
	dput(d);
	return 0;
}

u32 ctest_fs_debugfs_u32(void)
{
	return dbg_u32;
}

int ctest_fs_debugfs_bool(void)
{
	return dbg_bool;
}

u64 ctest_fs_debugfs_attr(void)
{
	return attr_value;
}

void ctest_fs_debugfs_remove(void)
{
	debugfs_remove(dbg_dir);
	dbg_dir = NULL;
}

/* ---- character devices, misc devices, classes ------------------------------------------- */

static const struct file_operations chr_fops = {
	.owner = THIS_MODULE,
};

static int majors[3];
static dev_t region;

int ctest_fs_chrdev_register(void)
{
	majors[0] = register_chrdev(0, "ctest_chr_a", &chr_fops);
	majors[1] = register_chrdev(0, "ctest_chr_b", &chr_fops);
	CHECK(majors[0] > 0 && majors[1] > 0);
	/* A requested major: 0 on success, -EBUSY when taken. */
	CHECK(register_chrdev(majors[0], "ctest_again", &chr_fops) == -EBUSY);
	CHECK(register_chrdev(200, "ctest_chr_200", &chr_fops) == 0);
	majors[2] = 200;
	CHECK(register_chrdev(600, "ctest_too_big", &chr_fops) == -EINVAL);
	CHECK(alloc_chrdev_region(&region, 0, 4, "ctest_region") == 0);
	return 0;
}

int ctest_fs_chrdev_major(int i)
{
	return i < 3 ? majors[i] : (int)MAJOR(region);
}

void ctest_fs_chrdev_unregister(void)
{
	unregister_chrdev(majors[0], "ctest_chr_a");
	unregister_chrdev(majors[1], "ctest_chr_b");
	unregister_chrdev(majors[2], "ctest_chr_200");
	unregister_chrdev_region(region, 4);
}

static struct miscdevice misc_a = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ctest_misc_a",
	.fops = &chr_fops,
};

static struct miscdevice misc_b = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ctest_misc_b",
	.fops = &chr_fops,
};

static struct miscdevice misc_dup = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "ctest_misc_a",
	.fops = &chr_fops,
};

int ctest_fs_misc_register(void)
{
	CHECK(misc_register(&misc_a) == 0);
	CHECK(misc_register(&misc_b) == 0);
	CHECK(misc_a.minor == 127 && misc_b.minor == 126);
	CHECK(misc_a.this_device && !IS_ERR(misc_a.this_device));
	CHECK(misc_register(&misc_dup) == -EEXIST);
	CHECK(misc_dup.minor == MISC_DYNAMIC_MINOR);
	dev_info(misc_a.this_device, "registered with minor %d\n", misc_a.minor);
	return 0;
}

const void *ctest_fs_misc_a(void)
{
	return &misc_a;
}

void ctest_fs_misc_deregister(void)
{
	misc_deregister(&misc_b);
	misc_deregister(&misc_a);
}

static struct class *ctest_class;
static struct device *ctest_dev;
static struct cdev ctest_cdev;
static dev_t ctest_devt;

int ctest_fs_class_create(void)
{
	CHECK(alloc_chrdev_region(&ctest_devt, 0, 1, "ctest_cls_dev") == 0);
	cdev_init(&ctest_cdev, &chr_fops);
	ctest_cdev.owner = THIS_MODULE;
	CHECK(cdev_add(&ctest_cdev, ctest_devt, 1) == 0);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	ctest_class = class_create("ctest_class");
#else
	ctest_class = class_create(THIS_MODULE, "ctest_class");
#endif
	CHECK(!IS_ERR(ctest_class));
	ctest_dev = device_create(ctest_class, NULL, ctest_devt, NULL, "ctest_dev%d", 0);
	CHECK(!IS_ERR(ctest_dev));
	CHECK(strcmp(dev_name(ctest_dev), "ctest_dev0") == 0);
	dev_warn(ctest_dev, "hello from %s\n", "the device");
	return (int)MAJOR(ctest_devt);
}

void ctest_fs_class_destroy(void)
{
	device_destroy(ctest_class, ctest_devt);
	class_destroy(ctest_class);
	cdev_del(&ctest_cdev);
	unregister_chrdev_region(ctest_devt, 1);
}

/* ---- tracing: trace_printk, TRACE_EVENT, trace instances -------------------------------- */

#include <linux/trace.h>
#include <linux/trace_events.h>

#define CREATE_TRACE_POINTS
#include "ctest_trace.h"

int ctest_fs_trace_fire(int n)
{
	int i;

	for (i = 0; i < n; i++) {
		trace_ctest_sample(i, 5, "alpha");
		trace_ctest_start(i);
		trace_ctest_stop(i);
		trace_ctest_even(i);
		trace_printk("printk %d\n", i);
	}
	return trace_ctest_sample_enabled();
}

static struct trace_array *ctest_tr;

int ctest_fs_trace_instance(void)
{
	ctest_tr = trace_array_get_by_name("ctest-instance", "ctest-events");
	CHECK(ctest_tr);
	trace_printk_init_buffers();
	CHECK(trace_array_init_printk(ctest_tr) == 0);
	CHECK(trace_array_set_clr_event(ctest_tr, "ctest-events", "ctest_start", true) == 0);
	CHECK(trace_array_set_clr_event(ctest_tr, "ctest-events", "no_such_event", true) == -EINVAL);
	CHECK(trace_array_set_clr_event(NULL, "ctest-events", "ctest_start", true) == -ENOENT);
	CHECK(trace_array_printk(ctest_tr, _THIS_IP_, "in instance %d\n", 1) > 0);
	trace_ctest_start(5);
	/* A second reference keeps it from being destroyed. */
	CHECK(trace_array_get_by_name("ctest-instance") == ctest_tr);
	CHECK(trace_array_destroy(ctest_tr) == -EBUSY);
	trace_array_put(ctest_tr);
	trace_array_put(ctest_tr);
	return 0;
}

int ctest_fs_trace_instance_destroy(void)
{
	int ret = trace_array_destroy(ctest_tr);

	ctest_tr = NULL;
	return ret;
}
