#!/usr/bin/env python3
"""Writes the crafted regression captures of this folder.

Each file is a small, valid pcapng whose time stamps sit where 64-bit time
arithmetic breaks: next to 2^63 ns, jumping across two centuries, at odd
if_tsresol values, shifted by a huge if_tsoffset, or negative. The packets
themselves are ordinary Ethernet/IPv4/UDP between a few hosts, so every model
(throughput series, hosts and conversations, the graph window) has work to do.

The last two files are capture-helper streams: an SHB whose shb_userappl
starts with "underhood-capture", with and without the final Interface
Statistics Block that carries the comment "final statistics".

    python3 tests/corpus/crafted/make_crafted.py   # rewrites the files beside it

The files are kept in the repository; run this again only to change them.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

INT64_MAX = (1 << 63) - 1
U64_MAX = (1 << 64) - 1


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def option(code, value):
    return struct.pack("<HH", code, len(value)) + pad4(value)


def options(opts):
    if not opts:
        return b""
    return b"".join(option(c, v) for c, v in opts) + struct.pack("<HH", 0, 0)


def block(btype, body):
    body = pad4(body)
    length = 12 + len(body)
    return struct.pack("<II", btype, length) + body + struct.pack("<I", length)


def shb(userappl=None):
    opts = [(4, userappl.encode())] if userappl else []
    body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + options(opts)
    return block(0x0A0D0D0A, body)


def idb(name, tsresol=None, tsoffset=None, link_type=1, snaplen=262144):
    opts = [(2, name.encode())]
    if tsresol is not None:
        opts.append((9, bytes([tsresol])))
    if tsoffset is not None:
        opts.append((14, struct.pack("<q", tsoffset)))
    return block(1, struct.pack("<HHI", link_type, 0, snaplen) + options(opts))


def ts_words(ts):
    ts &= U64_MAX
    return struct.pack("<II", ts >> 32, ts & 0xFFFFFFFF)


def epb(itf, ts, data):
    body = struct.pack("<I", itf) + ts_words(ts) + struct.pack("<II", len(data), len(data)) + pad4(data)
    return block(6, body)


def isb(itf, ts, recv, drop, final=False):
    opts = []
    if final:
        opts.append((1, b"final statistics"))
    opts += [(4, struct.pack("<Q", recv)), (5, struct.pack("<Q", 0)), (6, struct.pack("<Q", recv)),
             (7, struct.pack("<Q", drop)), (8, struct.pack("<Q", recv))]
    return block(5, struct.pack("<I", itf) + ts_words(ts) + options(opts))


def checksum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, payload_len=32):
    """Ethernet + IPv4 + UDP from 10.0.0.src to 10.0.0.dst (or 198.51.100.x above 200)."""
    def ip(n):
        return bytes([198, 51, 100, n - 200]) if n > 200 else bytes([10, 0, 0, n])
    payload = bytes((i * 7) & 0xFF for i in range(payload_len))
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, ip(src), ip(dst))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    eth = bytes([2, 0, 0, 0, 0, dst & 0xFF]) + bytes([2, 0, 0, 0, 0, src & 0xFF]) + b"\x08\x00"
    return eth + hdr + udp


# A few conversations, cycled over the packets of each file.
FLOWS = [(1, 2, 40000, 53), (2, 1, 53, 40000), (1, 201, 40001, 443), (3, 202, 40002, 123), (201, 1, 443, 40001)]


def packets(itf, stamps):
    return b"".join(epb(itf, ts, frame(*FLOWS[i % len(FLOWS)])) for i, ts in enumerate(stamps))


def capture(interfaces, body, userappl=None):
    return shb(userappl) + b"".join(interfaces) + body


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


T0 = 1_700_000_000_000_000_000  # 2023-11-14, in ns

FILES = {
    # Nanosecond stamps a few steps below 2^63 and the largest raw values,
    # which the reader clamps to INT64_MAX.
    "ts-near-2pow63.pcapng": capture(
        [idb("eth0", tsresol=9)],
        packets(0, [INT64_MAX - 3_000_000_000, INT64_MAX - 1_000_000, INT64_MAX - 1, INT64_MAX, 1 << 63, U64_MAX])
        + isb(0, INT64_MAX - 5, 6, 0) + isb(0, U64_MAX, 6, 0)),
    # An ordinary minute, then a jump to 9.2e18 ns (year 2262), and back.
    "ts-jump-1.7e18-9.2e18.pcapng": capture(
        [idb("eth0", tsresol=9)],
        packets(0, [T0 + i * 250_000_000 for i in range(8)] + [9_200_000_000_000_000_000, 9_200_000_000_000_000_001]
                + [T0 + 3_000_000_000 + i for i in range(4)])
        + isb(0, T0, 4, 0) + isb(0, 9_200_000_000_000_000_000, 10, 1) + isb(0, T0 + 4_000_000_000, 14, 1)),
    # if_tsresol 2^-30 s: realistic stamps, then the largest raw value (2^34 s, past INT64_MAX ns).
    "tsresol-2pow-30.pcapng": capture(
        [idb("eth0", tsresol=0x80 | 30)],
        packets(0, [1_700_000_000 * (1 << 30) + i * (1 << 20) for i in range(6)] + [U64_MAX, U64_MAX - 1]
                + [1_700_000_000 * (1 << 30)])
        + isb(0, U64_MAX, 9, 0)),
    # if_tsresol 10^0: whole seconds; 2^40 s and beyond overflow nanoseconds.
    "tsresol-10pow-0.pcapng": capture(
        [idb("eth0", tsresol=0)],
        packets(0, [1_700_000_000 + i for i in range(5)] + [1 << 40, 1 << 62, U64_MAX, 1_700_000_005])
        + isb(0, 1 << 40, 9, 0)),
    # if_tsoffset -2^62 s: every stamp far below INT64_MIN ns, clamped.
    "tsoffset-minus-2pow62.pcapng": capture(
        [idb("eth0", tsresol=9, tsoffset=-(1 << 62))],
        packets(0, [T0 + i * 1_000_000 for i in range(10)]) + isb(0, T0 + 10_000_000, 10, 0)),
    # if_tsoffset +2^62 s: every stamp far above INT64_MAX ns, clamped.
    "tsoffset-plus-2pow62.pcapng": capture(
        [idb("eth0", tsresol=9, tsoffset=1 << 62)],
        packets(0, [T0 + i * 1_000_000 for i in range(10)]) + isb(0, T0 + 10_000_000, 10, 0)),
    # if_tsoffset -1_700_000_003 s: the capture starts 3 s before the epoch and
    # crosses it (negative, then positive times).
    "negative-after-offset.pcapng": capture(
        [idb("eth0", tsresol=6, tsoffset=-1_700_000_003)],
        packets(0, [1_700_000_000_000_000 + i * 500_000 for i in range(12)])
        + isb(0, 1_700_000_000_000_000, 6, 0) + isb(0, 1_700_000_006_000_000, 12, 0)),
    # Two interfaces at opposite ends of the 64-bit range, packets interleaved:
    # every difference between neighbours is close to 2^64 ns.
    "both-ends-interleaved.pcapng": capture(
        [idb("eth0", tsresol=9, tsoffset=-(1 << 62)), idb("eth1", tsresol=9, tsoffset=1 << 62)],
        b"".join(epb(i % 2, T0 + i, frame(*FLOWS[i % len(FLOWS)])) for i in range(10))
        + isb(0, T0, 5, 0) + isb(1, T0, 5, 0) + isb(0, T0 + 20, 5, 1) + isb(1, T0 + 20, 5, 1)),
}

# Capture-helper streams (two interfaces): final statistics for both, and for one only.
HELPER = "underhood-capture 0.1.0"
helper_itfs = [idb("eth0", tsresol=9), idb("lo", tsresol=9)]
helper_packets = b"".join(epb(i % 2, T0 + i * 1_000_000, frame(*FLOWS[i % len(FLOWS)])) for i in range(6))
FILES["helper-final-statistics.pcapng"] = capture(
    helper_itfs, helper_packets + isb(0, T0 + 6_000_000, 3, 0) + isb(1, T0 + 6_000_000, 3, 0)
    + isb(0, T0 + 7_000_000, 3, 0, final=True) + isb(1, T0 + 7_000_000, 3, 0, final=True), HELPER)
FILES["helper-final-statistics-missing.pcapng"] = capture(
    helper_itfs, helper_packets + isb(0, T0 + 6_000_000, 3, 0) + isb(1, T0 + 6_000_000, 3, 0)
    + isb(0, T0 + 7_000_000, 3, 0, final=True), HELPER)

if __name__ == "__main__":
    for name, data in sorted(FILES.items()):
        write(name, data)
        print(f"{name}: {len(data)} bytes")
