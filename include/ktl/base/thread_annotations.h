// Clang thread-safety annotations. They are empty on GCC; the clang-tsa preset builds the whole
// tree with -Wthread-safety -Werror=thread-safety so the lock discipline written here is checked.
#pragma once

#if defined(__clang__)
#define KTL_TSA(x) __attribute__((x))
#else
#define KTL_TSA(x)
#endif

#define KTL_CAPABILITY(name) KTL_TSA(capability(name))
#define KTL_SCOPED_CAPABILITY KTL_TSA(scoped_lockable)
#define KTL_GUARDED_BY(x) KTL_TSA(guarded_by(x))
#define KTL_PT_GUARDED_BY(x) KTL_TSA(pt_guarded_by(x))
#define KTL_REQUIRES(...) KTL_TSA(requires_capability(__VA_ARGS__))
#define KTL_EXCLUDES(...) KTL_TSA(locks_excluded(__VA_ARGS__))
#define KTL_ACQUIRE(...) KTL_TSA(acquire_capability(__VA_ARGS__))
#define KTL_TRY_ACQUIRE(...) KTL_TSA(try_acquire_capability(__VA_ARGS__))
#define KTL_RELEASE(...) KTL_TSA(release_capability(__VA_ARGS__))
#define KTL_ASSERT_CAPABILITY(x) KTL_TSA(assert_capability(x))
#define KTL_RETURN_CAPABILITY(x) KTL_TSA(lock_returned(x))
// Every use carries a one-line reason next to it.
#define KTL_NO_THREAD_SAFETY_ANALYSIS KTL_TSA(no_thread_safety_analysis)
