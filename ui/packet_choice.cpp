#include "packet_choice.h"

#include "packet_list_model.h"

#include <QMessageBox>
#include <QPushButton>

namespace underhood {

std::optional<QVector<quint64>> choosePackets(QWidget* parent, const PacketListModel& packets, const QString& title,
                                              const QString& question)
{
    const QList<quint64> marks = packets.marked();
    if (!packets.filtered() && marks.isEmpty())
        return std::nullopt;
    QMessageBox ask(QMessageBox::Question, title, question, QMessageBox::NoButton, parent);
    QPushButton* displayed =
        packets.filtered() ? ask.addButton(QObject::tr("%1 Displayed").arg(packets.rowCount()), QMessageBox::AcceptRole)
                           : nullptr;
    QPushButton* marked =
        marks.isEmpty() ? nullptr : ask.addButton(QObject::tr("%1 Marked").arg(marks.size()), QMessageBox::AcceptRole);
    ask.addButton(QObject::tr("All Packets"), QMessageBox::RejectRole);
    ask.exec();
    if (displayed && ask.clickedButton() == displayed) {
        QVector<quint64> shown;
        for (int r = 0; r < packets.rowCount(); ++r)
            shown.append(packets.numberAt(r));
        return shown;
    }
    if (marked && ask.clickedButton() == marked)
        return QVector<quint64>(marks.begin(), marks.end());
    return std::nullopt;
}

} // namespace underhood
