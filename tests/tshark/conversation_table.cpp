#include "conversation_table.h"

#include "traffic_model.h"

#include <QJsonArray>
#include <QJsonValue>
#include <QList>

namespace tshark_compare {

void ConversationTable::add_ip(const QString& src, const QString& dst, uint64_t frame_bytes)
{
    // Byte order of the text, which is what std::string's operator< gives the CLI.
    const bool forward = src.toUtf8() <= dst.toUtf8();
    ConversationCounts& c = conversations[forward ? std::pair{src, dst} : std::pair{dst, src}];
    ++c.packets;
    c.bytes += frame_bytes;
    if (forward) {
        ++c.a_to_b_packets;
        c.a_to_b_bytes += frame_bytes;
    } else {
        ++c.b_to_a_packets;
        c.b_to_a_bytes += frame_bytes;
    }
}

QStringList tshark_arguments(const QString& capture)
{
    return {"-n", "-r", capture, "-T", "fields", "-E", "occurrence=f", "-e", "frame.len", "-e", "frame.protocols",
            "-e", "ip.src", "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst"};
}

TsharkParse parse_tshark_fields(const QByteArray& output)
{
    TsharkParse r;
    const QList<QByteArray> lines = output.split('\n');
    for (const QByteArray& raw : lines) {
        QByteArray line = raw;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty())
            continue;
        QList<QByteArray> f = line.split('\t');
        while (f.size() < 6)
            f.append(QByteArray());
        bool ok = false;
        const uint64_t len = f[0].toULongLong(&ok);
        if (!ok) {
            ++r.bad_lines;
            continue;
        }
        r.table.add_frame(len);
        const QString ip_src = QString::fromLatin1(f[2]), ip_dst = QString::fromLatin1(f[3]);
        const QString ip6_src = QString::fromLatin1(f[4]), ip6_dst = QString::fromLatin1(f[5]);
        const QList<QByteArray> layers = f[1].split(':');
        // Key the frame by its first ip or ipv6 layer. With occurrence=f the
        // address fields are those of the first layer that set them.
        for (qsizetype i = 0; i < layers.size(); ++i) {
            const QByteArray& layer = layers[i];
            if (layer == "ip") {
                // Wireshark's IP dissector hands a version 6 header to IPv6
                // ("ip:ipv6") without adding IPv4 addresses: the IPv6 header
                // is the outermost one. (A later inner IPv4 header would
                // supply ip.src there: no capture in the corpus does that.)
                if (i + 1 < layers.size() && layers[i + 1] == "ipv6" && ip_src.isEmpty() && ip_dst.isEmpty())
                    continue;
                if (!ip_src.isEmpty() && !ip_dst.isEmpty())
                    r.table.add_ip(ip_src, ip_dst, len);
                else if (!ip_src.isEmpty() || !ip_dst.isEmpty())
                    ++r.partial_header_frames;
                break;
            }
            if (layer == "ipv6") {
                if (!ip6_src.isEmpty() && !ip6_dst.isEmpty())
                    r.table.add_ip(ip6_src, ip6_dst, len);
                else if (!ip6_src.isEmpty() || !ip6_dst.isEmpty())
                    ++r.partial_header_frames;
                break;
            }
        }
    }
    return r;
}

ConversationTable table_from_model(const underhood::TrafficModel& model)
{
    ConversationTable t;
    t.packets = model.totals().packets;
    t.bytes = model.totals().bytes;
    for (const auto& [key, st] : model.layer(underhood::Layer::Ip).conversations) {
        QString a = QString::fromStdString(key.a.to_string()), b = QString::fromStdString(key.b.to_string());
        ConversationCounts c;
        c.packets = st.packets;
        c.bytes = st.bytes;
        c.a_to_b_packets = st.a_to_b_packets;
        c.a_to_b_bytes = st.a_to_b_bytes;
        c.b_to_a_packets = st.b_to_a_packets;
        c.b_to_a_bytes = st.b_to_a_bytes;
        if (b.toUtf8() < a.toUtf8()) {
            std::swap(a, b);
            std::swap(c.a_to_b_packets, c.b_to_a_packets);
            std::swap(c.a_to_b_bytes, c.b_to_a_bytes);
        }
        t.conversations[{a, b}] = c;
    }
    return t;
}

namespace {

bool read_count(const QJsonObject& o, const char* name, uint64_t& out, QString& error)
{
    const QJsonValue v = o.value(QLatin1String(name));
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d < 0 || d != double(uint64_t(d))) {
        error = QStringLiteral("\"%1\" is missing or not a count").arg(QLatin1String(name));
        return false;
    }
    out = uint64_t(d);
    return true;
}

QString row_text(const ConversationCounts& c)
{
    return QStringLiteral("%1 pkts %2 B (a->b %3/%4, b->a %5/%6)")
        .arg(c.packets)
        .arg(c.bytes)
        .arg(c.a_to_b_packets)
        .arg(c.a_to_b_bytes)
        .arg(c.b_to_a_packets)
        .arg(c.b_to_a_bytes);
}

} // namespace

bool table_from_json(const QJsonObject& doc, ConversationTable& out, QString& error)
{
    out = ConversationTable{};
    if (!read_count(doc, "packets", out.packets, error) || !read_count(doc, "bytes", out.bytes, error))
        return false;
    const QJsonValue convs = doc.value(QLatin1String("conversations"));
    if (!convs.isArray()) {
        error = QStringLiteral("\"conversations\" is missing or not an array");
        return false;
    }
    for (const QJsonValue& v : convs.toArray()) {
        const QJsonObject o = v.toObject();
        const QString a = o.value(QLatin1String("a")).toString(), b = o.value(QLatin1String("b")).toString();
        if (a.isEmpty() || b.isEmpty()) {
            error = QStringLiteral("a conversation without \"a\" and \"b\"");
            return false;
        }
        ConversationCounts c;
        if (!read_count(o, "packets", c.packets, error) || !read_count(o, "bytes", c.bytes, error) ||
            !read_count(o, "a_to_b_packets", c.a_to_b_packets, error) ||
            !read_count(o, "a_to_b_bytes", c.a_to_b_bytes, error) ||
            !read_count(o, "b_to_a_packets", c.b_to_a_packets, error) ||
            !read_count(o, "b_to_a_bytes", c.b_to_a_bytes, error))
            return false;
        if (!out.conversations.emplace(std::pair{a, b}, c).second) {
            error = QStringLiteral("conversation %1 <-> %2 listed twice").arg(a, b);
            return false;
        }
    }
    return true;
}

QStringList differences(const ConversationTable& expected, const ConversationTable& actual, int limit)
{
    QStringList out;
    int total = 0;
    auto note = [&](const QString& s) {
        if (total++ < limit)
            out << s;
    };
    if (expected.packets != actual.packets || expected.bytes != actual.bytes)
        note(QStringLiteral("totals: expected %1 packets %2 bytes, got %3 packets %4 bytes")
                 .arg(expected.packets)
                 .arg(expected.bytes)
                 .arg(actual.packets)
                 .arg(actual.bytes));
    for (const auto& [key, c] : expected.conversations) {
        auto it = actual.conversations.find(key);
        if (it == actual.conversations.end())
            note(QStringLiteral("missing %1 <-> %2: expected %3").arg(key.first, key.second, row_text(c)));
        else if (!(it->second == c))
            note(QStringLiteral("%1 <-> %2: expected %3, got %4")
                     .arg(key.first, key.second, row_text(c), row_text(it->second)));
    }
    for (const auto& [key, c] : actual.conversations)
        if (!expected.conversations.count(key))
            note(QStringLiteral("unexpected %1 <-> %2: got %3").arg(key.first, key.second, row_text(c)));
    if (total > limit)
        out << QStringLiteral("... and %1 more differences").arg(total - limit);
    return out;
}

} // namespace tshark_compare
