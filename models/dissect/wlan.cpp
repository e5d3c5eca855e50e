// IEEE 802.11 frames and the radiotap header in front of them.
#include "dissect/registry.h"

namespace underhood::dissect {
namespace {

enum { kRadiotap, kRadiotapLen, kWlan, kWlanFc, kWlanDa, kWlanSa, kWlanBssid, kCount };
constexpr FieldInfo kFields[] = {
    {"radiotap", "Radiotap Header", FieldType::Protocol},
    {"radiotap.length", "Header length", FieldType::Uint},
    {"wlan", "IEEE 802.11", FieldType::Protocol},
    {"wlan.fc", "Frame Control Field", FieldType::Uint, Base::Hex, 4},
    {"wlan.da", "Destination address", FieldType::Ether},
    {"wlan.sa", "Source address", FieldType::Ether},
    {"wlan.bssid", "BSS Id", FieldType::Ether},
};
FieldId f0 = 0;

MacAddress mac_at(const uint8_t* p)
{
    MacAddress m;
    std::copy(p, p + 6, m.bytes.begin());
    return m;
}

} // namespace

void dissect_radiotap(Tvb t, Packet& p)
{
    if (!p.push(Proto::Radiotap) || !t.need(0, 8))
        return;
    const uint16_t len = t.le16(2);
    if (len < 8) {
        p.mark(DecodedPacket::Malformed, "radiotap header length below 8", t.begin() + 2);
        return;
    }
    if (!t.need(0, len))
        return;
    p.layer(f0 + kRadiotap, t.sub(0, len), {});
    p.add_uint(f0 + kRadiotapLen, t.begin() + 2, 2, len);
    dissect_ieee80211(t.rest(len), p);
}

void dissect_ieee80211(Tvb t, Packet& p)
{
    if (!p.push(Proto::Wlan) || !t.need(0, 10))
        return;
    const uint16_t fc = t.le16(0);
    const uint8_t type = (fc >> 2) & 3, subtype = (fc >> 4) & 0xF;
    const uint8_t flags = uint8_t(fc >> 8);
    if (type == 0) { // management: DA = addr1, SA = addr2
        if (t.need(0, 24)) {
            const uint8_t* h = t.bytes(0, 24);
            p.set_mac(h + 4, h + 10);
            p.layer(f0 + kWlan, t.sub(0, 24), "IEEE 802.11 Management Frame");
            p.add_uint(f0 + kWlanFc, t.begin(), 2, fc);
            p.add_mac(f0 + kWlanDa, t.begin() + 4, 6, mac_at(h + 4));
            p.add_mac(f0 + kWlanSa, t.begin() + 10, 6, mac_at(h + 10));
            p.add_mac(f0 + kWlanBssid, t.begin() + 16, 6, mac_at(h + 16));
        }
        return;
    }
    if (type != 2) {
        p.layer(f0 + kWlan, t.sub(0, 10), "IEEE 802.11 Control Frame");
        return; // control frames carry no payload
    }
    size_t hlen = 24;
    const bool to_ds = flags & 1, from_ds = flags & 2;
    if (to_ds && from_ds)
        hlen += 6;
    const bool qos = subtype & 0x8;
    if (qos) {
        hlen += 2;
        if (flags & 0x80)
            hlen += 4; // HT control
    }
    if (!t.need(0, hlen))
        return;
    const uint8_t* h = t.bytes(0, hlen);
    const uint8_t* a1 = h + 4;
    const uint8_t* a2 = h + 10;
    const uint8_t* a3 = h + 16;
    const uint8_t* a4 = h + 24;
    const uint8_t* da = to_ds ? a3 : a1;
    const uint8_t* sa = from_ds ? (to_ds ? a4 : a3) : a2;
    p.set_mac(da, sa);
    if (p.want_tree()) {
        p.layer(f0 + kWlan, t.sub(0, hlen), "IEEE 802.11 Data, SA: " + mac_at(sa).to_string() + ", DA: " +
                                                mac_at(da).to_string());
        p.add_uint(f0 + kWlanFc, t.begin(), 2, fc);
        p.add_mac(f0 + kWlanDa, t.begin() + size_t(da - h), 6, mac_at(da));
        p.add_mac(f0 + kWlanSa, t.begin() + size_t(sa - h), 6, mac_at(sa));
    }
    if (subtype & 0x4)
        return; // null function: no data
    if (flags & 0x40) {
        p.summary().flags |= DecodedPacket::Encrypted;
        return;
    }
    if (qos && (h[hlen - 2 - ((flags & 0x80) ? 4 : 0)] & 0x80)) {
        // A-MSDU (802.11-2020 9.3.2.2.2): subframes of DA, SA, length and an
        // LLC payload. The first subframe holds the outermost IP header, as
        // it does for Wireshark.
        if (!t.need(hlen, 14))
            return;
        dissect_llc(t.sub(hlen + 14, t.be16(hlen + 12)), p);
        return;
    }
    dissect_llc(t.rest(hlen), p);
}

void register_wlan() { f0 = register_fields(kFields, kCount); }

} // namespace underhood::dissect
