// Moves a TrafficWindow over a capture the IngestEngine is reading or has
// read: the window ending at any time T holds the packets with timestamps in
// (T - span, T] for each of its spans. Moving T re-decodes only the packets
// that enter or leave a span (from the packet index and packet_bytes), so the
// timeline can go anywhere, forwards or back, and step one packet at a time.
//
// Packets are taken in capture order: a window is always a contiguous run of
// packet numbers (a capture with timestamps out of order gives a window that
// is off by those packets, never inconsistent sums).
#pragma once

#include "ingest_engine.h"
#include "traffic_window.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

namespace underhood {

class WindowCursor {
public:
    WindowCursor(const IngestEngine& engine, TrafficWindow& window);

    // Changes the spans; the window is rebuilt at the current time.
    void set_spans(const WindowSpans& spans);
    const WindowSpans& spans() const { return spans_; }

    // Ends the window at capture time `t_ns` (every packet with ts <= t_ns).
    void seek(int64_t t_ns);
    // Ends the window at the newest packet read so far.
    void seek_end();
    // Moves the end of the window by one packet (+1 forwards, -1 back);
    // false at either end.
    bool step(int direction);
    // Ends the window just before packet `end` (so packet end - 1 is the last
    // in it), at that packet's time; clamped to the packets the engine lists.
    // False when it lists none.
    bool seek_packet(uint64_t end);
    // Empties the window and forgets the position (a new capture).
    void reset();
    // Rebuilds the window where it is when the engine's display filter view
    // changed since the last move (nothing to do otherwise).
    void refresh();
    // While *flag is true a move stops early and leaves the cursor reset (the
    // window empty, no position): for work another thread gives up on.
    void set_cancel(const std::atomic<bool>* flag) { cancel_ = flag; }

    // The end of the window (capture time, ns) and the last packet in it (0: none).
    int64_t time() const { return time_; }
    uint64_t last_number() const { return hi_ > first_ ? hi_ - 1 : 0; }
    // One past the last packet in the window (the `end` of seek_packet).
    uint64_t end_number() const { return hi_; }
    bool positioned() const { return positioned_; }
    // First and last timestamps of the packets the engine still lists.
    bool capture_bounds(int64_t& first_ns, int64_t& last_ns) const;
    // Packets decoded by the last move (tests check moves stay incremental).
    uint64_t decoded_last_move() const { return decoded_; }

private:
    struct Target {
        uint64_t first = 1, hi = 1; // the engine's first listed packet; one past the window's last
        int64_t t = 0;
        std::array<uint64_t, 3> lo{};
        std::shared_ptr<const DisplayMask> mask; // the engine's display filter view, if any
    };
    void move_to(const Target& g);
    Target at_packet(const IngestEngine::State& st, uint64_t hi) const;
    bool cancelled() const { return cancel_ && cancel_->load(std::memory_order_relaxed); }
    std::array<uint64_t, 3> lows_for(const IngestEngine::State& st, int64_t t, uint64_t hi) const;
    bool apply_range(uint64_t from, uint64_t to, const std::array<uint64_t, 3>& old_lo, uint64_t old_hi,
                     const std::array<uint64_t, 3>& new_lo, uint64_t new_hi);

    const IngestEngine& engine_;
    TrafficWindow& window_;
    WindowSpans spans_;
    // Packet numbers: spans hold [lo_[s], hi_) for s = main, rate, recent.
    uint64_t first_ = 1; // first packet number the engine listed at the last move
    uint64_t hi_ = 1;
    std::array<uint64_t, 3> lo_{1, 1, 1};
    int64_t time_ = 0;
    bool positioned_ = false;
    // Limited to a display filter: only its packets enter the window. Another
    // mask (a new filter, or more packets judged) rebuilds the window, so a
    // packet never leaves it under another verdict than it entered.
    std::shared_ptr<const DisplayMask> mask_;
    uint64_t decoded_ = 0;
    const std::atomic<bool>* cancel_ = nullptr;
    std::vector<uint8_t> scratch_;
};

} // namespace underhood
