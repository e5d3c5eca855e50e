#include "mapped_file_guard.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <mutex>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace underhood {

namespace {

// One watched mapping. The handler reads a slot only while its state says
// watched; watch() fills the other fields before publishing that state.
struct Slot {
    std::atomic<int> state{0}; // kFree, kBusy (being filled in), kWatched
    std::atomic<uintptr_t> begin{0}, end{0};
    std::atomic<int> fd{-1};
    std::atomic<uint64_t> valid{0}; // see MappedFileGuard::valid_size()
    std::atomic<bool> shrank{false};
};
constexpr int kFree = 0, kBusy = 1, kWatched = 2;

// A signal handler may only use atomics that never take a lock.
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<uintptr_t>::is_always_lock_free &&
              std::atomic<uint64_t>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);

Slot g_slots[MappedFileGuard::kCapacity];
struct sigaction g_previous; // the SIGBUS disposition before ours, read by the handler
uintptr_t g_page_mask = ~uintptr_t(4095);
std::once_flag g_installed;

void lower_to(std::atomic<uint64_t>& v, uint64_t x)
{
    uint64_t cur = v.load(std::memory_order_relaxed);
    while (x < cur && !v.compare_exchange_weak(cur, x, std::memory_order_relaxed)) {
    }
}

// A SIGBUS that is not a watched file shrinking: what would have happened
// without us.
void restore_default()
{
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(SIGBUS, &dfl, nullptr);
}

void pass_on(int sig, siginfo_t* info, void* context)
{
    // What the kernel would have done before calling that handler itself: a
    // handler installed with SA_RESETHAND (a test framework's crash handler,
    // say) counts on the default action being back when it returns, or the
    // fault repeats for ever.
    if (g_previous.sa_flags & SA_RESETHAND)
        restore_default();
    if (g_previous.sa_flags & SA_SIGINFO) {
        if (g_previous.sa_sigaction) {
            g_previous.sa_sigaction(sig, info, context);
            return;
        }
    } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
        g_previous.sa_handler(sig);
        return;
    }
    // The default action (an ignored SIGBUS from a fault would only fault
    // again). Restored here, it takes effect when the faulting instruction
    // runs again after this handler returns; a SIGBUS someone sent (si_code
    // <= 0: kill, sigqueue, tgkill) is raised again, pending until then.
    restore_default();
    if (info->si_code <= 0)
        raise(sig);
}

void on_sigbus(int sig, siginfo_t* info, void* context)
{
    const int saved_errno = errno;
    // BUS_ADRERR: an access to a page with no data behind it, which for a
    // file mapping is a page past the end of the file (or one that could not
    // be read). Other codes (alignment, memory errors) are never ours.
    if (info->si_code == BUS_ADRERR) {
        const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
        for (Slot& s : g_slots) {
            if (s.state.load(std::memory_order_acquire) != kWatched)
                continue;
            const uintptr_t begin = s.begin.load(std::memory_order_relaxed);
            const uintptr_t end = s.end.load(std::memory_order_relaxed);
            if (addr < begin || addr >= end)
                continue;
            // Zeros from the faulting page to the end of the mapping: a file
            // shrinks from its end, so every later page is gone as well, and
            // one call spares them a fault each. The access then reads zeros.
            const uintptr_t page = addr & g_page_mask;
            if (mmap(reinterpret_cast<void*>(page), end - page, PROT_READ, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1,
                     0) == MAP_FAILED)
                break; // cannot mend it: crash as without the guard
            uint64_t valid = page - begin;
            struct stat st {};
            if (fstat(s.fd.load(std::memory_order_relaxed), &st) == 0 && st.st_size >= 0 &&
                uint64_t(st.st_size) < valid)
                valid = uint64_t(st.st_size);
            lower_to(s.valid, valid);
            s.shrank.store(true, std::memory_order_release); // after `valid`: readers check this first
            errno = saved_errno;
            return;
        }
    }
    pass_on(sig, info, context);
    errno = saved_errno;
}

void install()
{
    g_page_mask = ~(uintptr_t(sysconf(_SC_PAGESIZE)) - 1);
    // Save the old disposition before ours can run and read it.
    sigaction(SIGBUS, nullptr, &g_previous);
    struct sigaction sa {};
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_RESTART | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, nullptr);
}

} // namespace

bool MappedFileGuard::watch(const void* base, size_t size, int fd)
{
    unwatch();
    if (!base || size == 0 || fd < 0)
        return false;
    std::call_once(g_installed, install);
    for (size_t i = 0; i < kCapacity; ++i) {
        Slot& s = g_slots[i];
        int expected = kFree;
        if (!s.state.compare_exchange_strong(expected, kBusy, std::memory_order_acq_rel))
            continue;
        s.begin.store(reinterpret_cast<uintptr_t>(base), std::memory_order_relaxed);
        s.end.store(reinterpret_cast<uintptr_t>(base) + size, std::memory_order_relaxed);
        s.fd.store(fd, std::memory_order_relaxed);
        s.valid.store(size, std::memory_order_relaxed);
        s.shrank.store(false, std::memory_order_relaxed);
        s.state.store(kWatched, std::memory_order_release);
        slot_ = int(i);
        size_ = size;
        flag_ = &s.shrank;
        return true;
    }
    return false;
}

void MappedFileGuard::unwatch()
{
    if (slot_ < 0)
        return;
    g_slots[slot_].state.store(kFree, std::memory_order_release);
    slot_ = -1;
    flag_ = nullptr;
}

size_t MappedFileGuard::valid_size() const
{
    if (slot_ < 0 || !g_slots[slot_].shrank.load(std::memory_order_acquire))
        return size_;
    return size_t(std::min<uint64_t>(size_, g_slots[slot_].valid.load(std::memory_order_relaxed)));
}

} // namespace underhood
