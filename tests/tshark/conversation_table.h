// IP-layer conversations as plain text rows, so tshark's view, the library's
// and a golden file can be compared field by field.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <map>
#include <utility>

namespace underhood {
class TrafficModel;
}

namespace tshark_compare {

struct ConversationCounts {
    uint64_t packets = 0, bytes = 0;
    uint64_t a_to_b_packets = 0, a_to_b_bytes = 0;
    uint64_t b_to_a_packets = 0, b_to_a_bytes = 0;
    bool operator==(const ConversationCounts&) const = default;
};

struct ConversationTable {
    uint64_t packets = 0, bytes = 0; // every frame of the capture
    // Keyed by (a, b) with a <= b as text, like `underhood-cli stats --json`.
    std::map<std::pair<QString, QString>, ConversationCounts> conversations;

    void add_frame(uint64_t frame_bytes)
    {
        ++packets;
        bytes += frame_bytes;
    }
    void add_ip(const QString& src, const QString& dst, uint64_t frame_bytes);
};

// The fields tshark prints for
//   -T fields -E occurrence=f -e frame.len -e frame.protocols
//   -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst
QStringList tshark_arguments(const QString& capture);

struct TsharkParse {
    ConversationTable table;
    // Frames whose first IP layer lacks an address: the captured bytes end
    // inside the fixed header. tshark shows the half it read but keeps them
    // out of its own conversation table (-z conv,ip), and the stats contract
    // counts a packet as IP only with the whole fixed header: not IP here.
    uint64_t partial_header_frames = 0;
    uint64_t bad_lines = 0;
};
TsharkParse parse_tshark_fields(const QByteArray& output);

// The IP layer of a model fed with the whole capture.
ConversationTable table_from_model(const underhood::TrafficModel& model);

// The "packets", "bytes" and "conversations" of a stats --json document or a golden file.
bool table_from_json(const QJsonObject& doc, ConversationTable& out, QString& error);

// Human-readable differences, at most `limit` lines; empty when equal.
QStringList differences(const ConversationTable& expected, const ConversationTable& actual, int limit = 12);

} // namespace tshark_compare
