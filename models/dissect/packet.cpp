#include "dissect/packet.h"

#include "dissect/outputs.h"

namespace underhood::dissect {

uint8_t Tvb::miss(size_t at, size_t len)
{
    (void)len;
    // Out of captured bytes because of the snaplen: truncated; otherwise the
    // frame itself is too short for what it claims to carry.
    if (end_ == pkt_->captured() && pkt_->missing() > 0)
        pkt_->mark(DecodedPacket::Truncated, "ran out of captured bytes", begin_ + at);
    else
        pkt_->mark(DecodedPacket::Malformed, "header does not fit in the frame", begin_ + at);
    return 0;
}

bool Tvb::need(size_t at, size_t len)
{
    if (has(at, len))
        return true;
    miss(at, len);
    return false;
}

Tvb Tvb::sub(size_t at, size_t len)
{
    const size_t avail = at <= length() ? length() - at : 0;
    const size_t from = begin_ + std::min(at, length());
    if (len <= avail)
        return Tvb(*pkt_, from, from + len);
    if (end_ == pkt_->captured() && len <= avail + pkt_->missing())
        pkt_->mark(DecodedPacket::Truncated, "ran out of captured bytes", end_);
    else
        pkt_->mark(DecodedPacket::Malformed, "length field exceeds the frame", from);
    return Tvb(*pkt_, from, end_);
}

void Packet::mark(DecodedPacket::Flag f, const char* why, size_t at)
{
    summary_.flags |= f;
    if (!summary_.problem)
        summary_.problem = why;
    if (tree) {
        FieldItem note;
        note.depth = depth_;
        note.flags = uint8_t(f);
        note.offset = uint32_t(std::min(at, n_));
        note.label = std::string(f == DecodedPacket::Truncated ? "[Packet size limited during capture: " : "[Malformed Packet: ") +
                     why + "]";
        // The layers enclosing the problem carry its flag too.
        for (auto it = tree->items.rbegin(); it != tree->items.rend(); ++it)
            if (it->depth < note.depth || (note.depth == 0 && it->depth == 0)) {
                it->flags |= uint8_t(f);
                if (it->depth == 0)
                    break;
            }
        tree->items.push_back(std::move(note));
    }
}

bool Packet::push(Proto p)
{
    if (summary_.depth >= DecodedPacket::kMaxDepth) {
        mark(DecodedPacket::Malformed, "too many nested layers", n_);
        return false;
    }
    summary_.path[summary_.depth++] = p;
    return true;
}

bool Packet::enter_shim()
{
    if (++shims_ > DecodedPacket::kMaxDepth) {
        mark(DecodedPacket::Malformed, "too many nested layers", n_);
        return false;
    }
    return true;
}

void Packet::add(FieldId f, size_t offset, size_t length, FieldValue&& v, std::string&& label)
{
    if (!tree)
        return;
    FieldItem item;
    item.field = f;
    item.depth = depth_;
    offset = std::min(offset, n_);
    item.offset = uint32_t(offset);
    item.length = uint32_t(std::min(length, n_ - offset));
    item.value = std::move(v);
    item.label = std::move(label);
    tree->items.push_back(std::move(item));
}

void Packet::layer(FieldId protocol, const Tvb& t, std::string label)
{
    if (!tree)
        return;
    depth_ = 0;
    add(protocol, t.begin(), t.length(), FieldValue{}, std::move(label));
    depth_ = 1;
}

// The values are built only when a tree is wanted: the summary path pays a null check.
void Packet::add_uint(FieldId f, size_t offset, size_t length, uint64_t v, std::string label)
{
    if (tree)
        add(f, offset, length, FieldValue(v), std::move(label));
}

void Packet::add_ip(FieldId f, size_t offset, size_t length, const IpAddress& a, std::string label)
{
    if (tree)
        add(f, offset, length, FieldValue(a), std::move(label));
}

void Packet::add_mac(FieldId f, size_t offset, size_t length, const MacAddress& a, std::string label)
{
    if (tree)
        add(f, offset, length, FieldValue(a), std::move(label));
}

void Packet::add_text(FieldId f, size_t offset, size_t length, std::string_view s, std::string label)
{
    if (tree)
        add(f, offset, length, FieldValue(s), std::move(label));
}

void Packet::add_note(size_t offset, size_t length, std::string label)
{
    add(kNoField, offset, length, FieldValue{}, std::move(label));
}

void Packet::set_mac(const uint8_t* dst, const uint8_t* src)
{
    if (summary_.flags & DecodedPacket::HasMac)
        return;
    summary_.flags |= DecodedPacket::HasMac;
    std::memcpy(summary_.mac_dst.bytes.data(), dst, 6);
    std::memcpy(summary_.mac_src.bytes.data(), src, 6);
}

void Packet::set_ip(const IpAddress& src, const IpAddress& dst, size_t offset)
{
    if (summary_.flags & DecodedPacket::HasIp)
        return;
    summary_.flags |= DecodedPacket::HasIp;
    summary_.ip_src = src;
    summary_.ip_dst = dst;
    summary_.ip_offset = uint32_t(offset);
}

void Packet::set_ports(Proto transport, const IpAddress& src, const IpAddress& dst, uint16_t sp, uint16_t dp)
{
    if (summary_.flags & DecodedPacket::HasPorts)
        return;
    summary_.flags |= DecodedPacket::HasPorts;
    summary_.transport = transport;
    summary_.port_ip_src = src;
    summary_.port_ip_dst = dst;
    summary_.port_src = sp;
    summary_.port_dst = dp;
}

void Packet::set_app(Proto p, const Tvb& payload)
{
    if (!push(p))
        return;
    if (summary_.app == Proto::None) {
        summary_.app = p;
        summary_.app_offset = uint32_t(payload.begin());
        summary_.app_length = uint32_t(payload.length());
    }
}

} // namespace underhood::dissect
