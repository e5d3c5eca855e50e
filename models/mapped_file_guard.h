// Keeps a memory-mapped capture file from killing the process when the file
// shrinks under it (a capture being rotated, a copy still in progress).
//
// Touching a page of a file mapping that now lies past the end of the file
// raises SIGBUS. One process-wide handler (installed with the first watched
// mapping) looks the faulting address up among the watched mappings; when it
// is in one, it maps anonymous zero pages over the rest of that mapping (every
// later page lies past the new end as well), notes how much of the mapping
// still holds the file's data, and returns: the access that faulted reads
// zeros and the program goes on. Readers check shrank() cheaply (one relaxed
// load) and stop at valid_size() with the warning a truncated file gets. A
// SIGBUS anywhere else goes to the handler that was installed before (or
// takes the default action), so real faults still crash with a core.
//
// The handler takes no locks: watched mappings live in a fixed table of
// atomics. Watching more mappings than the table holds fails, and the caller
// reads that file another way.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace underhood {

class MappedFileGuard {
public:
    MappedFileGuard() = default;
    ~MappedFileGuard() { unwatch(); }
    MappedFileGuard(const MappedFileGuard&) = delete;
    MappedFileGuard& operator=(const MappedFileGuard&) = delete;

    // Watches the mapping [base, base + size) of the file open as `fd`; the
    // descriptor must stay open while watched (the handler fstat()s it). False
    // when the table is full.
    bool watch(const void* base, size_t size, int fd);
    // Stops watching; call before unmapping.
    void unwatch();
    bool watching() const { return slot_ >= 0; }

    // True once an access in the mapping faulted because the file shrank.
    // Inline: readers ask for every record.
    bool shrank() const { return flag_ && flag_->load(std::memory_order_relaxed); }
    // Bytes from the start of the mapping that still hold the file's data:
    // the whole mapping until an access faults, then the file's size at the
    // fault or the offset of the faulting page, whichever is less. Safe from
    // any thread.
    size_t valid_size() const;

    // Watched mappings the table can hold at once.
    static constexpr size_t kCapacity = 256;

private:
    int slot_ = -1;
    size_t size_ = 0;
    const std::atomic<bool>* flag_ = nullptr; // the slot's flag while watching
};

} // namespace underhood
