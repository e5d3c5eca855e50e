// Arithmetic on capture time stamps that cannot overflow.
//
// A time stamp is any int64 nanosecond count the reader produced: pcapng's
// 64-bit stamps, odd if_tsresol values and if_tsoffset reach every value
// between -INT64_MAX and INT64_MAX (the reader clamps what lies beyond). The
// difference of two such stamps needs 65 bits, and "t minus a window" or
// "t plus a bin" fails near either end, so every model that bins, subtracts
// or offsets times goes through these helpers (or 128-bit intermediates).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace underhood {

__extension__ typedef __int128 TimeWide; // holds any sum or difference of two int64 values

constexpr int64_t kTimeMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kTimeMax = std::numeric_limits<int64_t>::max();

constexpr int64_t clamp_time(TimeWide v)
{
    return v < kTimeMin ? kTimeMin : v > kTimeMax ? kTimeMax : int64_t(v);
}

// a + b and a - b, saturated at the ends of the int64 range.
constexpr int64_t time_add(int64_t a, int64_t b) { return clamp_time(TimeWide(a) + b); }
constexpr int64_t time_sub(int64_t a, int64_t b) { return clamp_time(TimeWide(a) - b); }

// (later - earlier) in seconds. A double holds any such difference (to 53
// bits), so this never overflows, unlike the int64 difference.
constexpr double seconds_between(int64_t earlier, int64_t later)
{
    return double(TimeWide(later) - TimeWide(earlier)) / 1e9;
}

// Nanoseconds held in a double (a playback clock), rounded and saturated;
// NaN is 0. double(INT64_MAX) is 2^63, which int64 cannot hold: converting it
// without this check is undefined.
inline int64_t time_from_double(double ns)
{
    if (std::isnan(ns))
        return 0;
    if (ns >= 0x1p63)
        return kTimeMax;
    if (ns < -0x1p63)
        return kTimeMin;
    return int64_t(std::nearbyint(ns));
}

// Seconds (from a command line or a slider) as nanoseconds, saturated.
inline int64_t ns_from_seconds(double s) { return time_from_double(s * 1e9); }

// Division rounding towards minus and plus infinity, for bin indices of times
// on either side of an origin. `b` must be positive.
constexpr TimeWide floor_div(TimeWide a, TimeWide b)
{
    const TimeWide q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}
constexpr TimeWide ceil_div(TimeWide a, TimeWide b) { return -floor_div(-a, b); }

} // namespace underhood
