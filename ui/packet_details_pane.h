// Packet details above, its bytes below, kept in step: selecting a field
// highlights its bytes, clicking a byte selects the innermost field over it.
#pragma once

#include "offload_note.h"
#include "packet_details.h"

#include <QByteArray>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <memory>

namespace underhood {
class DisplayAnonymizer;
}

class HexView;
class PacketDetailsView;
class PacketDiagramView;
class QLabel;
class QMenu;
class QSplitter;
class QTabWidget;

class PacketDetailsPane : public QWidget {
    Q_OBJECT
public:
    explicit PacketDetailsPane(QWidget* parent = nullptr);

    // Dissects and shows one packet; `header` (e.g. "Packet 12, 10:02:03.456")
    // titles the pane, hidden when empty.
    // `number` and `ts_ns` (null: none) fill the frame's rows.
    // `context` (see PacketContext) adds stream numbers and the TCP analysis rows.
    void showPacket(uint32_t link_type, QByteArray bytes, uint32_t origlen, QString header, quint64 number = 0,
                    const qint64* ts_ns = nullptr, const underhood::DissectContext* context = nullptr);
    void clear();
    // View > Anonymise (null: off): the tree says what the anonymised file's
    // packet says, and the bytes are hidden. Takes effect with the next packet shown.
    void setAnonymizer(std::shared_ptr<underhood::DisplayAnonymizer> anonymizer);
    // What the capture recorded about the interface of the next packets
    // shown (MTU, address, offloads), to explain oversized frames and
    // checksums the card fills in later.
    void setInterfaceFacts(const underhood::InterfaceFacts& facts) { facts_ = facts; }
    // The explanation shown above the tree ("" when none).
    QString offloadNote() const;

    const underhood::Dissection& dissection() const;
    PacketDetailsView* detailsView() const { return tree_; }
    HexView* hexView() const { return hex_; }
    // The same packet drawn as 32-bit rows of header fields, in a tab beside the tree.
    PacketDiagramView* diagramView() const { return diagram_; }
    // Brings the tree (false) or the diagram (true) to the front.
    void showDiagram(bool diagram);
    bool diagramShown() const;
    QSplitter* splitter() const { return splitter_; }

    // The right-click menu of a field (index into dissection().fields): apply
    // or prepare it as a filter where one applies, copy its value, its line,
    // its bytes. The caller owns the menu.
    QMenu* fieldMenu(int field);

signals:
    // `widen`: an address or port filter the window may extend through VLAN tags.
    void filterRequested(const QString& expr, bool apply, bool widen);

protected:
    void changeEvent(QEvent* e) override;

private:
    void onFieldSelected(int field);
    void onByteActivated(int offset);
    void onBoxActivated(int field);

    void restyleNote();
    void anonymise(underhood::Dissection& d, uint32_t link_type, const std::vector<uint8_t>& rewritten,
                   uint32_t origlen, quint64 number, const int64_t* ts_ns);

    QLabel* header_;
    QLabel* note_;
    underhood::InterfaceFacts facts_;
    QSplitter* splitter_;
    QTabWidget* tabs_;
    PacketDetailsView* tree_;
    PacketDiagramView* diagram_;
    HexView* hex_;
    QByteArray bytes_;
    std::shared_ptr<underhood::DisplayAnonymizer> anon_;
};
