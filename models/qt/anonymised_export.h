// File > Export Anonymised: the open capture (or some of its packets)
// written as pcapng through the same rewriter as underhood-cli anonymize,
// with the pseudonyms View > Anonymise shows, so the file says what the
// class saw on screen.
#pragma once

#include <QString>
#include <QVector>

#include <functional>

namespace underhood {

class DisplayAnonymizer;
class IngestEngine;

// Writes the packets of `engine` still listed (or only `numbers`) to
// `path`: interfaces (their MAC mapped, hardware and health notes left out),
// packets rewritten, their comments and the section comment kept. Written
// beside `path` and renamed at the end. `progress` gets a percentage and
// returns false to cancel. False with `error` set on failure.
bool export_anonymised(const IngestEngine& engine, const QVector<quint64>* numbers, const QString& path,
                       DisplayAnonymizer& anonymizer, QString* error, const std::function<bool(int)>& progress);

} // namespace underhood
