// Save As and Export Anonymised ask the same question when a display filter
// is on or packets are marked: the displayed packets, the marked ones, or all.
#pragma once

#include <QString>
#include <QVector>

#include <optional>

class QWidget;

namespace underhood {

class PacketListModel;

// The packet numbers chosen; nothing for all packets (also when there is no
// choice to make: no filter on and nothing marked).
std::optional<QVector<quint64>> choosePackets(QWidget* parent, const PacketListModel& packets, const QString& title,
                                              const QString& question);

} // namespace underhood
