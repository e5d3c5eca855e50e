#include "packet_details_pane.h"

#include "hex_view.h"
#include "packet_details_view.h"

#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

PacketDetailsPane::PacketDetailsPane(QWidget* parent)
    : QWidget(parent),
      header_(new QLabel(this)),
      splitter_(new QSplitter(Qt::Vertical, this)),
      tree_(new PacketDetailsView(splitter_)),
      hex_(new HexView(splitter_))
{
    header_->setTextFormat(Qt::PlainText);
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    header_->setContentsMargins(4, 2, 4, 2);
    header_->hide();

    splitter_->addWidget(tree_);
    splitter_->addWidget(hex_);
    splitter_->setChildrenCollapsible(false);
    splitter_->setStretchFactor(0, 3);
    splitter_->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(header_);
    layout->addWidget(splitter_, 1);

    connect(tree_, &PacketDetailsView::fieldSelected, this, &PacketDetailsPane::onFieldSelected);
    connect(hex_, &HexView::byteActivated, this, &PacketDetailsPane::onByteActivated);
}

void PacketDetailsPane::showPacket(uint32_t link_type, QByteArray bytes, uint32_t origlen, QString header)
{
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.constData());
    tree_->setDissection(underhood::dissect_packet(link_type, underhood::Bytes(data, size_t(bytes.size())), origlen));
    hex_->setData(bytes);
    header_->setText(header);
    header_->setVisible(!header.isEmpty());
}

void PacketDetailsPane::clear()
{
    tree_->clear();
    hex_->clear();
    header_->clear();
    header_->hide();
}

const underhood::Dissection& PacketDetailsPane::dissection() const
{
    return tree_->dissection();
}

void PacketDetailsPane::onFieldSelected(int field)
{
    const auto& fields = tree_->dissection().fields;
    if (field < 0 || size_t(field) >= fields.size()) {
        hex_->setSelection(0, 0);
        return;
    }
    hex_->setSelection(int(fields[size_t(field)].offset), int(fields[size_t(field)].length));
}

void PacketDetailsPane::onByteActivated(int offset)
{
    const int field = tree_->dissection().field_at(uint32_t(offset));
    if (field < 0) {
        tree_->selectField(-1);
        hex_->setSelection(offset, 1);
        return;
    }
    tree_->selectField(field);
    // Already the selected field: the tree says nothing, so highlight here.
    onFieldSelected(field);
}
