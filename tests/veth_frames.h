// Frames for live tests on a veth pair between two namespaces: Ethernet,
// IPv4 and UDP from 10.9.0.1 to 10.9.0.2, built by hand so a test knows
// every byte it sends.
#pragma once

#include <QByteArray>

#include <algorithm>
#include <cstdint>

namespace underhood::test {

inline uint16_t ip_checksum(const QByteArray& header)
{
    uint32_t sum = 0;
    for (qsizetype i = 0; i + 1 < header.size(); i += 2)
        sum += uint32_t(uint8_t(header[i]) << 8 | uint8_t(header[i + 1]));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

// An Ethernet frame with IPv4/UDP from 10.9.0.1:`port` to 10.9.0.2:5000
// carrying `seq` in its first payload bytes, `size` bytes in all.
inline QByteArray udp_frame(uint16_t port, uint32_t seq, int size)
{
    const int payload = std::max(8, size - 14 - 20 - 8);
    QByteArray udp;
    udp.append(char(port >> 8)).append(char(port & 0xff)).append("\x13\x88", 2);
    const uint16_t ulen = uint16_t(8 + payload);
    udp.append(char(ulen >> 8)).append(char(ulen & 0xff)).append("\0\0", 2);
    for (int i = 0; i < payload; ++i)
        udp.append(char(i < 4 ? seq >> (24 - 8 * i) : i));
    QByteArray ip("\x45\x00", 2);
    const uint16_t total = uint16_t(20 + udp.size());
    ip.append(char(total >> 8)).append(char(total & 0xff)).append("\0\0\x40\x00\x40\x11\0\0", 8);
    ip.append("\x0a\x09\x00\x01\x0a\x09\x00\x02", 8);
    const uint16_t c = ip_checksum(ip);
    ip[10] = char(c >> 8);
    ip[11] = char(c & 0xff);
    return QByteArray("\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14) + ip + udp;
}

} // namespace underhood::test
