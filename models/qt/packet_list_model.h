// The packet list: one row per packet, virtual (nothing per row is stored
// beyond the engine's 32-byte index entry); text is decoded on demand from the
// mapped file or the packet store and cached for the rows on screen.
#pragma once

#include "capture_session.h"
#include "table_format.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QHash>
#include <QSet>
#include <QVector>

#include <memory>

namespace underhood {

class DisplayAnonymizer;

class PacketListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    // Sensor: the pcapng interface the packet came from (a remote sensor's
    // HOST/IFACE when several sources are merged), as tshark's frame.interface_name.
    enum Column { Number, Time, Sensor, Source, Destination, Protocol, Length, Info, ColumnCount };
    // ProtocolRole: the top protocol (Proto as int); ProblemRole: truncated or malformed. The
    // view colours rows from these (colours belong to the widgets, not to this QtCore model).
    // MarkedRole: marked by the user (Ctrl+M), as in Wireshark. ExpertRole: what
    // expert information found in the packet (ExpertMark bits; 0 when nothing).
    enum Role { NumberRole = Qt::UserRole + 1, SortRole, ProtocolRole, ProblemRole, MarkedRole, ExpertRole };
    enum ExpertMark : quint8 {
        ExpertAny = 1,
        ExpertTcpAnalysis = 2, // tcp.analysis.flags
        ExpertBadTcp = 4,      // Wireshark's "Bad TCP" colouring rule
        ExpertError = 8,       // its gravest finding is an error
        ExpertWarning = 16,    // ... or a warning
    };

    explicit PacketListModel(QObject* parent = nullptr);

    void setSession(CaptureSession* session);
    // Shows only these packet numbers (a display filter); an empty optional shows all.
    void setFilter(std::optional<QVector<quint64>> numbers);
    // More matches of the current filter (a live capture keeps growing).
    void appendFiltered(const QVector<quint64>& numbers);
    bool filtered() const { return filter_.has_value(); }
    // The packet numbers the filter shows, ascending; nullopt when not filtered.
    std::optional<std::vector<uint64_t>> filteredNumbers() const
    {
        if (!filter_)
            return std::nullopt;
        return std::vector<uint64_t>(filter_->begin(), filter_->end());
    }
    void setTimeFormat(TimeFormat f);
    // View > Anonymise: the columns of each packet as the anonymised file
    // would show them (null: as captured).
    void setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer);

    // Pulls new rows from the engine (and drops rows the live history let go).
    void refresh();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

    quint64 numberAt(int row) const;
    int rowOf(quint64 number) const; // -1 when not listed
    std::optional<PacketIndexEntry> entry(quint64 number) const;

    // Expert findings by packet (ExpertMark bits), as the analysis gets to them; a new session clears them.
    void addExpertMarks(const QVector<QPair<quint64, quint8>>& marks);
    quint8 expertMark(quint64 number) const { return expert_.value(number, 0); }

    // Marks belong to the open capture: a new session clears them.
    void setMarked(quint64 number, bool marked);
    bool isMarked(quint64 number) const { return marks_.contains(number); }
    void clearMarks();
    QList<quint64> marked() const; // ascending
    // The capture's interfaces by id (their names; "" for a pcap file's only one).
    const QStringList& interfaceNames() const { return interface_names_; }

signals:
    void markChanged(quint64 number, bool marked);
    // The capture named another interface (a sensor started, a file has several).
    void interfacesChanged(int count);

public:
    // The next (or previous) listed marked packet after `from` (0: from an end), 0 when none.
    quint64 nextMarked(quint64 from, bool forward) const;

private:
    struct RowText {
        QString source, destination, protocol, info;
        Proto top = Proto::None;
        bool problem = false;
    };
    const RowText* rowText(quint64 number, const PacketIndexEntry& e) const;
    QString timeText(const PacketIndexEntry& e, quint64 number) const;

    CaptureSession* session_ = nullptr;
    std::optional<QVector<quint64>> filter_;
    quint64 first_ = 1; // first listed packet number (unfiltered)
    quint64 count_ = 0; // listed packets (unfiltered)
    int64_t first_ts_ = 0;
    TimeFormat time_format_ = TimeFormat::Relative;
    mutable QCache<quint64, RowText> cache_{4000};
    std::shared_ptr<DisplayAnonymizer> anon_;
    QStringList interface_names_;
    QSet<quint64> marks_;
    QHash<quint64, quint8> expert_;
};

} // namespace underhood
