#include "table_export.h"

#include "table_format.h"

#include <QAbstractItemModel>
#include <QIODevice>
#include <QLocale>

#include <cmath>
#include <functional>

namespace underhood {

namespace {

constexpr qsizetype kFlushAt = 64 * 1024;

bool is_null(const QVariant& v) { return !v.isValid() || v.typeId() == QMetaType::Nullptr; }

bool is_integer(const QVariant& v)
{
    switch (v.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Long:
    case QMetaType::ULong:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Short:
    case QMetaType::UShort:
        return true;
    }
    return false;
}

bool is_real(const QVariant& v) { return v.typeId() == QMetaType::Double || v.typeId() == QMetaType::Float; }

QVariant cell_value(const QAbstractItemModel& model, const QModelIndex& index)
{
    QVariant v = model.data(index, ExportRole);
    return v.isValid() ? v : model.data(index, Qt::DisplayRole);
}

QStringList header_names(const QAbstractItemModel& model)
{
    QStringList names;
    for (int c = 0; c < model.columnCount(); ++c)
        names.push_back(model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
    return names;
}

// Visits rows depth first: a tree's children follow their parent.
void for_each_row(const QAbstractItemModel& model, const QModelIndex& parent,
                  const std::function<void(const QModelIndex&)>& f)
{
    const int rows = model.rowCount(parent);
    for (int r = 0; r < rows; ++r) {
        const QModelIndex first = model.index(r, 0, parent);
        f(first);
        if (model.hasChildren(first))
            for_each_row(model, first, f);
    }
}

// Buffers output and remembers whether any write failed.
class Writer {
public:
    explicit Writer(QIODevice& out) : out_(out) {}
    void add(const QString& s) { buf_ += s.toUtf8(); }
    void add(const char* s) { buf_ += s; }
    void maybe_flush()
    {
        if (buf_.size() >= kFlushAt)
            flush();
    }
    bool flush()
    {
        if (!buf_.isEmpty() && out_.write(buf_) != buf_.size())
            ok_ = false;
        buf_.clear();
        return ok_;
    }

private:
    QIODevice& out_;
    QByteArray buf_;
    bool ok_ = true;
};

QString csv_field(const QString& text, bool guard)
{
    QString s = text;
    if (guard && !s.isEmpty()) {
        const QChar c = s.front();
        if (c == u'=' || c == u'+' || c == u'-' || c == u'@' || c == u'\t' || c == u'\r')
            s.prepend(u'\'');
    }
    const bool quote = s.contains(u',') || s.contains(u'"') || s.contains(u'\n') || s.contains(u'\r');
    if (!quote)
        return s;
    s.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + s + u'"';
}

QString json_string(const QString& s)
{
    QString out;
    out.reserve(s.size() + 2);
    out += u'"';
    for (QChar c : s) {
        switch (c.unicode()) {
        case '"': out += QStringLiteral("\\\""); break;
        case '\\': out += QStringLiteral("\\\\"); break;
        case '\n': out += QStringLiteral("\\n"); break;
        case '\r': out += QStringLiteral("\\r"); break;
        case '\t': out += QStringLiteral("\\t"); break;
        case '\b': out += QStringLiteral("\\b"); break;
        case '\f': out += QStringLiteral("\\f"); break;
        default:
            if (c.unicode() < 0x20)
                out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    out += u'"';
    return out;
}

QString json_value(const QVariant& v)
{
    if (is_null(v))
        return QStringLiteral("null");
    if (is_integer(v))
        return v.toString();
    if (is_real(v)) {
        const double d = v.toDouble();
        return std::isfinite(d) ? QString::number(d, 'g', QLocale::FloatingPointShortest) : QStringLiteral("null");
    }
    if (v.typeId() == QMetaType::Bool)
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.typeId() == QMetaType::QStringList) {
        QStringList items;
        for (const QString& s : v.toStringList())
            items.push_back(json_string(s));
        return u'[' + items.join(u',') + u']';
    }
    return json_string(v.toString());
}

} // namespace

QString export_text(const QVariant& v)
{
    if (is_null(v))
        return {};
    if (is_real(v)) {
        const double d = v.toDouble();
        return std::isfinite(d) ? QString::number(d, 'g', QLocale::FloatingPointShortest) : QString();
    }
    if (v.typeId() == QMetaType::QStringList)
        return v.toStringList().join(QStringLiteral("; "));
    return v.toString();
}

bool export_csv(const QAbstractItemModel& model, QIODevice& out, const CsvOptions& options)
{
    Writer w(out);
    const QStringList header = header_names(model);
    for (int c = 0; c < header.size(); ++c) {
        if (c)
            w.add(",");
        w.add(csv_field(header[c], false));
    }
    w.add("\r\n");
    const int columns = model.columnCount();
    for_each_row(model, {}, [&](const QModelIndex& first) {
        for (int c = 0; c < columns; ++c) {
            if (c)
                w.add(",");
            const QVariant v = cell_value(model, first.siblingAtColumn(c));
            const bool text = v.typeId() == QMetaType::QString;
            w.add(csv_field(export_text(v), text && options.guard_formulas));
        }
        w.add("\r\n");
        w.maybe_flush();
    });
    return w.flush();
}

bool export_json(const QAbstractItemModel& model, QIODevice& out)
{
    Writer w(out);
    QStringList keys;
    for (const QString& h : header_names(model))
        keys.push_back(json_string(h));
    const int columns = model.columnCount();
    bool first_row = true;
    w.add("[");
    for_each_row(model, {}, [&](const QModelIndex& first) {
        w.add(first_row ? "\n  {" : ",\n  {");
        first_row = false;
        for (int c = 0; c < columns; ++c) {
            if (c)
                w.add(", ");
            w.add(keys[c]);
            w.add(": ");
            w.add(json_value(cell_value(model, first.siblingAtColumn(c))));
        }
        w.add("}");
        w.maybe_flush();
    });
    w.add(first_row ? "]\n" : "\n]\n");
    return w.flush();
}

std::optional<QList<QStringList>> read_csv(QIODevice& in, QString* error)
{
    const QString text = QString::fromUtf8(in.readAll());
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;      // inside a quoted field
    bool was_quoted = false;  // the current field was quoted and has closed
    bool any = false;         // the current record has begun
    auto fail = [&](qsizetype at, const char* why) -> std::optional<QList<QStringList>> {
        if (error)
            *error = QStringLiteral("CSV offset %1: %2").arg(at).arg(QLatin1String(why));
        return std::nullopt;
    };
    auto end_field = [&] {
        record.push_back(field);
        field.clear();
        was_quoted = false;
    };
    auto end_record = [&] {
        end_field();
        records.push_back(record);
        record.clear();
        any = false;
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == u'"') {
                if (i + 1 < text.size() && text[i + 1] == u'"') {
                    field += u'"';
                    ++i;
                } else {
                    quoted = false;
                    was_quoted = true;
                }
            } else {
                field += c;
            }
            continue;
        }
        if (c == u',') {
            end_field();
            any = true;
        } else if (c == u'\r' || c == u'\n') {
            if (c == u'\r' && i + 1 < text.size() && text[i + 1] == u'\n')
                ++i;
            end_record();
        } else if (was_quoted) {
            return fail(i, "text after a closing quote");
        } else if (c == u'"') {
            if (!field.isEmpty())
                return fail(i, "quote inside an unquoted field");
            quoted = true;
            any = true;
        } else {
            field += c;
            any = true;
        }
    }
    if (quoted)
        return fail(text.size(), "unterminated quoted field");
    if (any || !field.isEmpty() || was_quoted)
        end_record();
    return records;
}

} // namespace underhood
