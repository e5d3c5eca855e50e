// A capture input over bytes in memory, so the fuzz targets need no files.
#pragma once

#include "capture_input.h"

#include <algorithm>

namespace underhood {

class MemoryInput final : public CaptureInput {
public:
    MemoryInput(const uint8_t* d, size_t n) : d_(d), n_(n) {}
    Bytes fill(size_t n) override { return {d_ + pos_, std::min(n, n_ - pos_)}; }
    void consume(size_t n) override { pos_ = std::min(n_, pos_ + n); }
    uint64_t position() const override { return pos_; }
    bool stable() const override { return true; }

private:
    const uint8_t* d_;
    size_t n_;
    size_t pos_ = 0;
};

} // namespace underhood
