#!/usr/bin/env python3
"""Writes tcp-analysis.pcap: TCP conversations made to trip every flag of
Wireshark's TCP analysis that the shared corpus never shows: zero windows and
their probes, window updates and a full window, keep-alives and their ACKs,
duplicate ACKs followed by a fast retransmission, a spurious retransmission,
an out-of-order segment, and a connection that reuses its ports.

test_tcp_analysis_tshark compares our flags on it with tshark's, so what each
packet is called is decided by tshark, not by this script.

    python3 tests/corpus/crafted/make_tcp_analysis.py   # rewrites the file beside it
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

SYN, ACK, PSH, FIN, RST = 0x02, 0x10, 0x08, 0x01, 0x04


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, payload):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, 6, 0, bytes(src), bytes(dst))
    return hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:] + payload


def tcp(src, dst, sport, dport, seq, ack, flags, win, data=b"", opts=b""):
    off = (20 + len(opts)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4, flags, win, 0, 0) + opts
    pseudo = struct.pack("!4s4sBBH", bytes(src), bytes(dst), 0, 6, len(hdr) + len(data))
    c = checksum(pseudo + hdr + data)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + data


def frame(src, dst, segment):
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    return eth + ipv4(src, dst, segment)


class Capture:
    def __init__(self):
        self.records = []
        self.t = 1_700_000_000.0

    def add(self, src, dst, sport, dport, seq, ack, flags, win, data=b"", opts=b"", dt=0.010):
        self.t += dt
        self.records.append((self.t, frame(src, dst, tcp(src, dst, sport, dport, seq, ack, flags, win, data, opts))))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, data in self.records:
                sec = int(t)
                usec = int(round((t - sec) * 1e6))
                f.write(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)


def conversation(cap, cport, isn_c, isn_s, wscale=True):
    """A handshake; returns the client and server next sequence numbers."""
    c, s = [10, 0, 0, 1], [10, 0, 0, 2]
    ws = b"\x01\x03\x03\x02" if wscale else b""  # NOP, window scale 2
    cap.add(c, s, cport, 80, isn_c, 0, SYN, 64240, opts=b"\x02\x04\x05\xb4" + ws)
    cap.add(s, c, 80, cport, isn_s, isn_c + 1, SYN | ACK, 65160, opts=b"\x02\x04\x05\xb4" + ws)
    cap.add(c, s, cport, 80, isn_c + 1, isn_s + 1, ACK, 502)
    return c, s, isn_c + 1, isn_s + 1


def main():
    cap = Capture()

    # 1: a receiver that closes its window, probes, a window update, then a full window.
    c, s, cs, ss = conversation(cap, 40001, 1000, 5000)
    cap.add(c, s, 40001, 80, cs, ss, PSH | ACK, 502, b"A" * 100)
    cap.add(s, c, 80, 40001, ss, cs + 100, ACK, 0)  # zero window
    cs += 100
    cap.add(c, s, 40001, 80, cs, ss, ACK, 502, b"B")  # zero window probe
    cap.add(s, c, 80, 40001, ss, cs, ACK, 0)  # zero window probe ACK
    cap.add(s, c, 80, 40001, ss, cs, ACK, 25)  # window update: 25 << 2 = 100 bytes
    cap.add(c, s, 40001, 80, cs, ss, PSH | ACK, 502, b"C" * 100)  # fills the window
    cap.add(s, c, 80, 40001, ss, cs + 100, ACK, 500)
    cs += 100

    # 2: keep-alives and their ACKs, long after the last data.
    c, s, cs2, ss2 = conversation(cap, 40002, 20000, 30000)
    cap.add(c, s, 40002, 80, cs2, ss2, PSH | ACK, 502, b"hello")
    cap.add(s, c, 80, 40002, ss2, cs2 + 5, ACK, 509)
    cs2 += 5
    cap.add(c, s, 40002, 80, cs2 - 1, ss2, ACK, 502, dt=45.0)  # keep-alive
    cap.add(s, c, 80, 40002, ss2, cs2, ACK, 509)  # keep-alive ACK
    cap.add(c, s, 40002, 80, cs2 - 1, ss2, ACK, 502, b"\0", dt=45.0)  # keep-alive with a byte
    cap.add(s, c, 80, 40002, ss2, cs2, ACK, 509)

    # 3: a lost segment, three duplicate ACKs, a fast retransmission, then a spurious one.
    c, s, cs3, ss3 = conversation(cap, 40003, 70000, 90000)
    seg = b"D" * 1000
    cap.add(c, s, 40003, 80, cs3, ss3, ACK, 502, seg)
    cap.add(c, s, 40003, 80, cs3 + 1000, ss3, ACK, 502, seg, dt=0.0001)  # never arrives at the server
    cap.add(c, s, 40003, 80, cs3 + 2000, ss3, ACK, 502, seg, dt=0.0001)
    cap.add(s, c, 80, 40003, ss3, cs3 + 1000, ACK, 509, dt=0.002)
    cap.add(s, c, 80, 40003, ss3, cs3 + 1000, ACK, 509, dt=0.0001)  # duplicate ACK 1
    cap.add(c, s, 40003, 80, cs3 + 3000, ss3, ACK, 502, seg, dt=0.0001)
    cap.add(s, c, 80, 40003, ss3, cs3 + 1000, ACK, 509, dt=0.0001)  # duplicate ACK 2
    cap.add(c, s, 40003, 80, cs3 + 1000, ss3, ACK, 502, seg, dt=0.001)  # fast retransmission
    cap.add(s, c, 80, 40003, ss3, cs3 + 4000, ACK, 509, dt=0.002)
    cap.add(c, s, 40003, 80, cs3 + 2000, ss3, ACK, 502, seg, dt=0.300)  # spurious: already acknowledged
    cap.add(c, s, 40003, 80, cs3 + 4000, ss3, ACK, 502, seg, dt=0.010)
    cap.add(c, s, 40003, 80, cs3 + 5000, ss3, ACK, 502, seg, dt=0.0002)
    cap.add(c, s, 40003, 80, cs3 + 4500, ss3, ACK, 502, b"E" * 500, dt=0.0002)  # out of order
    cap.add(s, c, 80, 40003, ss3, cs3 + 6000, ACK, 509, dt=0.002)
    cap.add(c, s, 40003, 80, cs3 + 6000, ss3, FIN | ACK, 502, dt=0.010)
    cap.add(s, c, 80, 40003, ss3, cs3 + 6001, FIN | ACK, 509)
    cap.add(c, s, 40003, 80, cs3 + 6001, ss3 + 1, ACK, 502)

    # 4: the same ports again with a new initial sequence number, and a retransmitted SYN.
    c, s, cs4, ss4 = conversation(cap, 40003, 123456, 654321, wscale=False)
    cap.add(c, s, 40003, 80, cs4, ss4, PSH | ACK, 502, b"again")
    cap.add(c, s, 40003, 80, cs4, ss4, PSH | ACK, 502, b"again", dt=0.5)  # retransmission
    cap.add(s, c, 80, 40003, ss4, cs4 + 5, RST | ACK, 0)
    cap.add(c, s, 40005, 80, 777, 0, SYN, 64240, dt=0.1)
    cap.add(c, s, 40005, 80, 777, 0, SYN, 64240, dt=1.0)  # SYN retransmitted

    cap.write(os.path.join(HERE, "tcp-analysis.pcap"))


if __name__ == "__main__":
    main()
