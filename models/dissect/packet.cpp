#include "dissect/packet.h"

#include "dissect/outputs.h"

#include <algorithm>

namespace underhood::dissect {

uint8_t Tvb::miss(size_t at, size_t len, const char* what)
{
    // Out of captured bytes because of the snaplen: truncated; otherwise the
    // frame itself is too short for what it claims to carry.
    const bool cut = end_ == pkt_->captured() && pkt_->missing() > 0;
    std::string detail;
    if (what && pkt_->want_tree())
        detail = std::string(what) + (cut ? " truncated" : " does not fit in the frame");
    (void)len;
    if (cut)
        pkt_->mark(DecodedPacket::Truncated, "ran out of captured bytes", begin_ + at, std::move(detail));
    else
        pkt_->mark(DecodedPacket::Malformed, "header does not fit in the frame", begin_ + at, std::move(detail));
    return 0;
}

bool Tvb::need(size_t at, size_t len, const char* what)
{
    if (has(at, len))
        return true;
    miss(at, len, what);
    return false;
}

bool Tvb::check(size_t at, size_t len, const char* what)
{
    if (has(at, len))
        return true;
    const bool cut = end_ == pkt_->captured() && pkt_->missing() > 0;
    pkt_->tree_problem(cut ? DecodedPacket::Truncated : DecodedPacket::Malformed,
                       std::string(what) + (cut ? " truncated" : " does not fit in the frame"), begin_ + at);
    return false;
}

Tvb Tvb::sub(size_t at, size_t len, const char* what)
{
    const size_t avail = at <= length() ? length() - at : 0;
    const size_t from = begin_ + std::min(at, length());
    if (len <= avail)
        return Tvb(*pkt_, from, from + len);
    std::string detail;
    if (end_ == pkt_->captured() && len <= avail + pkt_->missing()) {
        if (what && pkt_->want_tree())
            detail = std::string(what) + " truncated";
        pkt_->mark(DecodedPacket::Truncated, "ran out of captured bytes", end_, std::move(detail));
    } else {
        if (what && pkt_->want_tree())
            detail = std::string(what) + " of " + std::to_string(len) + " bytes exceeds the " + std::to_string(avail) +
                     " bytes left";
        pkt_->mark(DecodedPacket::Malformed, "length field exceeds the frame", from, std::move(detail));
    }
    return Tvb(*pkt_, from, end_);
}

void Packet::mark(DecodedPacket::Flag f, const char* why, size_t at, std::string detail)
{
    if (quoted_)
        return; // an ICMP error quotes only the start of a datagram
    if (details_only_) {
        if (tree)
            tree_problem(f, detail.empty() ? std::string(why) : std::move(detail), at);
        return;
    }
    summary_->flags |= f;
    if (!summary_->problem)
        summary_->problem = why;
    if (tree)
        tree_problem(f, detail.empty() ? std::string(why) : std::move(detail), at);
}

void Packet::tree_problem(DecodedPacket::Flag f, std::string text, size_t at)
{
    if (!tree || quoted_)
        return;
    FieldItem note;
    note.depth = depth_;
    note.flags = uint8_t(f);
    note.offset = uint32_t(std::min(at, n_));
    note.label = std::string(f == DecodedPacket::Truncated ? "[Packet size limited during capture: " : "[Malformed Packet: ") +
                 text + "]";
    // The items enclosing the problem (its ancestors, up to its layer)
    // carry its flag too; a top-level note flags the layer before it.
    uint16_t above = note.depth ? note.depth : 1;
    for (auto it = tree->items.rbegin(); it != tree->items.rend() && above > 0; ++it)
        if (it->depth < above) {
            it->flags |= uint8_t(f);
            above = it->depth;
        }
    tree->items.push_back(std::move(note));
}

bool Packet::push(Proto p)
{
    if (summary_->depth >= DecodedPacket::kMaxDepth) {
        mark(DecodedPacket::Malformed, "too many nested layers", n_);
        return false;
    }
    summary_->path[summary_->depth++] = p;
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

Packet::Quote::Quote(Packet& p)
    : p_(p), scratch_(*p.summary_), summary_(p.summary_), depth_(p.depth_), base_(p.base_depth_), names_(p.names), streams_(p.streams), src_(p.net_src),
      dst_(p.net_dst), sport_(p.sport), dport_(p.dport), payload_len_(p.net_payload_len)
{
    ++p_.quoted_;
    p_.summary_ = &scratch_;
    p_.base_depth_ = p_.depth_;
    p_.names = nullptr;
    p_.streams = nullptr;
}

Packet::Quote::~Quote()
{
    --p_.quoted_;
    p_.summary_ = summary_;
    p_.depth_ = depth_;
    p_.base_depth_ = base_;
    p_.names = names_;
    p_.streams = streams_;
    p_.net_src = src_;
    p_.net_dst = dst_;
    p_.sport = sport_;
    p_.dport = dport_;
    p_.net_payload_len = payload_len_;
}

size_t Packet::add(FieldId f, size_t offset, size_t length, FieldValue&& v, std::string&& label)
{
    if (!tree || full_)
        return kNoItem;
    if (tree->items.size() >= kMaxItems) {
        // Stop here: what is stored stays a well-formed tree.
        full_ = true;
        FieldItem note;
        note.depth = 0;
        note.offset = uint32_t(n_);
        note.label = "[Too many fields: the rest of the packet is not shown]";
        tree->items.push_back(std::move(note));
        return kNoItem;
    }
    FieldItem item;
    item.field = f;
    item.depth = depth_;
    offset = std::min(offset, n_);
    item.offset = uint32_t(offset);
    item.length = uint32_t(std::min(length, n_ - offset));
    item.value = std::move(v);
    item.label = std::move(label);
    tree->items.push_back(std::move(item));
    return tree->items.size() - 1;
}

size_t Packet::layer(FieldId protocol, const Tvb& t, std::string label)
{
    last_layer_ = protocol;
    if (!tree)
        return kNoItem;
    depth_ = base_depth_;
    const size_t item = add(protocol, t.begin(), t.length(), FieldValue{}, std::move(label));
    depth_ = uint16_t(base_depth_ + 1);
    return item;
}

// The values are built only when a tree is wanted: the summary path pays a null check.
size_t Packet::add_uint(FieldId f, size_t offset, size_t length, uint64_t v, std::string label)
{
    return tree ? add(f, offset, length, FieldValue(v), std::move(label)) : kNoItem;
}

size_t Packet::add_ip(FieldId f, size_t offset, size_t length, const IpAddress& a, std::string label)
{
    return tree ? add(f, offset, length, FieldValue(a), std::move(label)) : kNoItem;
}

size_t Packet::add_mac(FieldId f, size_t offset, size_t length, const MacAddress& a, std::string label)
{
    return tree ? add(f, offset, length, FieldValue(a), std::move(label)) : kNoItem;
}

size_t Packet::add_text(FieldId f, size_t offset, size_t length, std::string_view s, std::string label)
{
    return tree ? add(f, offset, length, FieldValue(s), std::move(label)) : kNoItem;
}

size_t Packet::add_bits(FieldId f, size_t offset, size_t length, uint64_t v, std::string label)
{
    const size_t item = tree ? add(f, offset, length, FieldValue(v), std::move(label)) : kNoItem;
    if (item != kNoItem)
        tree->items[item].bits = true;
    return item;
}

size_t Packet::add_note(size_t offset, size_t length, std::string label)
{
    return tree ? add(kNoField, offset, length, FieldValue{}, std::move(label)) : kNoItem;
}

void Packet::relabel(size_t item, std::string label)
{
    if (tree && item < tree->items.size())
        tree->items[item].label = std::move(label);
}

void Packet::cover(size_t item, size_t offset, size_t end)
{
    if (!tree || item >= tree->items.size())
        return;
    offset = std::min(offset, n_);
    end = std::clamp(end, offset, n_);
    tree->items[item].offset = uint32_t(offset);
    tree->items[item].length = uint32_t(end - offset);
}

void Packet::set_mac(const uint8_t* dst, const uint8_t* src)
{
    if (summary_->flags & DecodedPacket::HasMac)
        return;
    summary_->flags |= DecodedPacket::HasMac;
    std::memcpy(summary_->mac_dst.bytes.data(), dst, 6);
    std::memcpy(summary_->mac_src.bytes.data(), src, 6);
}

void Packet::set_ip(const IpAddress& src, const IpAddress& dst, size_t offset)
{
    if (summary_->flags & DecodedPacket::HasIp)
        return;
    summary_->flags |= DecodedPacket::HasIp;
    summary_->ip_src = src;
    summary_->ip_dst = dst;
    summary_->ip_offset = uint32_t(offset);
}

void Packet::set_ports(Proto transport, const IpAddress& src, const IpAddress& dst, uint16_t sp, uint16_t dp)
{
    if (summary_->flags & DecodedPacket::HasPorts)
        return;
    summary_->flags |= DecodedPacket::HasPorts;
    summary_->transport = transport;
    summary_->port_ip_src = src;
    summary_->port_ip_dst = dst;
    summary_->port_src = sp;
    summary_->port_dst = dp;
}

void Packet::set_app(Proto p, const Tvb& payload)
{
    if (!push(p))
        return;
    if (summary_->app == Proto::None) {
        summary_->app = p;
        summary_->app_offset = uint32_t(payload.begin());
        summary_->app_length = uint32_t(payload.length());
    }
}

} // namespace underhood::dissect
