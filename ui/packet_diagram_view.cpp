#include "packet_diagram_view.h"

#include <QEvent>
#include <QFontMetrics>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <string_view>

namespace {

// How a box words its value.
enum class Value {
    Label,    // what the tree says after "Name: " ("TCP (6)", "20 bytes (5)")
    Filter,   // the bare value of the field's filter ("10.0.0.1", "aa:bb:cc:dd:ee:ff")
    Flags,    // the names in the label's parentheses ("SYN, ACK")
    IpFlags,  // DF / MF from the three bits themselves
};

// One field of a header as the diagram places it: `bit` counts from the
// first byte the field covers (a bit field shares its bytes with others),
// `bits` 0 means all the bytes the field covers.
struct FieldSpot {
    std::string_view name;
    const char* short_name;
    int bit = 0;
    int bits = 0;
    Value value = Value::Label;
};

// Each known protocol's header fields. Positions are those of the RFCs
// (791, 8200, 792, 4443, 9293, 768, 1035, 826, IEEE 802.3/802.1Q); the
// engine's rows give the bytes, these give the bits within them.
constexpr FieldSpot kEth[] = {
    {"eth.dst", "Destination", 0, 0, Value::Filter},
    {"eth.src", "Source", 0, 0, Value::Filter},
    {"eth.type", "Type"},
    {"eth.len", "Length"},
};
constexpr FieldSpot kVlan[] = {
    {"vlan.priority", "PCP", 0, 3, Value::Filter},
    {"vlan.dei", "DEI", 3, 1, Value::Filter},
    {"vlan.id", "VLAN ID", 4, 12, Value::Filter},
    {"vlan.etype", "Type"},
    {"vlan.len", "Length"},
};
constexpr FieldSpot kArp[] = {
    {"arp.hw.type", "HW Type"},
    {"arp.proto.type", "Proto Type"},
    {"arp.hw.size", "HW Size", 0, 0, Value::Filter},
    {"arp.proto.size", "Proto Size", 0, 0, Value::Filter},
    {"arp.opcode", "Opcode"},
    {"arp.src.hw_mac", "Sender MAC", 0, 0, Value::Filter},
    {"arp.src.hw", "Sender HW Addr", 0, 0, Value::Label},
    {"arp.src.proto_ipv4", "Sender IP", 0, 0, Value::Filter},
    {"arp.src.proto", "Sender Proto Addr", 0, 0, Value::Label},
    {"arp.dst.hw_mac", "Target MAC", 0, 0, Value::Filter},
    {"arp.dst.hw", "Target HW Addr", 0, 0, Value::Label},
    {"arp.dst.proto_ipv4", "Target IP", 0, 0, Value::Filter},
    {"arp.dst.proto", "Target Proto Addr", 0, 0, Value::Label},
};
constexpr FieldSpot kIpv4[] = {
    {"ip.version", "Version", 0, 4},
    {"ip.hdr_len", "IHL", 4, 4},
    {"ip.dsfield", "DSCP / ECN", 0, 0, Value::Filter},
    {"ip.len", "Total Length"},
    {"ip.id", "Identification"},
    {"ip.flags", "Flags", 0, 3, Value::IpFlags},
    {"ip.frag_offset", "Fragment Offset", 3, 13},
    {"ip.ttl", "TTL"},
    {"ip.proto", "Protocol"},
    {"ip.checksum", "Header Checksum", 0, 0, Value::Filter},
    {"ip.src", "Source", 0, 0, Value::Filter},
    {"ip.dst", "Destination", 0, 0, Value::Filter},
};
constexpr FieldSpot kIpv6[] = {
    {"ipv6.version", "Version", 0, 4},
    {"ipv6.tclass", "Traffic Class", 4, 8, Value::Filter},
    {"ipv6.flow", "Flow Label", 12, 20, Value::Filter},
    {"ipv6.plen", "Payload Length"},
    {"ipv6.nxt", "Next Header"},
    {"ipv6.hlim", "Hop Limit"},
    {"ipv6.src", "Source", 0, 0, Value::Filter},
    {"ipv6.dst", "Destination", 0, 0, Value::Filter},
};
constexpr FieldSpot kIcmp[] = {
    {"icmp.type", "Type"},
    {"icmp.code", "Code"},
    {"icmp.checksum", "Checksum", 0, 0, Value::Filter},
    {"icmp.ident", "Identifier", 0, 0, Value::Filter},
    {"icmp.seq", "Sequence", 0, 0, Value::Filter},
    {"icmp.redir_gw", "Gateway", 0, 0, Value::Filter},
    {"icmp.pointer", "Pointer", 0, 0, Value::Filter},
    {"icmp.unused", "Unused", 0, 0, Value::Filter},
    {"icmp.mtu", "Next-Hop MTU", 0, 0, Value::Filter},
};
constexpr FieldSpot kIcmpv6[] = {
    {"icmpv6.type", "Type"},
    {"icmpv6.code", "Code"},
    {"icmpv6.checksum", "Checksum", 0, 0, Value::Filter},
    {"icmpv6.echo.identifier", "Identifier", 0, 0, Value::Filter},
    {"icmpv6.echo.sequence_number", "Sequence", 0, 0, Value::Filter},
    {"icmpv6.mtu", "MTU", 0, 0, Value::Filter},
    {"icmpv6.pointer", "Pointer", 0, 0, Value::Filter},
    {"icmpv6.reserved", "Reserved", 0, 0, Value::Filter},
    {"icmpv6.nd.ra.cur_hop_limit", "Cur Hop Limit", 0, 0, Value::Filter},
    {"icmpv6.nd.ra.flag", "Flags", 0, 0, Value::Filter},
    {"icmpv6.nd.ra.router_lifetime", "Router Lifetime", 0, 0, Value::Filter},
    {"icmpv6.nd.ra.reachable_time", "Reachable Time", 0, 0, Value::Filter},
    {"icmpv6.nd.ra.retrans_timer", "Retrans Timer", 0, 0, Value::Filter},
    {"icmpv6.nd.na.flag", "Flags", 0, 0, Value::Filter},
    {"icmpv6.nd.ns.target_address", "Target Address", 0, 0, Value::Filter},
    {"icmpv6.nd.na.target_address", "Target Address", 0, 0, Value::Filter},
    {"icmpv6.nd.rd.target_address", "Target Address", 0, 0, Value::Filter},
    {"icmpv6.nd.rd.destination_address", "Destination Address", 0, 0, Value::Filter},
};
constexpr FieldSpot kTcp[] = {
    {"tcp.srcport", "Src Port", 0, 0, Value::Filter},
    {"tcp.dstport", "Dst Port", 0, 0, Value::Filter},
    // The numbers as sent; the tree also shows them relative to the first.
    {"tcp.seq_raw", "Sequence Number", 0, 0, Value::Filter},
    {"tcp.ack_raw", "Acknowledgment Number", 0, 0, Value::Filter},
    {"tcp.hdr_len", "Data Offset", 0, 4},
    {"tcp.flags", "Flags", 4, 12, Value::Flags},
    {"tcp.window_size_value", "Window", 0, 0, Value::Filter},
    {"tcp.checksum", "Checksum", 0, 0, Value::Filter},
    {"tcp.urgent_pointer", "Urgent Pointer", 0, 0, Value::Filter},
};
constexpr FieldSpot kUdp[] = {
    {"udp.srcport", "Src Port", 0, 0, Value::Filter},
    {"udp.dstport", "Dst Port", 0, 0, Value::Filter},
    {"udp.length", "Length", 0, 0, Value::Filter},
    {"udp.checksum", "Checksum", 0, 0, Value::Filter},
};
constexpr FieldSpot kDns[] = {
    {"dns.length", "Length", 0, 0, Value::Filter}, // over TCP (RFC 1035 4.2.2)
    {"dns.id", "Transaction ID", 0, 0, Value::Filter},
    {"dns.flags", "Flags"},
    {"dns.count.queries", "Questions", 0, 0, Value::Filter},
    {"dns.count.answers", "Answer RRs", 0, 0, Value::Filter},
    {"dns.count.auth_rr", "Authority RRs", 0, 0, Value::Filter},
    {"dns.count.add_rr", "Additional RRs", 0, 0, Value::Filter},
};

struct ProtocolSpots {
    std::string_view layer;
    const FieldSpot* spots;
    size_t count;
    const char* rest; // what the bytes after the fixed fields are
    int hue;          // the layer's colour
};
template <size_t N>
constexpr ProtocolSpots spots(std::string_view layer, const FieldSpot (&s)[N], const char* rest, int hue)
{
    return {layer, s, N, rest, hue};
}
constexpr ProtocolSpots kProtocols[] = {
    spots("eth", kEth, "Trailer", 205),
    spots("vlan", kVlan, "Data", 185),
    spots("arp", kArp, "Data", 55),
    spots("ip", kIpv4, "Options", 30),
    spots("ipv6", kIpv6, "Extension Headers", 40),
    spots("icmp", kIcmp, "Data", 350),
    spots("icmpv6", kIcmpv6, "Data", 350),
    spots("tcp", kTcp, "Options", 130),
    spots("udp", kUdp, "Data", 165),
    spots("dns", kDns, "Questions and Records", 275),
};

const ProtocolSpots* protocol_spots(const std::string& layer)
{
    for (const ProtocolSpots& p : kProtocols)
        if (p.layer == layer)
            return &p;
    return nullptr;
}

// A layer's colour from its name, for the layers without a table.
int hue_of(const std::string& name)
{
    if (const ProtocolSpots* p = protocol_spots(name))
        return p->hue;
    return int(qHash(QString::fromStdString(name)) % 360);
}

QString after(const QString& s, const QString& sep)
{
    const int at = s.indexOf(sep);
    return at < 0 ? s : s.mid(at + sep.size());
}

// The value as a box shows it.
QString value_text(const underhood::DissectedField& f, const FieldSpot& spot, const QByteArray& bytes, int packet_bit)
{
    const QString label = QString::fromStdString(f.label);
    // Bit fields read "0100 .... = Version: 4"; the rest "Version: 4".
    const QString text = after(f.bits ? after(label, QStringLiteral(" = ")) : label, QStringLiteral(": "));
    switch (spot.value) {
    case Value::Filter:
        if (const int eq = int(f.filter.find(" == ")); eq >= 0)
            return QString::fromStdString(f.filter.substr(size_t(eq) + 4)).remove('"');
        return text;
    case Value::Flags: {
        const int open = text.lastIndexOf('('), close = text.lastIndexOf(')');
        if (open >= 0 && close > open)
            return text.mid(open + 1, close - open - 1);
        return text;
    }
    case Value::IpFlags: {
        const int byte = packet_bit / 8;
        if (byte >= bytes.size())
            return text;
        const uint8_t b = uint8_t(bytes[byte]);
        QStringList on;
        if (b & 0x80)
            on << QStringLiteral("RB");
        if (b & 0x40)
            on << QStringLiteral("DF");
        if (b & 0x20)
            on << QStringLiteral("MF");
        return on.isEmpty() ? QStringLiteral("0") : on.join(' ');
    }
    case Value::Label:
        break;
    }
    return text;
}

// The layer's title: its row up to the first comma ("Internet Protocol Version 4").
QString layer_title(const underhood::DissectedField& f)
{
    QString title = QString::fromStdString(f.label);
    if (const int comma = title.indexOf(QStringLiteral(", ")); comma > 0)
        title.truncate(comma);
    return title.isEmpty() ? QString::fromStdString(f.name) : title;
}

QString bytes_text(uint32_t n)
{
    return n == 1 ? QObject::tr("1 byte") : QObject::tr("%1 bytes").arg(n);
}

} // namespace

PacketDiagramView::PacketDiagramView(QWidget* parent) : QAbstractScrollArea(parent)
{
    setObjectName("packetDiagram");
    setFocusPolicy(Qt::StrongFocus);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    viewport()->setMouseTracking(true);
    viewport()->setBackgroundRole(QPalette::Base);
    placeholder_ = tr("Select a packet to draw its headers.");
}

QSize PacketDiagramView::sizeHint() const { return {520, 400}; }
QSize PacketDiagramView::minimumSizeHint() const { return {200, 120}; }

void PacketDiagramView::setPlaceholderText(const QString& text)
{
    placeholder_ = text;
    viewport()->update();
}

void PacketDiagramView::clear()
{
    dissection_ = {};
    bytes_.clear();
    build();
}

void PacketDiagramView::setPacket(const underhood::Dissection& d, const QByteArray& bytes)
{
    dissection_ = d;
    bytes_ = bytes;
    build();
}

void PacketDiagramView::setScale(double scale)
{
    scale_ = std::clamp(scale, 0.5, 4.0);
    relayout();
}

// Boxes from the field tree: each top-level layer but the frame; in a layer
// the diagram knows, each field it has a spot for, then one box for what the
// header holds beyond them; bytes after the last layer are the payload.
void PacketDiagramView::build()
{
    layers_.clear();
    boxes_.clear();
    selected_box_ = hover_box_ = -1;
    const auto& fields = dissection_.fields;
    uint32_t end_of_layers = 0;
    for (size_t i = 0; i < fields.size(); ++i) {
        const underhood::DissectedField& lf = fields[i];
        if (lf.depth != 0 || lf.name.empty() || lf.name == "frame" || lf.length == 0)
            continue;
        if (lf.offset < end_of_layers)
            continue; // inside a layer already drawn (an ICMP error's quoted header)
        Layer layer;
        layer.title = layer_title(lf);
        layer.field = int(i);
        layer.offset = lf.offset;
        layer.length = lf.length;
        const int li = int(layers_.size());
        const size_t first_box = boxes_.size();
        int covered = 0; // bits of the layer drawn field by field
        if (const ProtocolSpots* ps = protocol_spots(lf.name)) {
            std::vector<std::pair<int, int>> taken;
            for (size_t k = i + 1; k < fields.size() && fields[k].depth > 0; ++k) {
                const underhood::DissectedField& f = fields[k];
                if (f.name.empty() || f.length == 0 || f.offset < lf.offset)
                    continue;
                const FieldSpot* spot = nullptr;
                for (size_t s = 0; s < ps->count && !spot; ++s)
                    if (ps->spots[s].name == f.name)
                        spot = &ps->spots[s];
                if (!spot)
                    continue;
                const int width = spot->bits ? spot->bits : int(f.length) * 8;
                // The spot must lie within the bytes the engine says the field covers.
                if (spot->bit + width > int(f.length) * 8)
                    continue;
                const int bit = int(f.offset - lf.offset) * 8 + spot->bit;
                if (bit + width > int(lf.length) * 8)
                    continue;
                const bool overlaps = std::any_of(taken.begin(), taken.end(), [&](const auto& t) {
                    return bit < t.second && t.first < bit + width;
                });
                if (overlaps)
                    continue; // one box per bit range: the first field that fills it
                taken.emplace_back(bit, bit + width);
                Box b;
                b.field = int(k);
                b.layer = li;
                b.bit = bit;
                b.bits = width;
                b.name = tr(spot->short_name);
                b.value = value_text(f, *spot, bytes_, int(lf.offset) * 8 + bit);
                boxes_.push_back(b);
                covered = std::max(covered, bit + width);
            }
            std::sort(boxes_.begin() + qsizetype(first_box), boxes_.end(),
                      [](const Box& a, const Box& b) { return a.bit < b.bit; });
            covered = (covered + 7) / 8 * 8;
            if (covered < int(lf.length) * 8) {
                // What the header holds beyond its fixed part: one box.
                const uint32_t at = lf.offset + uint32_t(covered / 8);
                Box b;
                // The layer's own row over those bytes ("Options: (20 bytes)"), else the layer.
                b.field = int(i);
                for (size_t k = i + 1; k < fields.size() && fields[k].depth > 0; ++k)
                    if (fields[k].depth == 1 && fields[k].covers(at) && !fields[k].bits) {
                        b.field = int(k);
                        break;
                    }
                b.layer = li;
                b.bit = covered;
                b.bits = int(lf.length) * 8 - covered;
                b.name = tr(ps->rest);
                b.value = bytes_text(lf.length - uint32_t(covered / 8));
                b.summary = true;
                boxes_.push_back(b);
            }
        } else {
            // A layer drawn as one box: its name and size.
            Box b;
            b.field = int(i);
            b.layer = li;
            b.bit = 0;
            b.bits = int(lf.length) * 8;
            b.name = QString::fromStdString(lf.name).toUpper();
            b.value = bytes_text(lf.length);
            b.summary = true;
            boxes_.push_back(b);
        }
        layers_.push_back(layer);
        end_of_layers = std::max(end_of_layers, lf.offset + lf.length);
    }
    // What no layer took: the payload up to where the network layer says
    // its packet ends, then the padding a short Ethernet frame carries.
    const uint32_t size = uint32_t(bytes_.size());
    const uint32_t packet_end = std::clamp(network_end(), end_of_layers, size);
    if (!layers_.empty())
        add_rest(end_of_layers, packet_end, tr("Payload"), tr("Payload"));
    if (!layers_.empty())
        add_rest(std::max(end_of_layers, packet_end), size, tr("Padding"), tr("Ethernet padding"));
    relayout();
}

uint32_t PacketDiagramView::network_end() const
{
    const auto& fields = dissection_.fields;
    const auto be16 = [this](uint32_t at) {
        return at + 1 < uint32_t(bytes_.size()) ? uint32_t(uint8_t(bytes_[at])) << 8 | uint8_t(bytes_[at + 1]) : 0u;
    };
    for (const underhood::DissectedField& f : fields) {
        if (f.depth != 0)
            continue;
        // A length of 0 (a segmentation offload's giant packet, a jumbogram)
        // says nothing: the frame is the packet.
        if (f.name == "ip" && be16(f.offset + 2))
            return f.offset + be16(f.offset + 2); // the total length (RFC 791)
        if (f.name == "ipv6" && be16(f.offset + 4))
            return f.offset + 40 + be16(f.offset + 4); // the payload length (RFC 8200)
        if (f.name == "ip" || f.name == "ipv6")
            break;
        if (f.name == "arp")
            return f.offset + f.length;
    }
    return uint32_t(bytes_.size());
}

void PacketDiagramView::add_rest(uint32_t from, uint32_t to, const QString& name, const QString& title)
{
    if (from >= to)
        return;
    Layer layer;
    layer.title = title;
    layer.offset = from;
    layer.length = to - from;
    Box b;
    b.field = dissection_.field_at(from);
    if (b.field >= 0 && dissection_.fields[size_t(b.field)].depth == 0 &&
        dissection_.fields[size_t(b.field)].name == "frame")
        b.field = -1;
    b.layer = int(layers_.size());
    b.bits = int(to - from) * 8;
    b.name = name;
    b.value = bytes_text(to - from);
    b.summary = true;
    boxes_.push_back(b);
    layers_.push_back(layer);
}

int PacketDiagramView::fontPixels() const
{
    // The text grows with the bit cells (a wide window, a projector) and
    // with the chosen scale, but stays readable in a narrow dock.
    const double px = std::clamp(bit_width_ * 0.46, 12.0, 24.0) * scale_;
    return std::max(9, int(std::lround(px)));
}

void PacketDiagramView::relayout()
{
    const int width = viewport()->width();
    left_ = 10;
    const int min_bit = int(std::lround(10 * scale_));
    bit_width_ = std::max(min_bit, (width - 2 * left_) / 32);
    const int px = fontPixels();
    QFont f = font();
    f.setPixelSize(px);
    const QFontMetrics fm(f);
    QFont small = f;
    small.setPixelSize(std::max(9, px * 4 / 5));
    const QFontMetrics sm(small);
    row_height_ = sm.height() + fm.height() + 10;
    title_height_ = fm.height() + 12;
    ruler_height_ = 2 * sm.height() + 8;

    pieces_.clear();
    layer_top_.clear();
    int y = 6;
    for (size_t li = 0; li < layers_.size(); ++li) {
        Layer& layer = layers_[li];
        layer_top_.push_back(y);
        const int top = y + title_height_;
        int last_row = -1;
        for (size_t bi = 0; bi < boxes_.size(); ++bi) {
            const Box& b = boxes_[bi];
            if (b.layer != int(li))
                continue;
            std::vector<Piece> mine;
            int bit = b.bit;
            int left = b.bits;
            while (left > 0) {
                const int row = bit / 32, col = bit % 32;
                int n = std::min(left, 32 - col);
                if (b.summary && mine.size() == 1)
                    break; // a summary is one box: its first row piece and at most one full row
                if (col == 0 && n == 32 && !mine.empty() && mine.back().rect.width() == 32 * bit_width_ &&
                    mine.back().rect.bottom() + 1 == top + row * row_height_) {
                    // Full rows of one field make one tall box, as RFC 8200 draws addresses.
                    mine.back().rect.setBottom(top + (row + 1) * row_height_ - 1);
                } else {
                    Piece p;
                    p.box = int(bi);
                    p.rect = QRect(left_ + col * bit_width_, top + row * row_height_, n * bit_width_, row_height_);
                    mine.push_back(p);
                }
                last_row = std::max(last_row, row);
                bit += n;
                left -= n;
            }
            // Labelled once: on the largest piece.
            size_t best = 0;
            for (size_t k = 1; k < mine.size(); ++k)
                if (mine[k].rect.width() * mine[k].rect.height() > mine[best].rect.width() * mine[best].rect.height())
                    best = k;
            if (!mine.empty())
                mine[best].labelled = true;
            pieces_.insert(pieces_.end(), mine.begin(), mine.end());
        }
        layer.rows = last_row + 1;
        y = top + layer.rows * row_height_ + title_height_ / 2;
    }
    content_height_ = y;
    const int view_h = std::max(0, viewport()->height() - ruler_height_);
    verticalScrollBar()->setRange(0, std::max(0, content_height_ - view_h));
    verticalScrollBar()->setPageStep(view_h);
    verticalScrollBar()->setSingleStep(row_height_);
    const int content_w = 2 * left_ + 32 * bit_width_;
    horizontalScrollBar()->setRange(0, std::max(0, content_w - width));
    horizontalScrollBar()->setPageStep(width);
    viewport()->update();
}

QRect PacketDiagramView::toViewport(const QRect& content) const
{
    return content.translated(-horizontalScrollBar()->value(), ruler_height_ - verticalScrollBar()->value());
}

QRect PacketDiagramView::boxRect(int box) const
{
    for (const Piece& p : pieces_)
        if (p.box == box && p.labelled) {
            const QRect r = toViewport(p.rect);
            return r.intersects(viewport()->rect().adjusted(0, ruler_height_, 0, 0)) ? r : QRect();
        }
    return {};
}

int PacketDiagramView::boxAt(const QPoint& point) const
{
    if (point.y() < ruler_height_)
        return -1;
    for (const Piece& p : pieces_)
        if (toViewport(p.rect).contains(point))
            return p.box;
    return -1;
}

void PacketDiagramView::selectField(int field)
{
    int found = -1;
    const auto& fields = dissection_.fields;
    if (field >= 0 && size_t(field) < fields.size()) {
        // The field's own box, else the box of the nearest enclosing field
        // (a flag bit lights its flags box), else a box over its first byte.
        // A layer's row lights only a box that is the whole layer.
        for (int f = field; f >= 0 && found < 0; f = dissection_.parent(f))
            for (size_t b = 0; b < boxes_.size() && found < 0; ++b)
                if (boxes_[b].field == f && (fields[size_t(f)].depth > 0 || f == field))
                    found = int(b);
        if (found < 0 && fields[size_t(field)].length > 0 && fields[size_t(field)].depth > 0) {
            const uint32_t byte = fields[size_t(field)].offset;
            for (size_t b = 0; b < boxes_.size() && found < 0; ++b) {
                const Box& x = boxes_[b];
                const uint32_t start = layers_[size_t(x.layer)].offset * 8 + uint32_t(x.bit);
                if (byte * 8 >= start / 8 * 8 && byte * 8 < start + uint32_t(x.bits))
                    found = int(b);
            }
        }
    }
    if (found == selected_box_)
        return;
    selected_box_ = found;
    scrollToBox(found);
    viewport()->update();
}

void PacketDiagramView::scrollToBox(int box)
{
    for (const Piece& p : pieces_)
        if (p.box == box && p.labelled) {
            const QRect r = toViewport(p.rect);
            const int top = ruler_height_, bottom = viewport()->height();
            if (r.top() < top)
                verticalScrollBar()->setValue(verticalScrollBar()->value() - (top - r.top()) - title_height_);
            else if (r.bottom() > bottom)
                verticalScrollBar()->setValue(verticalScrollBar()->value() + r.bottom() - bottom + 4);
        }
}

void PacketDiagramView::activate(int box)
{
    if (box < 0 || size_t(box) >= boxes_.size())
        return;
    selected_box_ = box;
    viewport()->update();
    if (boxes_[size_t(box)].field >= 0)
        emit fieldActivated(boxes_[size_t(box)].field);
}

void PacketDiagramView::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    relayout();
}

void PacketDiagramView::changeEvent(QEvent* event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        relayout();
    if (event->type() == QEvent::PaletteChange)
        viewport()->update();
}

void PacketDiagramView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton)
        activate(boxAt(event->position().toPoint()));
    QAbstractScrollArea::mousePressEvent(event);
}

void PacketDiagramView::mouseMoveEvent(QMouseEvent* event)
{
    const int box = boxAt(event->position().toPoint());
    if (box != hover_box_) {
        hover_box_ = box;
        viewport()->setCursor(box >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
        viewport()->update();
    }
    QAbstractScrollArea::mouseMoveEvent(event);
}

void PacketDiagramView::leaveEvent(QEvent* event)
{
    hover_box_ = -1;
    viewport()->update();
    QAbstractScrollArea::leaveEvent(event);
}

void PacketDiagramView::wheelEvent(QWheelEvent* event)
{
    // Ctrl+wheel zooms the text, as in the browser a lesson is also shown in.
    if (event->modifiers() & Qt::ControlModifier) {
        const int steps = event->angleDelta().y() / 120;
        if (steps)
            setScale(scale_ * std::pow(1.15, steps));
        event->accept();
        return;
    }
    QAbstractScrollArea::wheelEvent(event);
}

void PacketDiagramView::keyPressEvent(QKeyEvent* event)
{
    if (event->modifiers() & Qt::ControlModifier) {
        if (event->key() == Qt::Key_Plus || event->key() == Qt::Key_Equal) {
            setScale(scale_ * 1.15);
            return;
        }
        if (event->key() == Qt::Key_Minus) {
            setScale(scale_ / 1.15);
            return;
        }
        if (event->key() == Qt::Key_0) {
            setScale(1.0);
            return;
        }
    }
    // Left/right walk the boxes in the order the bytes go.
    if ((event->key() == Qt::Key_Left || event->key() == Qt::Key_Right) && !boxes_.empty()) {
        const int step = event->key() == Qt::Key_Left ? -1 : 1;
        const int n = int(boxes_.size());
        activate(selected_box_ < 0 ? 0 : std::clamp(selected_box_ + step, 0, n - 1));
        return;
    }
    QAbstractScrollArea::keyPressEvent(event);
}

bool PacketDiagramView::viewportEvent(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int box = boxAt(help->pos());
        if (box < 0) {
            QToolTip::hideText();
            return true;
        }
        const Box& b = boxes_[size_t(box)];
        const uint32_t first = layers_[size_t(b.layer)].offset + uint32_t(b.bit / 8);
        const uint32_t last = layers_[size_t(b.layer)].offset + uint32_t((b.bit + b.bits - 1) / 8);
        QString tip;
        if (b.field >= 0 && !b.summary)
            tip = QString::fromStdString(dissection_.fields[size_t(b.field)].label) + '\n';
        else
            tip = b.name + ": " + b.value + '\n';
        tip += first == last ? tr("Byte %1").arg(first) : tr("Bytes %1–%2").arg(first).arg(last);
        tip += b.bits == 1 ? tr(" · bit %1").arg(b.bit) : tr(" · bits %1–%2 (%3 bits)").arg(b.bit).arg(b.bit + b.bits - 1).arg(b.bits);
        if (b.field >= 0 && !dissection_.fields[size_t(b.field)].name.empty() && !b.summary)
            tip += " · " + QString::fromStdString(dissection_.fields[size_t(b.field)].name);
        QToolTip::showText(help->globalPos(), tip, viewport());
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void PacketDiagramView::paintEvent(QPaintEvent*)
{
    QPainter p(viewport());
    const QPalette pal = palette();
    const bool dark = pal.color(QPalette::Base).lightnessF() < 0.5;
    p.fillRect(viewport()->rect(), pal.color(QPalette::Base));
    const int px = fontPixels();
    QFont main = font();
    main.setPixelSize(px);
    QFont bold = main;
    bold.setBold(true);
    QFont small = main;
    small.setPixelSize(std::max(9, px * 4 / 5));
    const QColor text = pal.color(QPalette::Text);
    QColor muted = text;
    muted.setAlphaF(0.72f);
    const QColor line = dark ? QColor(0x9a, 0x9d, 0xa3) : QColor(0x55, 0x58, 0x5e);

    if (layers_.empty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.setFont(main);
        p.drawText(viewport()->rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
        return;
    }

    const int dx = -horizontalScrollBar()->value();
    p.save();
    p.setClipRect(QRect(0, ruler_height_, viewport()->width(), viewport()->height() - ruler_height_));
    p.setRenderHint(QPainter::Antialiasing, false);
    for (size_t li = 0; li < layers_.size(); ++li) {
        const QRect title = toViewport(QRect(left_, layer_top_[li], 32 * bit_width_, title_height_));
        p.setFont(bold);
        p.setPen(text);
        const Layer& layer = layers_[li];
        // Where the layer sits in the packet, for the hex view beside it.
        const QString where = layer.length == 1 ? tr("byte %1").arg(layer.offset)
                                                : tr("bytes %1–%2").arg(layer.offset).arg(layer.offset + layer.length - 1);
        const int where_w = QFontMetrics(small).horizontalAdvance(where);
        const bool room = where_w + QFontMetrics(bold).horizontalAdvance(layer.title) + 16 < title.width();
        p.drawText(title.adjusted(0, 0, room ? -where_w - 16 : 0, -4), Qt::AlignLeft | Qt::AlignBottom,
                   QFontMetrics(bold).elidedText(layer.title, Qt::ElideRight, title.width()));
        if (room) {
            p.setFont(small);
            p.setPen(muted);
            p.drawText(title.adjusted(0, 0, 0, -5), Qt::AlignRight | Qt::AlignBottom, where);
        }
    }
    for (const Piece& piece : pieces_) {
        const Box& b = boxes_[size_t(piece.box)];
        const QRect r = toViewport(piece.rect);
        if (!r.intersects(viewport()->rect()))
            continue;
        const int hue = b.layer < int(layers_.size()) && layers_[size_t(b.layer)].field >= 0
                            ? hue_of(dissection_.fields[size_t(layers_[size_t(b.layer)].field)].name)
                            : 0;
        // Neighbouring fields alternate in shade so their edges read at a glance.
        const bool odd = piece.box % 2;
        QColor fill;
        if (layers_[size_t(b.layer)].field < 0)
            fill = dark ? QColor(0x3a, 0x3c, 0x40) : QColor(0xe8, 0xe8, 0xea);
        else if (dark)
            fill = QColor::fromHsl(hue, 70, odd ? 58 : 48);
        else
            fill = QColor::fromHsl(hue, 150, odd ? 222 : 236);
        QColor ink = text;
        QColor name_ink = muted;
        if (piece.box == selected_box_) {
            fill = pal.color(QPalette::Highlight);
            ink = name_ink = pal.color(QPalette::HighlightedText);
        } else if (piece.box == hover_box_) {
            fill = dark ? fill.lighter(130) : fill.darker(108);
        }
        p.fillRect(r, fill);
        p.setPen(QPen(line, 1));
        p.drawRect(r.adjusted(0, 0, -1, -1));
        if (!piece.labelled) {
            // The rest of a field that wraps: its name, quietly, so the row reads on its own.
            const QFontMetrics sm(small);
            p.setFont(small);
            p.setPen(name_ink);
            p.drawText(r.adjusted(4, 2, -4, -2), Qt::AlignCenter,
                       sm.elidedText(tr("%1 (cont.)").arg(b.name), Qt::ElideRight, r.width() - 8));
            continue;
        }
        const QRect inner = r.adjusted(4, 3, -4, -3);
        const QFontMetrics fm(bold), sm(small);
        // Name above, value below; a box too narrow for either shows what fits.
        const int block = sm.height() + fm.height();
        const int top = inner.top() + std::max(0, (inner.height() - block) / 2);
        const QRect name_r(inner.left(), top, inner.width(), sm.height());
        const QRect value_r(inner.left(), top + sm.height(), inner.width(), fm.height());
        p.setFont(small);
        p.setPen(name_ink);
        p.drawText(name_r, Qt::AlignCenter, sm.elidedText(b.name, Qt::ElideRight, inner.width()));
        p.setFont(bold);
        p.setPen(ink);
        p.drawText(value_r, Qt::AlignCenter, fm.elidedText(b.value, Qt::ElideMiddle, inner.width()));
    }
    p.restore();

    // The bit ruler, fixed over the rows as RFCs print it: tens, then units.
    p.fillRect(QRect(0, 0, viewport()->width(), ruler_height_), pal.color(QPalette::Base));
    const QFontMetrics sm(small);
    p.setFont(small);
    p.setPen(muted);
    for (int bit = 0; bit < 32; ++bit) {
        const int x = left_ + dx + bit * bit_width_;
        const QRect cell(x, 2, bit_width_, sm.height());
        if (bit % 10 == 0)
            p.drawText(cell, Qt::AlignCenter, QString::number(bit / 10));
        p.drawText(cell.translated(0, sm.height()), Qt::AlignCenter, QString::number(bit % 10));
        const int tick = bit % 8 == 0 ? 6 : 3;
        p.drawLine(x, ruler_height_ - tick, x, ruler_height_ - 1);
    }
    p.drawLine(left_ + dx + 32 * bit_width_, ruler_height_ - 6, left_ + dx + 32 * bit_width_, ruler_height_ - 1);
    p.setPen(QPen(line, 1));
    p.drawLine(left_ + dx, ruler_height_ - 1, left_ + dx + 32 * bit_width_, ruler_height_ - 1);
}
