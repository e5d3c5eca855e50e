#include "capture_input.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace underhood {

namespace {
constexpr size_t kReadAheadStep = 4u << 20; // ask the kernel to read ahead this far
constexpr size_t kStreamChunk = 1u << 20;
// Touch the data this far ahead of the read position (see consume()).
constexpr size_t kPrefetchAhead = 16384;
} // namespace

MappedFileInput::~MappedFileInput()
{
    guard_.unwatch(); // before the mapping goes: its addresses may be reused
    if (data_ && map_size_)
        munmap(const_cast<uint8_t*>(data_), map_size_);
    if (fd_ >= 0)
        ::close(fd_);
}

std::unique_ptr<MappedFileInput> MappedFileInput::open(const std::string& path, std::string& error)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = std::strerror(errno);
        return nullptr;
    }
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        error = std::strerror(errno);
        ::close(fd);
        return nullptr;
    }
    auto in = map(fd, uint64_t(st.st_size), error);
    if (!in)
        ::close(fd);
    return in;
}

std::unique_ptr<MappedFileInput> MappedFileInput::map(int fd, uint64_t size, std::string& error)
{
    if (size > SIZE_MAX) {
        error = "file too large to map";
        return nullptr;
    }
    std::unique_ptr<MappedFileInput> in(new MappedFileInput);
    if (size > 0) {
        void* p = mmap(nullptr, size_t(size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            error = std::strerror(errno);
            return nullptr;
        }
        if (!in->guard_.watch(p, size_t(size), fd)) {
            // Unwatched, a file shrinking under the reader would kill the process.
            munmap(p, size_t(size));
            error = "too many files mapped at once";
            return nullptr;
        }
        madvise(p, size_t(size), MADV_SEQUENTIAL);
        in->data_ = static_cast<const uint8_t*>(p);
    }
    in->map_size_ = in->size_ = size_t(size);
    in->fd_ = fd;
    return in;
}

Bytes MappedFileInput::fill(size_t n)
{
    // Nothing checked here, on the hot path: bytes past the end of a file
    // that shrank read as zeros (the guard's pages, or the tail of the last
    // page), and the reader asks revalidate() before it takes zeros for data.
    const size_t avail = pos_ < size_ ? size_ - pos_ : 0;
    return {data_ + pos_, std::min(n, avail)};
}

bool MappedFileInput::revalidate()
{
    size_t now = guard_.valid_size();
    struct stat st {};
    if (fd_ >= 0 && fstat(fd_, &st) == 0 && st.st_size >= 0)
        now = std::min<uint64_t>(now, uint64_t(st.st_size));
    if (now >= size_)
        return false;
    shrink_to(now);
    return true;
}

void MappedFileInput::shrink_to(size_t size)
{
    size_ = std::min(size_, size);
    // Keep the read position inside what is left.
    pos_ = std::min(pos_, size_);
}

void MappedFileInput::consume(size_t n)
{
    pos_ = std::min(size_, pos_ + n);
    // Readers touch a record's first and last cache lines and skip the rest,
    // a pattern the hardware prefetcher does not follow: without help every
    // record waited for memory. Request every line a little ahead instead.
    const size_t want = std::min(size_, pos_ + kPrefetchAhead);
    if (prefetched_ < pos_)
        prefetched_ = pos_;
    for (; prefetched_ < want; prefetched_ += 64)
        __builtin_prefetch(data_ + prefetched_);
    static const size_t page = size_t(sysconf(_SC_PAGESIZE));
    if (pos_ >= advised_ && advised_ < size_) {
        // MADV_SEQUENTIAL alone reads ahead modestly; a larger explicit window
        // keeps the page faults off the hot path. Populating the page tables
        // of the window in one call (Linux 5.14) saves a fault per 16 pages;
        // older kernels refuse it and fault as before.
        size_t from = advised_ & ~(page - 1);
        size_t len = std::min(size_ - from, kReadAheadStep * 2);
        madvise(const_cast<uint8_t*>(data_) + from, len, MADV_WILLNEED);
#ifdef MADV_POPULATE_READ
        madvise(const_cast<uint8_t*>(data_) + from, len, MADV_POPULATE_READ);
#endif
        advised_ = from + kReadAheadStep;
    }
}

StreamInput::StreamInput(int fd, bool owned) : fd_(fd), owned_(owned) {}

StreamInput::~StreamInput()
{
    if (owned_)
        ::close(fd_);
}

Bytes StreamInput::fill(size_t n)
{
    while (end_ - begin_ < n && !eof_) {
        if (buf_.size() - begin_ < n || end_ == buf_.size()) {
            // Move the unconsumed bytes to the front, and grow to hold the
            // request plus a chunk.
            if (begin_ > 0) {
                std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
                end_ -= begin_;
                begin_ = 0;
            }
            if (buf_.size() < n + kStreamChunk)
                buf_.resize(n + kStreamChunk);
        }
        ssize_t got = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
        if (got > 0) {
            end_ += size_t(got);
        } else if (got == 0) {
            eof_ = true;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            // A non-blocking descriptor (a socket the GUI set up, say): wait
            // for data instead of calling it an error.
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, -1) < 0 && errno != EINTR) {
                error_ = std::strerror(errno);
                eof_ = true;
            }
        } else if (errno != EINTR) {
            error_ = std::strerror(errno);
            eof_ = true;
        }
    }
    return {buf_.data() + begin_, std::min(n, end_ - begin_)};
}

void StreamInput::consume(size_t n)
{
    n = std::min(n, end_ - begin_);
    begin_ += n;
    pos_ += n;
    if (begin_ == end_)
        begin_ = end_ = 0;
}

std::unique_ptr<CaptureInput> open_capture_input(const std::string& path, std::string& error, FileAccess access)
{
    if (path == "-")
        return std::make_unique<StreamInput>(STDIN_FILENO);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        error = std::strerror(errno);
        return nullptr;
    }
    if (S_ISDIR(st.st_mode)) {
        error = "is a directory";
        return nullptr;
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = std::strerror(errno);
        return nullptr;
    }
    if (access == FileAccess::Mapped && S_ISREG(st.st_mode) && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        std::string why;
        if (auto mapped = MappedFileInput::map(fd, uint64_t(st.st_size), why))
            return mapped;
        // Not mappable (no address space left, too many mappings watched):
        // read it as a stream instead, which is slower but works.
    }
    return std::make_unique<StreamInput>(fd, true);
}

} // namespace underhood
