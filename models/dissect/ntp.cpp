// NTP (RFC 5905) on UDP 123: the header's flags, stratum, intervals,
// reference and the four time stamps; control and private messages (modes
// 6 and 7) only by their mode.
#include "dissect/app_tree.h"
#include "dissect/labels.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace underhood::dissect {
namespace {

// Wireshark's signed and floating-point NTP fields (precision, poll, root
// delay, time stamps) print differently from anything a field here can
// hold: those rows are labels only.
enum { kNtp, kFlags, kLi, kVn, kMode, kStratum, kCount };
constexpr FieldInfo kFields[] = {
    {"ntp", "Network Time Protocol", FieldType::Protocol},
    {"ntp.flags", "Flags", FieldType::Uint, Base::Hex, 2},
    {"ntp.flags.li", "Leap Indicator", FieldType::Uint},
    {"ntp.flags.vn", "Version number", FieldType::Uint},
    {"ntp.flags.mode", "Mode", FieldType::Uint},
    {"ntp.stratum", "Peer Clock Stratum", FieldType::Uint},
};
FieldId f0 = 0;

constexpr const char* kModes[] = {"reserved",
                                  "symmetric active",
                                  "symmetric passive",
                                  "client",
                                  "server",
                                  "broadcast",
                                  "reserved for NTP control message",
                                  "reserved for private use"};
constexpr const char* kLeap[] = {"no warning", "last minute of the day has 61 seconds",
                                 "last minute of the day has 59 seconds", "unknown (clock unsynchronized)"};

// NTP time stamps (RFC 5905 6): seconds since 1900 and a 32-bit fraction.
std::string ntp_time_text(uint32_t seconds, uint32_t fraction)
{
    if (seconds == 0 && fraction == 0)
        return "(0)NULL";
    // Era 1 starts in 2036; a small value is later rather than before 1968.
    int64_t unix_seconds = int64_t(seconds) - 2208988800LL;
    if (!(seconds & 0x80000000u))
        unix_seconds += int64_t(1) << 32;
    const time_t t = time_t(unix_seconds);
    struct tm tm {};
    if (!gmtime_r(&t, &tm))
        return strf("0x%08x.%08x", seconds, fraction);
    char date[64];
    std::strftime(date, sizeof date, "%b %e, %Y %H:%M:%S", &tm);
    const uint32_t ns = uint32_t((uint64_t(fraction) * 1000000000u) >> 32);
    return strf("%s.%09u UTC", date, ns);
}

void ntp(Tvb t, Packet& p)
{
    if ((!p.want_tree() && !p.want_columns()) || p.quoted() || t.empty())
        return;
    const size_t o = t.begin();
    const size_t layer = p.layer(f0 + kNtp, t.sub(0, std::min<size_t>(48, t.length())), "Network Time Protocol");
    const uint8_t b0 = t.u8(0);
    const unsigned li = b0 >> 6, version = (b0 >> 3) & 7, mode = b0 & 7;
    if (Columns* c = p.col()) {
        c->protocol = "NTP";
        c->info = strf("NTP Version %u, %s", version, kModes[mode]);
    }
    if (!p.want_tree())
        return;
    p.relabel(layer, strf("Network Time Protocol (NTP Version %u, %s)", version, kModes[mode]));
    p.add_uint(f0 + kFlags, o, 1, b0,
               strf("Flags: 0x%02x, Leap Indicator: %s, Version number: NTP Version %u, Mode: %s", b0, kLeap[li],
                    version, kModes[mode]));
    {
        Packet::Subtree sub(p);
        p.add_bits(f0 + kLi, o, 1, li, bit_label(b0, 8, 0xC0, strf("Leap Indicator: %s (%u)", kLeap[li], li)));
        p.add_bits(f0 + kVn, o, 1, version,
                   bit_label(b0, 8, 0x38, strf("Version number: NTP Version %u (%u)", version, version)));
        p.add_bits(f0 + kMode, o, 1, mode, bit_label(b0, 8, 0x07, strf("Mode: %s (%u)", kModes[mode], mode)));
    }
    if (mode == 6 || mode == 7) {
        p.cover(layer, o, t.end());
        if (t.length() > 1)
            p.add_note(o + 1, t.length() - 1, strf("Control message (%zu bytes)", t.length() - 1));
        return;
    }
    if (!app_fits(p, t, 0, 48, "NTP packet", false))
        return;
    const uint8_t stratum = t.u8(1);
    p.add_uint(f0 + kStratum, o + 1, 1, stratum,
               stratum == 0   ? std::string("Peer Clock Stratum: unspecified or invalid (0)")
               : stratum == 1 ? std::string("Peer Clock Stratum: primary reference (1)")
               : stratum < 16 ? strf("Peer Clock Stratum: secondary reference (%u)", stratum)
                              : strf("Peer Clock Stratum: unsynchronized (%u)", stratum));
    const int poll = int8_t(t.u8(2)), precision = int8_t(t.u8(3));
    p.add_note(o + 2, 1, strf("Peer Polling Interval: %d (%g seconds)", poll, std::ldexp(1.0, poll)));
    p.add_note(o + 3, 1, strf("Peer Clock Precision: %.9f seconds", std::ldexp(1.0, precision)));
    p.add_note(o + 4, 4, strf("Root Delay: %.6f seconds", t.be32(4) / 65536.0));
    p.add_note(o + 8, 4, strf("Root Dispersion: %.6f seconds", t.be32(8) / 65536.0));
    const uint8_t* ref = t.bytes(12, 4);
    if (stratum <= 1)
        p.add_note(o + 12, 4, "Reference ID: " + printable_text(ref, size_t(std::find(ref, ref + 4, 0) - ref)));
    else
        p.add_note(o + 12, 4, "Reference ID: " + IpAddress::v4(ref).to_string());
    static constexpr const char* kStamps[] = {"Reference Timestamp", "Origin Timestamp", "Receive Timestamp",
                                              "Transmit Timestamp"};
    for (size_t i = 0; i < 4; ++i)
        p.add_note(o + 16 + 8 * i, 8,
                   strf("%s: %s", kStamps[i], ntp_time_text(t.be32(16 + 8 * i), t.be32(20 + 8 * i)).c_str()));
    if (t.length() > 48) {
        p.cover(layer, o, t.end());
        p.add_note(o + 48, t.length() - 48, strf("Extension fields / MAC (%zu bytes)", t.length() - 48));
    }
}

} // namespace

void register_ntp()
{
    f0 = register_fields(kFields, kCount);
    add_udp_port(123, ntp);
}

} // namespace underhood::dissect
