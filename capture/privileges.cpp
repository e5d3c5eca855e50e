#include "privileges.h"

#include <sched.h>
#include <seccomp.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <cerrno>
#include <cstring>

namespace underhood::capture {

bool has_capture_capability()
{
    cap_t caps = cap_get_proc();
    if (!caps)
        return false;
    cap_flag_value_t raw = CAP_CLEAR;
    cap_get_flag(caps, CAP_NET_RAW, CAP_EFFECTIVE, &raw);
    cap_free(caps);
    return raw == CAP_SET;
}

std::string privilege_advice(const std::string& program_path)
{
    return "capturing needs the CAP_NET_RAW and CAP_NET_ADMIN capabilities, and this process has neither. "
           "Fix it once with: sudo setcap cap_net_raw,cap_net_admin=eip " +
           program_path +
           " (installed packages do this and allow members of the 'underhood' group: "
           "sudo usermod -aG underhood $USER, then log in again), or run it via sudo or pkexec.";
}

bool drop_privileges(std::string& error)
{
    cap_t none = cap_init(); // all sets empty
    if (!none || cap_set_proc(none) != 0) {
        error = std::string("cannot drop capabilities: ") + std::strerror(errno);
        if (none)
            cap_free(none);
        return false;
    }
    cap_free(none);
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        error = std::string("cannot set no-new-privs: ") + std::strerror(errno);
        return false;
    }
    return true;
}

bool restrict_system_calls(std::string& error)
{
#if defined(__SANITIZE_ADDRESS__)
    // Sanitizer runtimes make calls of their own (reports, symbolisation,
    // LeakSanitizer's ptrace at exit): in sanitizer builds the same filter
    // only logs what it would refuse, so it is still in place in every thread.
    const uint32_t deny = SCMP_ACT_LOG;
#else
    const uint32_t deny = SCMP_ACT_KILL_PROCESS;
#endif
    scmp_filter_ctx ctx = seccomp_init(deny);
    if (!ctx) {
        error = "cannot create a seccomp filter";
        return false;
    }
    // What the capture loop, the writer thread, the allocator and an orderly
    // exit use; nothing that opens sockets, executes or changes identity.
    static const char* const kAllowed[] = {
        "read", "write", "writev", "pread64", "pwrite64", "readv", "lseek",
        "poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait",
        "recvfrom", "recvmsg", "getsockopt", "setsockopt", "getsockname",
        "accept4", // --listen: the one pcap-over-IP reader, on the socket opened before the filter
        "openat", "open", "close", "fstat", "newfstatat", "statx", "fcntl", "ftruncate", "fsync", "fdatasync",
        "getdents64", // the NIC-health record counts an interface's queues in sysfs
        "unlink", "unlinkat", "rename", "renameat", "renameat2",
        "mmap", "munmap", "mremap", "brk", "madvise", "mprotect",
        "futex", "sched_yield", "nanosleep", "clock_nanosleep", "clock_gettime", "gettimeofday",
        "rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "sigaltstack", "restart_syscall",
        "getpid", "gettid", "tgkill", "kill", "exit", "exit_group", "set_robust_list", "rseq", "getrandom",
        "ioctl",
    };
    for (const char* name : kAllowed) {
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
            continue; // not on this architecture
        if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) != 0) {
            error = std::string("cannot allow system call ") + name;
            seccomp_release(ctx);
            return false;
        }
    }
    // Threads, not processes: a clone without CLONE_THREAD would be a fork.
    // clone3 passes its flags in memory a filter cannot read; refused as
    // unknown, it makes the C library fall back to clone.
#if defined(__s390x__)
    const scmp_arg_cmp clone_flags = SCMP_A1(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
#else
    const scmp_arg_cmp clone_flags = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD);
#endif
    if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, clone_flags) != 0 ||
        seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) != 0) {
        error = "cannot allow threads in the seccomp filter";
        seccomp_release(ctx);
        return false;
    }
    // Any thread a library may have started gets the filter too.
    if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) != 0) {
        error = "cannot apply the seccomp filter to every thread";
        seccomp_release(ctx);
        return false;
    }
    int rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc != 0) {
        error = std::string("cannot load the seccomp filter: ") + std::strerror(-rc);
        return false;
    }
    return true;
}

} // namespace underhood::capture
