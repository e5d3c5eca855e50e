// IEEE 802.11 frames, the management frames' fixed and tagged parameters,
// and the radiotap header in front of them (radiotap.org).
#include "dissect/labels.h"
#include "dissect/link_layers.h"
#include "dissect/outputs.h"
#include "dissect/registry.h"

#include <string>

namespace underhood::dissect {
namespace {

enum {
    kRadiotap, kRadiotapLen, kRadiotapVersion, kRadiotapPad, kRadiotapPresent, kRadiotapMactime, kRadiotapFlags,
    kRadiotapRate, kRadiotapFreq, kRadiotapChanFlags, kRadiotapHopset, kRadiotapSignal,
    kWlan, kWlanFc, kWlanDa, kWlanSa, kWlanBssid, kWlanVersion, kWlanType, kWlanSubtype, kWlanFlags, kWlanDs,
    kWlanFrag, kWlanRetry, kWlanPwrMgt, kWlanMoreData, kWlanProtected, kWlanOrder, kWlanDuration, kWlanRa, kWlanTa,
    kWlanAddr, kWlanFragNum, kWlanSeq, kWlanQos, kWlanHtc, kWlanFcs,
    kMgt, kFixed, kTimestamp, kBeacon, kCapabilities, kReason, kAuthAlg, kAuthSeq, kStatus, kAid, kListen,
    kCurrentAp, kTagged, kTagNumber,
    kCount
};
constexpr FieldInfo kFields[] = {
    {"radiotap", "Radiotap Header", FieldType::Protocol},
    {"radiotap.length", "Header length", FieldType::Uint},
    {"radiotap.version", "Header revision", FieldType::Uint},
    {"radiotap.pad", "Header pad", FieldType::Uint},
    {"radiotap.present.word", "Present flags word", FieldType::Uint, Base::Hex, 8},
    {"radiotap.mactime", "MAC timestamp", FieldType::Uint},
    {"radiotap.flags", "Flags", FieldType::Uint, Base::Hex, 2},
    {"radiotap.datarate", "Data Rate", FieldType::String},
    {"radiotap.channel.freq", "Channel frequency", FieldType::Uint},
    {"radiotap.channel.flags", "Channel flags", FieldType::Uint, Base::Hex, 4},
    {"radiotap.fhss.hopset", "FHSS Hop Set", FieldType::Uint},
    {"radiotap.dbm_antsignal", "Antenna signal", FieldType::String},
    {"wlan", "IEEE 802.11", FieldType::Protocol},
    {"wlan.fc", "Frame Control Field", FieldType::Uint, Base::Hex, 4},
    {"wlan.da", "Destination address", FieldType::Ether},
    {"wlan.sa", "Source address", FieldType::Ether},
    {"wlan.bssid", "BSS Id", FieldType::Ether},
    {"wlan.fc.version", "Version", FieldType::Uint},
    {"wlan.fc.type", "Type", FieldType::Uint},
    {"wlan.fc.subtype", "Subtype", FieldType::Uint},
    {"wlan.flags", "Flags", FieldType::Uint, Base::Hex, 2},
    {"wlan.fc.ds", "DS status", FieldType::Uint, Base::Hex, 1},
    {"wlan.fc.frag", "More Fragments", FieldType::Bool},
    {"wlan.fc.retry", "Retry", FieldType::Bool},
    {"wlan.fc.pwrmgt", "PWR MGT", FieldType::Bool},
    {"wlan.fc.moredata", "More Data", FieldType::Bool},
    {"wlan.fc.protected", "Protected flag", FieldType::Bool},
    {"wlan.fc.order", "+HTC/Order flag", FieldType::Bool},
    {"wlan.duration", "Duration/ID", FieldType::Uint},
    {"wlan.ra", "Receiver address", FieldType::Ether},
    {"wlan.ta", "Transmitter address", FieldType::Ether},
    {"wlan.addr", "Hardware address", FieldType::Ether},
    {"wlan.frag", "Fragment number", FieldType::Uint},
    {"wlan.seq", "Sequence number", FieldType::Uint},
    {"wlan.qos", "QoS Control", FieldType::Uint, Base::Hex, 4},
    {"wlan.htc", "HT Control (+HTC)", FieldType::Uint, Base::Hex, 8},
    {"wlan.fcs", "Frame check sequence", FieldType::Uint, Base::Hex, 8},
    {"wlan.mgt", "IEEE 802.11 Wireless Management", FieldType::Protocol},
    {"wlan.fixed.all", "Fixed parameters", FieldType::Protocol},
    {"wlan.fixed.timestamp", "Timestamp", FieldType::Uint},
    {"wlan.fixed.beacon", "Beacon Interval", FieldType::Uint},
    {"wlan.fixed.capabilities", "Capabilities Information", FieldType::Uint, Base::Hex, 4},
    {"wlan.fixed.reason_code", "Reason code", FieldType::Uint},
    {"wlan.fixed.auth.alg", "Authentication Algorithm", FieldType::Uint},
    {"wlan.fixed.auth_seq", "Authentication SEQ", FieldType::Uint, Base::Hex, 4},
    {"wlan.fixed.status_code", "Status code", FieldType::Uint},
    {"wlan.fixed.aid", "Association ID", FieldType::Uint, Base::Hex, 4},
    {"wlan.fixed.listen_ival", "Listen Interval", FieldType::Uint, Base::Hex, 4},
    {"wlan.fixed.current_ap", "Current AP", FieldType::Ether},
    {"wlan.tagged.all", "Tagged parameters", FieldType::Protocol},
    {"wlan.tag.number", "Tag Number", FieldType::Uint},
};
FieldId f0 = 0;

uint64_t le64(Tvb& t, size_t at) { return uint64_t(t.le32(at + 4)) << 32 | t.le32(at); }

// The present words and the first few fields, each aligned to its natural
// size from the start of the header. A field that does not fit ends the
// list; the 802.11 frame after the header is dissected regardless. True
// when the Flags field says a frame check sequence ends the frame (the one
// thing read without a tree).
bool radiotap_fields(Tvb h, Packet& p)
{
    const bool tree = p.want_tree();
    // Present words chain with bit 31; the fields follow the last one.
    size_t at = 4;
    const uint32_t present = h.le32(4);
    for (int word = 0;; ++word) {
        const uint32_t w = h.le32(at);
        if (tree)
            p.add_uint(f0 + kRadiotapPresent, h.begin() + at, 4, w);
        at += 4;
        if (!(w & 0x80000000u))
            break;
        if (!h.has(at, 4) || word > 16) {
            p.mark(DecodedPacket::Malformed, "radiotap present words overrun the header", h.begin() + at);
            return false;
        }
    }
    if (!tree && !(present & 2))
        return false;
    const auto align = [&at](size_t a) { at = (at + a - 1) / a * a; };
    bool fcs = false;
    if (present & (1u << 0)) {
        align(8);
        if (!h.has(at, 8))
            return false;
        p.add_uint(f0 + kRadiotapMactime, h.begin() + at, 8, tree ? le64(h, at) : 0);
        at += 8;
    }
    if (present & (1u << 1)) {
        if (!h.has(at, 1))
            return false;
        const uint8_t flags = h.u8(at);
        fcs = flags & 0x10;
        if (tree)
            p.add_uint(f0 + kRadiotapFlags, h.begin() + at, 1, flags,
                       strf("Flags: 0x%02x%s", flags, fcs ? " (FCS at end)" : ""));
        at += 1;
    }
    if (!tree)
        return fcs;
    if (present & (1u << 2)) {
        if (!h.has(at, 1))
            return fcs;
        const double rate = h.u8(at) * 0.5;
        p.add_text(f0 + kRadiotapRate, h.begin() + at, 1, strf("%g", rate), strf("Data Rate: %.1f Mb/s", rate));
        at += 1;
    }
    if (present & (1u << 3)) {
        align(2);
        if (!h.has(at, 4))
            return fcs;
        const unsigned freq = h.le16(at);
        const int channel = freq == 2484                  ? 14
                            : freq >= 2412 && freq < 2484 ? int(freq - 2407) / 5
                            : freq >= 5000 && freq < 5925 ? int(freq - 5000) / 5
                                                          : 0;
        p.add_uint(f0 + kRadiotapFreq, h.begin() + at, 2, freq,
                   channel ? strf("Channel frequency: %u [channel %d]", freq, channel)
                           : strf("Channel frequency: %u", freq));
        p.add_uint(f0 + kRadiotapChanFlags, h.begin() + at + 2, 2, h.le16(at + 2));
        at += 4;
    }
    if (present & (1u << 4)) {
        align(2);
        if (!h.has(at, 2))
            return fcs;
        p.add_uint(f0 + kRadiotapHopset, h.begin() + at, 2, h.u8(at),
                   strf("FHSS: hop set %u, pattern %u", h.u8(at), h.u8(at + 1)));
        at += 2;
    }
    if (present & (1u << 5)) {
        if (!h.has(at, 1))
            return fcs;
        const int dbm = int8_t(h.u8(at));
        p.add_text(f0 + kRadiotapSignal, h.begin() + at, 1, std::to_string(dbm), strf("Antenna signal: %d dBm", dbm));
    }
    return fcs;
}

const char* subtype_name(uint8_t type, uint8_t subtype)
{
    if (type == 0) {
        static const char* const kMgmt[16] = {"Association Request",   "Association Response",
                                              "Reassociation Request", "Reassociation Response",
                                              "Probe Request",         "Probe Response",
                                              "Timing Advertisement",  "Reserved",
                                              "Beacon frame",          "ATIM",
                                              "Disassociate",          "Authentication",
                                              "Deauthentication",      "Action",
                                              "Action No Ack",         "Reserved"};
        return kMgmt[subtype & 15];
    }
    if (type == 1) {
        switch (subtype) {
        case 4: return "Beamforming Report Poll";
        case 5: return "VHT/HE NDP Announcement";
        case 7: return "Control Wrapper";
        case 8: return "802.11 Block Ack Req";
        case 9: return "802.11 Block Ack";
        case 10: return "Power-Save poll";
        case 11: return "Request-to-send";
        case 12: return "Clear-to-send";
        case 13: return "Acknowledgement";
        case 14: return "CF-End (Control-frame)";
        case 15: return "CF-End + CF-Ack (Control-frame)";
        default: return "Control frame";
        }
    }
    if (type == 2) {
        switch (subtype) {
        case 0: return "Data";
        case 4: return "Null function (No data)";
        case 8: return "QoS Data";
        case 12: return "QoS Null function (No data)";
        default: return "Data frame";
        }
    }
    return "Extension frame";
}

// "........": the flags as Wireshark's Info column spells them.
std::string flag_text(uint8_t flags)
{
    static const char kFlagChars[] = "opmPRMFT";
    std::string s;
    for (int i = 7; i >= 0; --i)
        s += (flags >> i & 1) ? kFlagChars[7 - i] : '.';
    return s;
}

// The frame control field, duration and receiver address every frame has.
void frame_control(Tvb t, Packet& p, size_t item, uint16_t fc)
{
    const uint8_t type = (fc >> 2) & 3, subtype = (fc >> 4) & 0xF, flags = uint8_t(fc >> 8);
    const uint8_t b0 = t.u8(0);
    const size_t o = t.begin();
    p.relabel(item, strf("IEEE 802.11 %s, Flags: %s", subtype_name(type, subtype), flag_text(flags).c_str()));
    p.add_uint(f0 + kWlanFc, o, 2, fc, strf("Frame Control Field: 0x%02x%02x", b0, flags));
    {
        Packet::Subtree fcf(p);
        static const char* const kTypes[] = {"Management frame", "Control frame", "Data frame", "Extension"};
        p.add_bits(f0 + kWlanVersion, o, 1, fc & 3, bit_label(b0, 8, 0x03, strf("Version: %u", fc & 3)));
        p.add_bits(f0 + kWlanType, o, 1, type, bit_label(b0, 8, 0x0C, strf("Type: %s (%u)", kTypes[type], type)));
        p.add_bits(f0 + kWlanSubtype, o, 1, subtype, bit_label(b0, 8, 0xF0, strf("Subtype: %u", subtype)));
        p.add_uint(f0 + kWlanFlags, o + 1, 1, flags);
        Packet::Subtree fl(p);
        p.add_bits(f0 + kWlanDs, o + 1, 1, flags & 3,
                   bit_label(flags, 8, 0x03,
                             strf("DS status: %s (0x%x)",
                                  (flags & 3) == 0   ? "Not leaving DS or network is operating in AD-HOC mode"
                                  : (flags & 3) == 1 ? "Frame from STA to DS via an AP"
                                  : (flags & 3) == 2 ? "Frame from DS to a STA via AP"
                                                     : "WDS (AP to AP) or Mesh (MP to MP) Frame",
                                  flags & 3)));
        static const char* const kFlags[] = {"More Fragments", "Retry",          "PWR MGT",
                                             "More Data",      "Protected flag", "+HTC/Order flag"};
        for (int bit = 2; bit < 8; ++bit)
            p.add_bits(FieldId(f0 + kWlanFrag + bit - 2), o + 1, 1, (flags >> bit) & 1,
                       bit_flag(flags, 8, 1u << bit, kFlags[bit - 2]));
    }
    p.add_uint(f0 + kWlanDuration, o + 2, 2, t.le16(2));
    p.add_mac(f0 + kWlanRa, o + 4, 6, mac_at(t.bytes(4, 6)));
}

// Fixed parameters ahead of the tagged ones (IEEE 802.11-2020 9.3.3). The
// SSID tag's text is left in `ssid` for the Info column.
void management(uint8_t subtype, Tvb t, Packet& p, std::string& ssid)
{
    size_t fixed;
    switch (subtype) {
    case 0: fixed = 4; break; // association request
    case 1:
    case 3: fixed = 6; break;  // association / reassociation response
    case 2: fixed = 10; break; // reassociation request
    case 4: fixed = 0; break;  // probe request
    case 5:
    case 8: fixed = 12; break; // probe response, beacon
    case 10:
    case 12: fixed = 2; break; // disassociation, deauthentication
    case 11: fixed = 6; break; // authentication
    default: dissect_data(t, p); return;
    }
    const bool tree = p.want_tree();
    p.layer(f0 + kMgt, t, {});
    if (!t.check(0, fixed, "802.11 fixed parameters"))
        return;
    const size_t o = t.begin();
    if (fixed && tree) {
        p.add_uint(f0 + kFixed, o, fixed, 0);
        Packet::Subtree fp(p);
        if (subtype == 5 || subtype == 8) {
            p.add_uint(f0 + kTimestamp, o, 8, le64(t, 0));
            p.add_uint(f0 + kBeacon, o + 8, 2, t.le16(8), strf("Beacon Interval: %.6f [Seconds]", t.le16(8) * 1024e-6));
            p.add_uint(f0 + kCapabilities, o + 10, 2, t.le16(10));
        } else if (subtype == 10 || subtype == 12) {
            p.add_uint(f0 + kReason, o, 2, t.le16(0));
        } else if (subtype == 11) {
            p.add_uint(f0 + kAuthAlg, o, 2, t.le16(0));
            p.add_uint(f0 + kAuthSeq, o + 2, 2, t.le16(2));
            p.add_uint(f0 + kStatus, o + 4, 2, t.le16(4));
        } else {
            p.add_uint(f0 + kCapabilities, o, 2, t.le16(0));
            if (subtype == 1 || subtype == 3) {
                p.add_uint(f0 + kStatus, o + 2, 2, t.le16(2));
                p.add_uint(f0 + kAid, o + 4, 2, t.le16(4));
            } else {
                p.add_uint(f0 + kListen, o + 2, 2, t.le16(2));
                if (subtype == 2)
                    p.add_mac(f0 + kCurrentAp, o + 4, 6, mac_at(t.bytes(4, 6)));
            }
        }
    }
    // Tags run to the end of the frame: where the capture cut it, the ones
    // that were sent are missing.
    const bool cut = t.end() == p.captured() && p.missing() > 0;
    size_t at = fixed;
    if (at >= t.length()) {
        if (cut)
            t.check(at, 2, "802.11 tag");
        return;
    }
    p.add_uint(f0 + kTagged, o + at, t.length() - at, 0);
    Packet::Subtree tags(p);
    for (int i = 0; i < 256 && (at < t.length() || cut); ++i) {
        if (!t.check(at, 2, "802.11 tag"))
            return;
        const uint8_t num = t.u8(at);
        const size_t len = t.u8(at + 1);
        if (!t.check(at + 2, len, "802.11 tag"))
            return;
        const uint8_t* v = t.bytes(at + 2, len);
        if (num == 0)
            ssid = printable_text(v, len, 32);
        if (!tree) {
            at += 2 + len;
            continue;
        }
        std::string label;
        switch (num) {
        case 0: label = "Tag: SSID parameter set: \"" + (len ? ssid : "Wildcard (Broadcast)") + "\""; break;
        case 1:
        case 50: {
            std::string rates;
            for (size_t k = 0; k < len; ++k)
                rates += strf("%s%g%s", k ? ", " : "", (v[k] & 0x7F) * 0.5, (v[k] & 0x80) ? "(B)" : "");
            label = strf("Tag: %sSupported Rates %s [Mbit/sec]", num == 50 ? "Extended " : "", rates.c_str());
            break;
        }
        case 3: label = len ? strf("Tag: DS Parameter set: Current Channel: %u", v[0]) : "Tag: DS Parameter set"; break;
        case 5: label = "Tag: Traffic Indication Map (TIM)"; break;
        case 7: label = "Tag: Country Information: " + printable_text(v, std::min<size_t>(len, 2)); break;
        case 45: label = "Tag: HT Capabilities (802.11n D1.10)"; break;
        case 48: label = "Tag: RSN Information"; break;
        case 61: label = "Tag: HT Information (802.11n D1.10)"; break;
        case 191: label = "Tag: VHT Capabilities"; break;
        case 221:
            label = len >= 3 ? strf("Tag: Vendor Specific: %02x:%02x:%02x", v[0], v[1], v[2]) : "Tag: Vendor Specific";
            break;
        case 255: label = "Ext Tag"; break;
        default: label = strf("Tag: Number %u, Length %zu", num, len); break;
        }
        p.add_uint(f0 + kTagNumber, o + at, 2 + len, num, std::move(label));
        at += 2 + len;
    }
}

void ieee80211(Tvb t, Packet& p, bool has_fcs)
{
    if (!p.push(Proto::Wlan))
        return;
    // The frame check sequence is not payload.
    const Tvb whole = t;
    if (has_fcs && t.length() >= 4 + 10)
        t = t.sub(0, t.length() - 4);
    else
        has_fcs = false;
    const bool tree = p.want_tree();
    const size_t item = layer_at(p, f0 + kWlan, t, 10, {});
    if (!t.need(0, 10, "802.11 header"))
        return;
    const uint16_t fc = t.le16(0);
    const uint8_t type = (fc >> 2) & 3, subtype = (fc >> 4) & 0xF;
    const uint8_t flags = uint8_t(fc >> 8);
    if (tree)
        frame_control(t, p, item, fc);
    Columns* c = p.col();
    if (c)
        c->protocol = "802.11";
    const auto add_fcs = [&] {
        if (has_fcs && tree) {
            Tvb all = whole;
            p.add_uint(f0 + kWlanFcs, t.end(), 4, all.le32(t.length()));
        }
    };
    if (type == 1 || type == 3) {
        // Control frames carry no payload: the receiver, and for most of them a transmitter.
        const bool has_ta = type == 1 && (subtype == 4 || subtype == 5 || subtype == 8 || subtype == 9 ||
                                          subtype == 10 || subtype == 11 || subtype == 14 || subtype == 15);
        if (has_ta) {
            p.cover(item, t.begin(), t.begin() + 16);
            if (!t.need(0, 16, "802.11 control header"))
                return;
            if (tree)
                p.add_mac(f0 + kWlanTa, t.begin() + 10, 6, mac_at(t.bytes(10, 6)));
        }
        if (c) {
            c->source = has_ta ? mac_column(t.bytes(10, 6)) : std::string();
            c->destination = mac_column(t.bytes(4, 6));
            c->info = std::string(subtype_name(type, subtype)) + ", Flags=" + flag_text(flags);
        }
        if (type == 1)
            add_fcs();
        return;
    }
    size_t hlen = 24;
    const bool to_ds = flags & 1, from_ds = flags & 2;
    const bool qos = type == 2 && (subtype & 0x8);
    if (type == 2) {
        if (to_ds && from_ds)
            hlen += 6;
        if (qos) {
            hlen += 2;
            if (flags & 0x80)
                hlen += 4; // HT control
        }
    }
    p.cover(item, t.begin(), t.begin() + hlen);
    if (!t.need(0, hlen, "802.11 header"))
        return;
    const uint8_t* h = t.bytes(0, hlen);
    const uint8_t* a1 = h + 4;
    const uint8_t* a2 = h + 10;
    const uint8_t* a3 = h + 16;
    const uint8_t* a4 = h + 24;
    // Management frames: DA = addr1, SA = addr2.
    const uint8_t* da = type == 0 ? a1 : to_ds ? a3 : a1;
    const uint8_t* sa = type == 0 ? a2 : from_ds ? (to_ds ? a4 : a3) : a2;
    p.set_mac(da, sa);
    const uint16_t seq = load_le16(h + 22);
    const size_t qos_at = hlen - 2 - ((flags & 0x80) ? 4 : 0);
    if (tree) {
        const size_t o = t.begin();
        p.add_mac(f0 + kWlanTa, o + 10, 6, mac_at(a2));
        p.add_mac(f0 + kWlanDa, o + size_t(da - h), 6, mac_at(da));
        p.add_mac(f0 + kWlanSa, o + size_t(sa - h), 6, mac_at(sa));
        const uint8_t* bssid = type == 0 ? a3 : (to_ds && !from_ds) ? a1 : (!to_ds && from_ds) ? a2 : a3;
        if (!(to_ds && from_ds))
            p.add_mac(f0 + kWlanBssid, o + size_t(bssid - h), 6, mac_at(bssid));
        p.add_bits(f0 + kWlanFragNum, o + 22, 2, seq & 15,
                   bit_label(seq, 16, 0x000F, strf("Fragment number: %u", seq & 15)));
        p.add_bits(f0 + kWlanSeq, o + 22, 2, seq >> 4, bit_label(seq, 16, 0xFFF0, strf("Sequence number: %u", seq >> 4)));
        if (type == 2 && to_ds && from_ds)
            p.add_mac(f0 + kWlanAddr, o + 24, 6, mac_at(a4), "Transmitter address (addr4): " + mac_text(a4));
        if (qos) {
            const uint16_t qc = load_le16(h + qos_at);
            p.add_uint(f0 + kWlanQos, o + qos_at, 2, qc,
                       strf("QoS Control: 0x%04x (TID %u%s)", qc, qc & 15, (qc & 0x80) ? ", A-MSDU" : ""));
            if (flags & 0x80)
                p.add_uint(f0 + kWlanHtc, o + qos_at + 2, 4, load_le32(h + qos_at + 2));
        }
        add_fcs();
    }
    std::string info;
    if (c) {
        c->source = mac_column(sa);
        c->destination = mac_column(da);
        info = strf("%s, SN=%u, FN=%u, Flags=%s", subtype_name(type, subtype), seq >> 4, seq & 15,
                    flag_text(flags).c_str());
        c->info = info;
    }
    Tvb body = t.rest(hlen);
    if (flags & 0x40) {
        // Only a data frame's protection says anything about what it carries.
        if (type == 2 && !(subtype & 0x4))
            p.summary().flags |= DecodedPacket::Encrypted;
        if (tree && !body.empty()) {
            // Shown inside the 802.11 layer: nothing outside it can read the bytes.
            static const FieldId data_layer = field_by_name("data"), data_bytes = field_by_name("data.data");
            const uint8_t* d = body.bytes(0, body.length());
            const std::string_view raw(reinterpret_cast<const char*>(d), body.length());
            p.add_text(data_layer, body.begin(), body.length(), {},
                       strf("Data (%zu bytes, protected)", body.length()));
            Packet::Subtree sub(p);
            p.add_text(data_bytes, body.begin(), body.length(), raw, "Encrypted payload: " + hex_text(d, body.length()));
        }
        return;
    }
    if (type == 0) {
        // Only the tree and the Info column read the parameters.
        if (!tree && !c)
            return;
        Packet::DetailsOnly details(p);
        std::string ssid;
        management(subtype, body, p, ssid);
        if (c && !ssid.empty())
            c->info = info + ", SSID=\"" + ssid + "\"";
        return;
    }
    if (subtype & 0x4)
        return; // null function: no data
    if (qos && (h[qos_at] & 0x80)) {
        // A-MSDU (802.11-2020 9.3.2.2.2): subframes of DA, SA, length and an
        // LLC payload. The first subframe holds the outermost IP header, as
        // it does for Wireshark.
        if (tree)
            p.add_note(body.begin(), 0, "[A-MSDU aggregate: only the first subframe is decoded]");
        if (!body.need(0, 14, "A-MSDU subframe header"))
            return;
        dissect_llc(body.sub(14, body.be16(12)), p);
        return;
    }
    dissect_llc(body, p);
}

} // namespace

void dissect_radiotap(Tvb t, Packet& p)
{
    if (!p.push(Proto::Radiotap))
        return;
    const size_t item = layer_at(p, f0 + kRadiotap, t, 8, {});
    if (!t.need(0, 8, "radiotap header"))
        return;
    const uint16_t len = t.le16(2);
    if (p.want_tree()) {
        p.relabel(item, strf("Radiotap Header v%u, Length %u", t.u8(0), len));
        p.add_uint(f0 + kRadiotapVersion, t.begin(), 1, t.u8(0));
        p.add_uint(f0 + kRadiotapPad, t.begin() + 1, 1, t.u8(1));
        p.add_uint(f0 + kRadiotapLen, t.begin() + 2, 2, len);
    }
    if (Columns* c = p.col())
        c->protocol = "802.11";
    if (len < 8) {
        p.mark(DecodedPacket::Malformed, "radiotap header length below 8", t.begin() + 2);
        return;
    }
    p.cover(item, t.begin(), t.begin() + len);
    if (!t.need(0, len, "radiotap header"))
        return;
    const bool fcs = radiotap_fields(t.sub(0, len), p);
    // A snaplen cut the frame check sequence off, if not more.
    ieee80211(t.rest(len), p, fcs && !p.missing());
}

void dissect_ieee80211(Tvb t, Packet& p) { ieee80211(t, p, false); }

void register_wlan() { f0 = register_fields(kFields, kCount); }

} // namespace underhood::dissect
