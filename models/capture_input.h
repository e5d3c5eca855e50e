// Byte sources for the capture reader: a memory-mapped regular file, or any
// file descriptor that streams (stdin, a pipe, a socket from the helper).
#pragma once

#include "bytes.h"
#include "mapped_file_guard.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace underhood {

class CaptureInput {
public:
    virtual ~CaptureInput() = default;
    // Makes at least `n` bytes available from the current position, reading or
    // waiting as needed. Returns fewer only when the input has ended.
    virtual Bytes fill(size_t n) = 0;
    virtual void consume(size_t n) = 0;
    virtual uint64_t position() const = 0;
    // Size when known in advance (regular files), for progress.
    virtual std::optional<uint64_t> size() const { return std::nullopt; }
    // True when spans handed out stay valid for the input's lifetime (a
    // mapping); false when the next fill() may move them (a stream buffer).
    virtual bool stable() const { return false; }
    // A read error (not end of input), if one happened.
    virtual const std::string& error() const { return error_; }
    // Asks whether the input now ends earlier than it did (a mapped file that
    // shrank while it was read); true when it does, and the next fill() then
    // stops at the new end. Readers call it before calling bytes malformed:
    // the part of a page past the end of a shrunk file reads as zeros without
    // any fault. Costs a system call.
    virtual bool revalidate() { return false; }
    // True when the input ended early because the file shrank while it was read.
    virtual bool shrank() const { return false; }

protected:
    std::string error_;
};

// A regular file read through a read-only mapping (the fastest way through a
// large capture). A MappedFileGuard watches the mapping: if the file shrinks
// while it is open, accesses past the new end read zeros instead of raising
// SIGBUS. Zeros are what a reader finds there (a block length of 0, an empty
// record header, a trailing length that disagrees), so it asks revalidate()
// before calling them malformed; the input then ends where the file now ends
// (shrank() says so).
class MappedFileInput final : public CaptureInput {
public:
    ~MappedFileInput() override;
    // Returns null with `error` set when the file cannot be opened or mapped.
    static std::unique_ptr<MappedFileInput> open(const std::string& path, std::string& error);
    // Maps the regular file open as `fd`, of `size` bytes, and takes the
    // descriptor. Null when it cannot be mapped or watched; the descriptor is
    // then still the caller's.
    static std::unique_ptr<MappedFileInput> map(int fd, uint64_t size, std::string& error);

    Bytes fill(size_t n) override;
    void consume(size_t n) override;
    uint64_t position() const override { return pos_; }
    std::optional<uint64_t> size() const override { return map_size_; }
    bool stable() const override { return true; }
    bool revalidate() override;
    bool shrank() const override { return size_ < map_size_; }
    // The whole mapping, for random access to packets already read. Check
    // valid_size() after copying bytes from it: past it they read as zeros.
    Bytes mapping() const { return {data_, map_size_}; }
    // Bytes from the start of the file that still hold its data: all of the
    // mapping unless an access found the file shrunk. Safe from any thread.
    // Until some access faults past the new end, the rest of the page that
    // holds it reads as zeros (the kernel fills it) and is not counted out.
    size_t valid_size() const { return guard_.valid_size(); }

private:
    MappedFileInput() = default;
    void shrink_to(size_t size);
    const uint8_t* data_ = nullptr;
    size_t map_size_ = 0; // as mapped
    size_t size_ = 0;     // where reading ends: map_size_, less once the file shrank
    int fd_ = -1;         // kept open for the guard's fstat()
    MappedFileGuard guard_;
    size_t pos_ = 0;
    size_t advised_ = 0;
    size_t prefetched_ = 0;
};

class StreamInput final : public CaptureInput {
public:
    // Does not take ownership of `fd` unless `owned`.
    explicit StreamInput(int fd, bool owned = false);
    ~StreamInput() override;

    Bytes fill(size_t n) override;
    void consume(size_t n) override;
    uint64_t position() const override { return pos_; }

private:
    int fd_;
    bool owned_;
    bool eof_ = false;
    std::vector<uint8_t> buf_;
    size_t begin_ = 0; // first unconsumed byte in buf_
    size_t end_ = 0;   // one past the last valid byte in buf_
    uint64_t pos_ = 0;
};

// How a regular file is to be read. Mapped keeps every packet's bytes at
// hand for as long as the input lives (the app shows any packet again).
// Sequential reads it with read() into one reused buffer, for a single pass:
// on a virtual machine measured three times faster than a mapping, whose
// page-table work and first touch of every page cost more than the copy
// (tests/bench/run_bench.sh).
enum class FileAccess { Mapped, Sequential };

// "-" is standard input; a regular file is mapped or read as `access` says;
// anything else (a FIFO, a character device, /dev/fd/N) is read as a stream.
std::unique_ptr<CaptureInput> open_capture_input(const std::string& path, std::string& error,
                                                 FileAccess access = FileAccess::Mapped);

} // namespace underhood
