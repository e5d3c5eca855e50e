// Edit > Find: the packet a display filter, a piece of text or a run of hex
// bytes picks, searched from the selected row forwards or backwards, the way
// Wireshark's find bar does it (over the rows listed, so a display filter in
// force narrows the search too).
#pragma once

#include "display_filter.h"
#include "packet_list_model.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace underhood {

class PacketSearch {
public:
    enum class Kind { DisplayFilter, Text, HexBytes };

    // Checks and prepares the pattern; false with a message in `error`.
    bool prepare(Kind kind, const QString& pattern, const IngestEngine& engine, QString* error);
    // Rows searched after (or before) `from_row`, wrapping round once; -1
    // from_row starts at the first (or last) row. Returns -1 when none matches.
    int find(const PacketListModel& model, const IngestEngine& engine, int from_row, bool forward) const;
    bool matches(const PacketListModel& model, const IngestEngine& engine, int row) const;

    // "de ad be ef", "deadbeef", "de:ad:be:ef" or "de-ad"; empty when it is not hex.
    static QByteArray parseHex(const QString& text);

private:
    Kind kind_ = Kind::Text;
    QString text_;
    QByteArray needle_;       // text (UTF-8, lower-cased ASCII) or hex bytes
    std::shared_ptr<DisplayFilter> filter_;
};

} // namespace underhood
