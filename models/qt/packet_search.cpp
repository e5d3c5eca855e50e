#include "packet_search.h"

#include <QRegularExpression>

#include <algorithm>

namespace underhood {

namespace {

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

bool containsBytes(const std::vector<uint8_t>& hay, const QByteArray& needle, bool fold_case)
{
    if (needle.isEmpty() || hay.size() < size_t(needle.size()))
        return false;
    auto eq = [fold_case](uint8_t a, char b) {
        return fold_case ? lowerAscii(char(a)) == b : char(a) == b;
    };
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), eq) != hay.end();
}

} // namespace

QByteArray PacketSearch::parseHex(const QString& text)
{
    QString digits = text;
    digits.remove(QRegularExpression("[\\s:.\\-]"));
    if (digits.startsWith("0x", Qt::CaseInsensitive))
        digits = digits.mid(2);
    if (digits.isEmpty() || digits.size() % 2 || digits.contains(QRegularExpression("[^0-9a-fA-F]")))
        return {};
    return QByteArray::fromHex(digits.toLatin1());
}

bool PacketSearch::prepare(Kind kind, const QString& pattern, const IngestEngine& engine, QString* error)
{
    kind_ = kind;
    text_ = pattern;
    filter_.reset();
    needle_.clear();
    switch (kind) {
    case Kind::DisplayFilter: {
        if (pattern.trimmed().isEmpty()) {
            *error = QObject::tr("type a display filter to find");
            return false;
        }
        std::vector<uint32_t> lts = engine.with_state([](const IngestEngine::State& st) {
            std::vector<uint32_t> v;
            for (const auto& itf : st.interfaces)
                v.push_back(itf.link_type);
            return v;
        });
        auto f = std::make_shared<DisplayFilter>();
        std::string err;
        if (!f->compile(pattern.toStdString(), lts, err)) {
            *error = QString::fromStdString(err);
            return false;
        }
        filter_ = std::move(f);
        return true;
    }
    case Kind::Text:
        if (pattern.isEmpty()) {
            *error = QObject::tr("type the text to find");
            return false;
        }
        // Case folds for ASCII only: bytes are not known to be text.
        needle_ = pattern.toUtf8();
        std::transform(needle_.begin(), needle_.end(), needle_.begin(), lowerAscii);
        return true;
    case Kind::HexBytes:
        needle_ = parseHex(pattern);
        if (needle_.isEmpty()) {
            *error = QObject::tr("hex bytes are pairs of digits, e.g. 16 03 01 or 160301");
            return false;
        }
        return true;
    }
    return false;
}

bool PacketSearch::matches(const PacketListModel& model, const IngestEngine& engine, int row) const
{
    const quint64 number = model.numberAt(row);
    if (kind_ == Kind::Text) {
        const QString info = model.data(model.index(row, PacketListModel::Info), Qt::DisplayRole).toString();
        if (info.contains(text_, Qt::CaseInsensitive))
            return true;
    }
    const std::optional<PacketIndexEntry> e = model.entry(number);
    if (!e)
        return false;
    const std::vector<uint8_t> bytes = engine.packet_bytes(number);
    switch (kind_) {
    case Kind::DisplayFilter:
        return filter_ && filter_->matches(engine.link_type_of(e->interface_id), Bytes(bytes.data(), bytes.size()),
                                           e->origlen, e->ts_ns);
    case Kind::Text:
        return containsBytes(bytes, needle_, true);
    case Kind::HexBytes:
        return containsBytes(bytes, needle_, false);
    }
    return false;
}

int PacketSearch::find(const PacketListModel& model, const IngestEngine& engine, int from_row, bool forward) const
{
    const int n = model.rowCount();
    if (n == 0)
        return -1;
    int row = from_row < 0 ? (forward ? -1 : n) : from_row;
    for (int i = 0; i < n; ++i) {
        row = forward ? (row + 1) % n : (row - 1 + n) % n;
        if (matches(model, engine, row))
            return row;
    }
    return -1;
}

} // namespace underhood
