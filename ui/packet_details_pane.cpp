#include "packet_details_pane.h"

#include "display_anonymizer.h"
#include "display_filter.h"
#include "hex_view.h"
#include "packet_details_model.h"
#include "packet_details_view.h"
#include "packet_diagram_view.h"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include <map>
#include <tuple>

PacketDetailsPane::PacketDetailsPane(QWidget* parent)
    : QWidget(parent),
      header_(new QLabel(this)),
      note_(new QLabel(this)),
      splitter_(new QSplitter(Qt::Vertical, this)),
      tabs_(new QTabWidget(splitter_)),
      tree_(new PacketDetailsView(tabs_)),
      diagram_(new PacketDiagramView(tabs_)),
      hex_(new HexView(splitter_))
{
    header_->setTextFormat(Qt::PlainText);
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    header_->setContentsMargins(4, 2, 4, 2);
    header_->hide();
    note_->setObjectName("offloadNote");
    note_->setTextFormat(Qt::PlainText);
    note_->setWordWrap(true);
    note_->setTextInteractionFlags(Qt::TextSelectableByMouse); // the ethtool command is there to copy
    note_->setContentsMargins(6, 3, 6, 3);
    note_->hide();
    restyleNote();

    tabs_->setObjectName("detailsTabs");
    tabs_->setDocumentMode(true);
    tabs_->addTab(tree_, tr("Tree"));
    tabs_->addTab(diagram_, tr("Diagram"));
    // The view the user last chose stays, as a teacher sets it up once.
    tabs_->setCurrentIndex(QSettings().value("details/diagram", false).toBool() ? 1 : 0);
    connect(tabs_, &QTabWidget::currentChanged, this,
            [](int index) { QSettings().setValue("details/diagram", index == 1); });
    splitter_->addWidget(tabs_);
    splitter_->addWidget(hex_);
    splitter_->setChildrenCollapsible(false);
    splitter_->setStretchFactor(0, 3);
    splitter_->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(header_);
    layout->addWidget(note_);
    layout->addWidget(splitter_, 1);

    connect(tree_, &PacketDetailsView::fieldSelected, this, &PacketDetailsPane::onFieldSelected);
    connect(hex_, &HexView::byteActivated, this, &PacketDetailsPane::onByteActivated);
    connect(diagram_, &PacketDiagramView::fieldActivated, this, &PacketDetailsPane::onBoxActivated);
    tree_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(tree_, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex at = tree_->indexAt(pos);
        if (!at.isValid())
            return;
        const int field = at.data(PacketDetailsModel::FieldRole).toInt();
        tree_->selectField(field);
        QMenu* menu = fieldMenu(field);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        if (menu->isEmpty()) {
            delete menu;
            return;
        }
        menu->popup(tree_->viewport()->mapToGlobal(pos));
    });
}

QMenu* PacketDetailsPane::fieldMenu(int field)
{
    auto* menu = new QMenu(this);
    const auto& fields = tree_->dissection().fields;
    if (field < 0 || size_t(field) >= fields.size())
        return menu;
    const underhood::DissectedField& f = fields[size_t(field)];
    const auto* data = reinterpret_cast<const uint8_t*>(bytes_.constData());
    // A field filters by its name and value, in Wireshark's language; a row
    // that is no field (a note) by its bytes where they sit, in BPF.
    const underhood::FieldFilter filter =
        !f.filter.empty()
            ? underhood::FieldFilter{f.filter, false}
            : underhood::field_bpf(f.label, f.depth, f.bits, f.offset, f.length, underhood::Bytes(data, size_t(bytes_.size())));
    if (!filter.expr.empty()) {
        const QString expr = QString::fromStdString(filter.expr);
        const bool widen = filter.by_host;
        // Anonymised, the menu names the pseudonyms; the filter still selects the real packets.
        const QString shown = anon_ ? QString::fromStdString(anon_->text(filter.expr)) : expr;
        QAction* apply = menu->addAction(tr("Apply as Filter: %1").arg(shown), this,
                                         [this, expr, widen] { emit filterRequested(expr, true, widen); });
        apply->setObjectName("applyField");
        menu->addAction(tr("Prepare as Filter"), this, [this, expr, widen] { emit filterRequested(expr, false, widen); })
            ->setObjectName("prepareField");
        menu->addSeparator();
    }
    const QString line = QString::fromStdString(f.label);
    // The value is what follows "Name: " (bit fields: after " = ").
    QString value = line;
    if (const int eq = line.indexOf(QLatin1String(" = ")); f.bits && eq >= 0)
        value = line.mid(eq + 3);
    else if (const int colon = line.indexOf(QLatin1String(": ")); colon >= 0)
        value = line.mid(colon + 2);
    menu->addAction(tr("Copy Value"), this, [value] { QApplication::clipboard()->setText(value); })
        ->setObjectName("copyValue");
    menu->addAction(tr("Copy Line"), this, [line] { QApplication::clipboard()->setText(line); })->setObjectName("copyLine");
    if (f.length > 0 && size_t(f.offset) + f.length <= size_t(bytes_.size())) {
        const QByteArray part = bytes_.mid(f.offset, f.length);
        menu->addAction(tr("Copy Bytes as Hex"), this, [part] { QApplication::clipboard()->setText(QString::fromLatin1(part.toHex())); })
            ->setObjectName("copyFieldHex");
    }
    return menu;
}

void PacketDetailsPane::showPacket(uint32_t link_type, QByteArray bytes, uint32_t origlen, QString header,
                                   quint64 number, const qint64* ts_ns, const underhood::DissectContext* context)
{
    // The captured bytes, kept: `bytes` becomes the anonymised copy while View > Anonymise is on.
    const QByteArray captured = bytes;
    const auto* data = reinterpret_cast<const uint8_t*>(captured.constData());
    const int64_t ts = ts_ns ? int64_t(*ts_ns) : 0;
    underhood::Dissection d = underhood::dissect_packet(link_type, underhood::Bytes(data, size_t(captured.size())), origlen,
                                                        number, ts_ns ? &ts : nullptr, context);
    if (anon_) {
        const std::vector<uint8_t> rewritten = anon_->rewrite(link_type, underhood::Bytes(data, size_t(captured.size())), origlen);
        anonymise(d, link_type, rewritten, origlen, number, ts_ns ? &ts : nullptr);
        bytes = QByteArray(reinterpret_cast<const char*>(rewritten.data()), qsizetype(rewritten.size()));
        hex_->setData({});
        hex_->setPlaceholderText(tr("Packet bytes are hidden while View > Anonymise is on: they would show the "
                                    "addresses, names and payload it replaces."));
    } else {
        hex_->setPlaceholderText(tr("The packet's bytes appear here")); // what an empty view says again
        hex_->setData(bytes);
    }
    tree_->setDissection(std::move(d));
    diagram_->setPacket(tree_->dissection(), bytes);
    bytes_ = bytes;
    header_->setText(header);
    header_->setVisible(!header.isEmpty());
    QStringList notes;
    for (const std::string& n : underhood::explain_offloads(link_type, underhood::Bytes(data, size_t(captured.size())),
                                                            origlen, facts_))
        notes << "ⓘ " + QString::fromStdString(n);
    note_->setText(notes.join('\n'));
    note_->setVisible(!notes.isEmpty());
}

void PacketDetailsPane::setAnonymizer(std::shared_ptr<underhood::DisplayAnonymizer> anonymizer)
{
    anon_ = std::move(anonymizer);
}

void PacketDetailsPane::anonymise(underhood::Dissection& d, uint32_t link_type, const std::vector<uint8_t>& rewritten,
                                  uint32_t origlen, quint64 number, const int64_t* ts_ns)
{
    // The rewritten packet's rows, found by field and bytes: the same rows as
    // the packet's own except those the stream context adds, which carry no
    // address. Every label then goes through text() for what the rewriter
    // keeps (names in TLS and HTTP, addresses in payloads it does not read).
    const underhood::Dissection r =
        underhood::dissect_packet(link_type, underhood::Bytes(rewritten.data(), rewritten.size()), origlen, number, ts_ns);
    std::map<std::tuple<std::string, uint32_t, uint32_t, uint16_t>, std::vector<size_t>> rows;
    for (size_t i = r.fields.size(); i-- > 0;) {
        const underhood::DissectedField& f = r.fields[i];
        rows[{f.name, f.offset, f.length, f.depth}].push_back(i); // last first: taken from the back
    }
    for (underhood::DissectedField& f : d.fields) {
        auto it = rows.find({f.name, f.offset, f.length, f.depth});
        if (it != rows.end() && !it->second.empty()) {
            f.label = r.fields[it->second.back()].label;
            it->second.pop_back();
        }
        f.label = anon_->text(f.label);
    }
    d.source = anon_->text(r.source);
    d.destination = anon_->text(r.destination);
    d.info = anon_->text(r.info);
    d.problem = anon_->text(d.problem);
}

void PacketDetailsPane::changeEvent(QEvent* e)
{
    if (e->type() == QEvent::PaletteChange)
        restyleNote();
    QWidget::changeEvent(e);
}

QString PacketDetailsPane::offloadNote() const { return note_->isVisibleTo(this) ? note_->text() : QString(); }

void PacketDetailsPane::restyleNote()
{
    // Readable in both themes: an information tint over the window's own colours.
    const QPalette pal = palette();
    const bool dark = pal.color(QPalette::Window).lightnessF() < 0.5;
    note_->setStyleSheet(dark ? "QLabel#offloadNote { background: #1f3a4d; color: #d6ecff; }"
                              : "QLabel#offloadNote { background: #e3f1fb; color: #0b3d5c; }");
}

void PacketDetailsPane::clear()
{
    tree_->clear();
    hex_->clear();
    diagram_->clear();
    bytes_.clear();
    header_->clear();
    header_->hide();
    note_->clear();
    note_->hide();
    note_->setObjectName("offloadNote");
    note_->setTextFormat(Qt::PlainText);
    note_->setWordWrap(true);
    note_->setTextInteractionFlags(Qt::TextSelectableByMouse); // the ethtool command is there to copy
    note_->setContentsMargins(6, 3, 6, 3);
    note_->hide();
    restyleNote();
}

const underhood::Dissection& PacketDetailsPane::dissection() const
{
    return tree_->dissection();
}

void PacketDetailsPane::onFieldSelected(int field)
{
    const auto& fields = tree_->dissection().fields;
    diagram_->selectField(field);
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

void PacketDetailsPane::onBoxActivated(int field)
{
    tree_->selectField(field);
    // Already the selected field: the tree says nothing, so highlight here.
    onFieldSelected(field);
}

void PacketDetailsPane::showDiagram(bool diagram) { tabs_->setCurrentIndex(diagram ? 1 : 0); }

bool PacketDetailsPane::diagramShown() const { return tabs_->currentIndex() == 1; }
