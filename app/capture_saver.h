#pragma once

#include "ingest_engine.h"

#include <QString>
#include <QVector>

#include <functional>

namespace underhood {

// Writes the packets of `engine` (all still listed, or just `numbers`) as
// pcapng: its interfaces, packets with their comments, and the last
// statistics block of each interface.
bool save_capture(const IngestEngine& engine, const QVector<quint64>* numbers, const QString& path, QString* error,
                  const std::function<bool(int)>& progress);

} // namespace underhood
