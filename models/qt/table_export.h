// Export of any of the tables (or the protocol tree), directly or through a
// sort/filter proxy, in the order and with the columns the model presents:
// CSV (RFC 4180) and JSON (an array of objects keyed by the header names).
// Cells are written from ExportRole when a model answers it (numbers stay
// numbers), from DisplayRole otherwise. A tree is written depth first.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

class QAbstractItemModel;
class QIODevice;
class QVariant;

namespace underhood {

struct CsvOptions {
    // Prefix text cells that a spreadsheet would run as a formula (= + - @)
    // with an apostrophe: host names come from the traffic, so from anyone.
    bool guard_formulas = true;
};

// Header row, then one record per row; CRLF line ends, UTF-8. False when
// the device refuses the write.
bool export_csv(const QAbstractItemModel& model, QIODevice& out, const CsvOptions& options = {});
// Numbers as JSON numbers, unknown values as null, text as strings.
bool export_json(const QAbstractItemModel& model, QIODevice& out);

// Reads RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks;
// CRLF or LF line ends). Empty on malformed input, with the reason in `error`.
std::optional<QList<QStringList>> read_csv(QIODevice& in, QString* error = nullptr);

// The text a cell value is written as in CSV (numbers in full, null as empty).
QString export_text(const QVariant& value);

} // namespace underhood
