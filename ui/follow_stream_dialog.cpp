#include "follow_stream_dialog.h"

#include "display_anonymizer.h"

#include "ingest_engine.h"

#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSpinBox>
#include <QTextBlock>
#include <QTextCursor>
#include <QTimer>
#include <QVBoxLayout>

namespace underhood {
namespace {

// What one view shows at most: a long download would otherwise make the
// text widget crawl. Save As writes the whole stream.
constexpr qsizetype kShownBytes = qsizetype(4) << 20;

struct Colours {
    QColor fg[2], bg[2];
};

// Wireshark's convention, client red and server blue, as tints readable on
// the palette's base colour in a light and in a dark theme.
Colours colours(const QPalette& pal)
{
    Colours c;
    if (pal.color(QPalette::Base).lightnessF() < 0.5) {
        c.fg[0] = QColor(0xff, 0xb4, 0xb4);
        c.bg[0] = QColor(0x4a, 0x1f, 0x26);
        c.fg[1] = QColor(0xb4, 0xd2, 0xff);
        c.bg[1] = QColor(0x1c, 0x2e, 0x4d);
    } else {
        c.fg[0] = QColor(0x8a, 0x0f, 0x14);
        c.bg[0] = QColor(0xfb, 0xe6, 0xe6);
        c.fg[1] = QColor(0x0f, 0x2c, 0x8a);
        c.bg[1] = QColor(0xe4, 0xeb, 0xfb);
    }
    return c;
}

QString ascii_text(const std::string& d, bool utf8)
{
    if (utf8) {
        QString s = QString::fromUtf8(d.data(), qsizetype(d.size()));
        for (QChar& ch : s)
            if (ch.category() == QChar::Other_Control && ch != '\n' && ch != '\t')
                ch = ch == '\r' ? QChar(0x2028) : QChar('.');
        return s.remove(QChar(0x2028));
    }
    QString s;
    s.reserve(qsizetype(d.size()));
    for (char c : d) {
        const uint8_t b = uint8_t(c);
        if (c == '\r')
            continue; // CRLF reads as one line break
        s += (c == '\n' || c == '\t' || (b >= 0x20 && b < 0x7f)) ? QChar(c) : QChar('.');
    }
    return s;
}

QString hex_dump(const std::string& d, uint64_t offset)
{
    QString out;
    for (size_t line = 0; line < d.size(); line += 16) {
        QString hex, text;
        const size_t n = std::min<size_t>(16, d.size() - line);
        for (size_t i = 0; i < 16; ++i) {
            if (i < n) {
                const uint8_t b = uint8_t(d[line + i]);
                hex += QStringLiteral("%1 ").arg(b, 2, 16, QChar('0'));
                text += (b >= 0x20 && b < 0x7f) ? QChar(b) : QChar('.');
            } else {
                hex += QStringLiteral("   ");
            }
            if (i == 7)
                hex += ' ';
        }
        out += QStringLiteral("%1  %2 %3\n").arg(offset + line, 8, 16, QChar('0')).arg(hex, text);
    }
    return out;
}

QString c_array(const std::string& d, int peer, int index, uint64_t packet)
{
    QString out = QStringLiteral("char peer%1_%2[] = { /* Packet %3 */\n").arg(peer).arg(index).arg(packet);
    for (size_t i = 0; i < d.size(); ++i) {
        out += QStringLiteral("0x%1").arg(uint8_t(d[i]), 2, 16, QChar('0'));
        if (i + 1 < d.size())
            out += (i % 8 == 7) ? QStringLiteral(",\n") : QStringLiteral(", ");
    }
    out += QStringLiteral(" };\n");
    return out;
}

QString gap_note(const FollowChunk& c)
{
    return QStringLiteral("[%1 bytes missing in capture file]\n").arg(c.missing);
}

} // namespace

FollowStreamDialog::FollowStreamDialog(std::shared_ptr<IngestEngine> engine, std::function<bool()> running,
                                       QWidget* parent)
    : QDialog(parent), engine_(std::move(engine)), running_(std::move(running))
{
    setObjectName("followStreamDialog");
    setWindowTitle(tr("Follow Stream"));
    resize(900, 640);

    proto_box_ = new QComboBox;
    proto_box_->setObjectName("followProtocol");
    proto_box_->addItem(tr("TCP"));
    proto_box_->addItem(tr("UDP"));
    stream_box_ = new QSpinBox;
    stream_box_->setObjectName("followStreamIndex");
    stream_box_->setRange(0, INT_MAX);
    stream_box_->setKeyboardTracking(false);
    stream_box_->setToolTip(tr("The stream's index, as Wireshark's tcp.stream and udp.stream number them"));
    endpoints_ = new QLabel;
    endpoints_->setObjectName("followEndpoints");
    endpoints_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* top = new QHBoxLayout;
    auto* stream_label = new QLabel(tr("&Stream"));
    stream_label->setBuddy(stream_box_);
    top->addWidget(proto_box_);
    top->addWidget(stream_label);
    top->addWidget(stream_box_);
    top->addSpacing(12);
    top->addWidget(endpoints_, 1);

    legend_client_ = new QLabel;
    legend_server_ = new QLabel;
    for (QLabel* l : {legend_client_, legend_server_}) {
        l->setMargin(3);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    auto* legend = new QHBoxLayout;
    legend->addWidget(legend_client_);
    legend->addWidget(legend_server_);
    legend->addStretch(1);

    text_ = new QPlainTextEdit;
    text_->setObjectName("followText");
    text_->setReadOnly(true);
    text_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    text_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text_->setUndoRedoEnabled(false);

    direction_box_ = new QComboBox;
    direction_box_->setObjectName("followDirection");
    direction_box_->addItems({tr("Entire conversation"), tr("Client to server"), tr("Server to client")});
    direction_box_->setSizeAdjustPolicy(QComboBox::AdjustToContents); // the byte counts come later
    view_box_ = new QComboBox;
    view_box_->setObjectName("followView");
    view_box_->addItems({tr("ASCII"), tr("UTF-8"), tr("Hex Dump"), tr("C Arrays"), tr("Raw")});
    dechunk_ = new QCheckBox(tr("De-&chunk HTTP bodies"));
    dechunk_->setObjectName("followDechunk");
    dechunk_->setToolTip(tr("Show HTTP/1.x bodies sent with Transfer-Encoding: chunked without their chunk sizes"));
    auto* show_label = new QLabel(tr("Sho&w"));
    show_label->setBuddy(direction_box_);
    auto* as_label = new QLabel(tr("&as"));
    as_label->setBuddy(view_box_);
    auto* options = new QHBoxLayout;
    options->addWidget(show_label);
    options->addWidget(direction_box_);
    options->addWidget(as_label);
    options->addWidget(view_box_);
    options->addWidget(dechunk_);
    options->addStretch(1);

    find_edit_ = new QLineEdit;
    find_edit_->setObjectName("followFind");
    find_edit_->setPlaceholderText(tr("Find in the text (Enter: next)"));
    find_edit_->setClearButtonEnabled(true);
    auto* find_label = new QLabel(tr("&Find"));
    find_label->setBuddy(find_edit_);
    auto* find_next = new QPushButton(tr("Find &Next"));
    find_next->setAutoDefault(false);
    status_ = new QLabel;
    status_->setObjectName("followStatus");
    auto* find_row = new QHBoxLayout;
    find_row->addWidget(find_label);
    find_row->addWidget(find_edit_, 1);
    find_row->addWidget(find_next);
    find_row->addWidget(status_);

    filter_on_ = new QPushButton(tr("Filter &on This Stream"));
    filter_on_->setObjectName("followFilterOn");
    filter_out_ = new QPushButton(tr("Filter O&ut This Stream"));
    filter_out_->setObjectName("followFilterOut");
    save_ = new QPushButton(tr("Save &As…"));
    save_->setObjectName("followSave");
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    buttons->addButton(filter_on_, QDialogButtonBox::ActionRole);
    buttons->addButton(filter_out_, QDialogButtonBox::ActionRole);
    buttons->addButton(save_, QDialogButtonBox::ActionRole);
    for (QPushButton* b : {filter_on_, filter_out_, save_})
        b->setAutoDefault(false);

    auto* lay = new QVBoxLayout(this);
    lay->addLayout(top);
    lay->addLayout(legend);
    lay->addWidget(text_, 1);
    lay->addLayout(options);
    lay->addLayout(find_row);
    lay->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    connect(proto_box_, &QComboBox::activated, this, [this](int i) {
        followStream(i == 0 ? FollowProtocol::Tcp : FollowProtocol::Udp, uint32_t(stream_box_->value()));
    });
    connect(stream_box_, &QSpinBox::valueChanged, this, [this](int v) {
        if (uint32_t(v) != stream_ || locate_packet_)
            followStream(protocol_, uint32_t(v));
    });
    connect(direction_box_, &QComboBox::currentIndexChanged, this, [this] {
        shown_chunks_ = size_t(-1);
        render();
    });
    connect(view_box_, &QComboBox::currentIndexChanged, this, [this] {
        shown_chunks_ = size_t(-1);
        render();
    });
    connect(dechunk_, &QCheckBox::toggled, this, [this] {
        shown_chunks_ = size_t(-1);
        render();
    });
    connect(find_edit_, &QLineEdit::returnPressed, this, [this] { find(find_edit_->text()); });
    connect(find_next, &QPushButton::clicked, this, [this] { find(find_edit_->text()); });
    auto* find_key = new QShortcut(QKeySequence::Find, this);
    connect(find_key, &QShortcut::activated, this, [this] {
        find_edit_->setFocus();
        find_edit_->selectAll();
    });
    auto* find_again = new QShortcut(QKeySequence::FindNext, this);
    connect(find_again, &QShortcut::activated, this, [this] { find(find_edit_->text()); });
    connect(filter_on_, &QPushButton::clicked, this,
            [this] { emit filterRequested(QString::fromStdString(StreamFollower(protocol_, stream_).filter())); });
    connect(filter_out_, &QPushButton::clicked, this, [this] {
        emit filterRequested(QStringLiteral("!(%1)").arg(QString::fromStdString(StreamFollower(protocol_, stream_).filter())));
    });
    connect(save_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save Stream As"), QString(),
                                                          tr("Raw bytes (*.bin *.raw);;All files (*)"));
        if (path.isEmpty())
            return;
        QString error;
        if (!saveTo(path, &error))
            status_->setText(error);
        else
            status_->setText(tr("saved %1").arg(path));
    });

    // A growing capture is read again every second; a finished one once.
    timer_ = new QTimer(this);
    timer_->setInterval(1000);
    connect(timer_, &QTimer::timeout, this, &FollowStreamDialog::startScan);
    updateLabels();
}

FollowStreamDialog::~FollowStreamDialog() { stopWorker(); }

void FollowStreamDialog::stopWorker()
{
    if (cancel_)
        *cancel_ = true;
    if (worker_.joinable())
        worker_.join();
}

void FollowStreamDialog::closeEvent(QCloseEvent* e)
{
    timer_->stop();
    stopWorker();
    QDialog::closeEvent(e);
}

void FollowStreamDialog::changeEvent(QEvent* e)
{
    // The theme changed: the two colours follow it.
    if (e->type() == QEvent::PaletteChange) {
        shown_chunks_ = size_t(-1);
        render();
        updateLabels();
    }
    QDialog::changeEvent(e);
}

void FollowStreamDialog::followStream(FollowProtocol protocol, uint32_t stream) { follow(protocol, stream, 0); }

void FollowStreamDialog::followPacket(FollowProtocol protocol, uint64_t number)
{
    follow(protocol, 0, number);
    status_->setText(tr("finding the stream of packet %1…").arg(number));
}

void FollowStreamDialog::follow(FollowProtocol protocol, uint32_t stream, uint64_t locate)
{
    protocol_ = protocol;
    stream_ = stream;
    locate_packet_ = locate;
    if (cancel_)
        *cancel_ = true; // a scan of the previous stream stops; its result is dropped
    follower_ = std::make_shared<StreamFollower>(protocol, stream);
    complete_ = false;
    shown_chunks_ = shown_pending_ = size_t(-1);
    const QSignalBlocker b1(proto_box_), b2(stream_box_);
    proto_box_->setCurrentIndex(protocol == FollowProtocol::Tcp ? 0 : 1);
    stream_box_->setValue(int(std::min<uint32_t>(stream, INT_MAX)));
    dechunk_->setEnabled(protocol == FollowProtocol::Tcp);
    setWindowTitle(tr("Follow %1 Stream (%2)")
                       .arg(protocol == FollowProtocol::Tcp ? QStringLiteral("TCP") : QStringLiteral("UDP"))
                       .arg(QString::fromStdString(follower_->filter())));
    text_->clear();
    updateLabels();
    if (busy_)
        rescan_ = true;
    else
        startScan();
    timer_->start();
}

void FollowStreamDialog::startScan()
{
    if (busy_ || !engine_ || !follower_)
        return;
    const bool growing = running_ && running_();
    if (complete_ && !growing) {
        timer_->stop();
        return;
    }
    if (worker_.joinable())
        worker_.join(); // it has posted its result already (busy_ is false)
    busy_ = true;
    rescan_ = false;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    cancel_ = cancel;
    auto follower = follower_;
    auto engine = engine_;
    const uint64_t locate = locate_packet_;
    const FollowProtocol proto = protocol_;
    worker_ = std::thread([this, engine, follower, cancel, locate, proto, growing] {
        int64_t located = -1;
        std::shared_ptr<StreamFollower> f = follower;
        if (locate) {
            located = stream_of_packet(*engine, proto, locate, cancel.get());
            if (located >= 0)
                f = std::make_shared<StreamFollower>(proto, uint32_t(located));
        }
        if (!locate || located >= 0)
            follow_engine(*engine, *f, cancel.get());
        QMetaObject::invokeMethod(
            this,
            [this, f, cancel, locate, located, growing] {
                busy_ = false;
                if (*cancel || (locate && locate != locate_packet_)) {
                    if (rescan_)
                        startScan();
                    return;
                }
                if (locate) {
                    locate_packet_ = 0;
                    if (located < 0) {
                        status_->setText(tr("packet %1 has no %2 stream")
                                             .arg(locate)
                                             .arg(protocol_ == FollowProtocol::Tcp ? "TCP" : "UDP"));
                        complete_ = true;
                        return;
                    }
                    follower_ = f;
                    stream_ = uint32_t(located);
                    const QSignalBlocker b(stream_box_);
                    stream_box_->setValue(int(std::min<uint32_t>(stream_, INT_MAX)));
                    setWindowTitle(tr("Follow %1 Stream (%2)")
                                       .arg(protocol_ == FollowProtocol::Tcp ? QStringLiteral("TCP")
                                                                             : QStringLiteral("UDP"))
                                       .arg(QString::fromStdString(f->filter())));
                }
                if (f != follower_) {
                    if (rescan_)
                        startScan();
                    return;
                }
                complete_ = !growing;
                onScanned();
                if (rescan_)
                    startScan();
            },
            Qt::QueuedConnection);
    });
}

void FollowStreamDialog::onScanned()
{
    const std::vector<FollowChunk> pending = follower_->pending();
    if (follower_->chunks().size() != shown_chunks_ || pending.size() != shown_pending_)
        render();
    updateLabels();
    if (!follower_->found())
        status_->setText(complete_ ? tr("no packets in this stream") : tr("no packets in this stream yet"));
    else
        status_->setText(complete_ ? QString() : tr("following the live capture…"));
    emit updated();
}

void FollowStreamDialog::updateLabels()
{
    const Colours c = colours(palette());
    const bool have = follower_ && !busy_ && follower_->ends_known();
    auto end = [this](const FollowEndpoint& e) {
        const QString a = QString::fromStdString(anon_ ? anon_->ip(e.address).to_string() : e.address.to_string());
        return (e.address.family == 6 ? "[" + a + "]" : a) + ":" + QString::number(e.port);
    };
    const QLocale loc;
    if (have) {
        endpoints_->setText(tr("%1 packets · %2 bytes from the client, %3 bytes from the server")
                                .arg(loc.toString(qulonglong(follower_->packets())))
                                .arg(loc.toString(qulonglong(follower_->bytes(0))))
                                .arg(loc.toString(qulonglong(follower_->bytes(1)))));
        legend_client_->setText(tr("Client %1 → %2").arg(end(follower_->client()), end(follower_->server())));
        legend_server_->setText(tr("Server %1 → %2").arg(end(follower_->server()), end(follower_->client())));
        direction_box_->setItemText(0, tr("Entire conversation (%1 bytes)")
                                           .arg(loc.toString(qulonglong(follower_->bytes(0) + follower_->bytes(1)))));
        direction_box_->setItemText(1, tr("%1 → %2 (%3 bytes)")
                                           .arg(end(follower_->client()), end(follower_->server()))
                                           .arg(loc.toString(qulonglong(follower_->bytes(0)))));
        direction_box_->setItemText(2, tr("%1 → %2 (%3 bytes)")
                                           .arg(end(follower_->server()), end(follower_->client()))
                                           .arg(loc.toString(qulonglong(follower_->bytes(1)))));
    } else {
        endpoints_->setText(busy_ || !follower_ ? tr("reading…") : QString());
        legend_client_->setText(tr("Client"));
        legend_server_->setText(tr("Server"));
    }
    for (int i = 0; i < 2; ++i) {
        QLabel* l = i == 0 ? legend_client_ : legend_server_;
        l->setStyleSheet(QStringLiteral("QLabel { color: %1; background: %2; border-radius: 3px; }")
                             .arg(c.fg[i].name(), c.bg[i].name()));
    }
    filter_on_->setEnabled(have);
    filter_out_->setEnabled(have);
    save_->setEnabled(have && !anon_);
}

void FollowStreamDialog::setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer)
{
    anon_ = std::move(anonymizer);
    shown_chunks_ = size_t(-1);
    render();
    updateLabels();
}

void FollowStreamDialog::render()
{
    if (anon_) {
        // The payload carries what the pseudonyms hide (names, addresses, whatever was said).
        text_->setPlainText(tr("The stream's payload is hidden while View > Anonymise is on."));
        return;
    }
    if (!follower_ || busy_)
        return;
    const std::vector<FollowChunk>& chunks = follower_->chunks();
    const std::vector<FollowChunk> pending = follower_->pending();
    shown_chunks_ = chunks.size();
    shown_pending_ = pending.size();
    const Direction dir = Direction(direction_box_->currentIndex());
    const View view = View(view_box_->currentIndex());
    const bool dechunk = dechunk_->isChecked() && protocol_ == FollowProtocol::Tcp;
    const Colours col = colours(palette());

    // A growing stream keeps the reader's place (or the end, when there).
    QScrollBar* bar = text_->verticalScrollBar();
    const bool first = text_->document()->isEmpty();
    const bool at_end = bar->value() >= bar->maximum() - 2 && bar->maximum() > 0;
    const int was = bar->value();
    text_->clear();
    QTextCursor cur(text_->document());
    QTextCharFormat fmt[2];
    for (int i = 0; i < 2; ++i) {
        fmt[i].setForeground(col.fg[i]);
        fmt[i].setBackground(col.bg[i]);
    }
    HttpDechunker dechunker[2];
    uint64_t offset[2] = {0, 0};
    int index[2] = {0, 0};
    qsizetype shown = 0;
    bool cut = false;
    QString pending_text;
    int pending_dir = -1;
    auto flush = [&] {
        if (pending_dir >= 0 && !pending_text.isEmpty())
            cur.insertText(pending_text, fmt[pending_dir]);
        pending_text.clear();
    };
    auto emit_text = [&](int d, const QString& s) {
        if (d != pending_dir)
            flush();
        pending_dir = d;
        pending_text += s;
    };
    auto show = [&](const FollowChunk& c) {
        const int d = c.direction & 1;
        if ((dir == Direction::ClientToServer && d != 0) || (dir == Direction::ServerToClient && d != 1))
            return;
        if (c.gap()) {
            QString note = gap_note(c);
            if (view != View::Ascii && view != View::Utf8 && !note.isEmpty())
                note = "/* " + note.trimmed() + " */\n";
            emit_text(d, note);
            return;
        }
        if (shown >= kShownBytes) {
            cut = true;
            return;
        }
        std::string data = dechunk ? dechunker[d].feed(c.data) : c.data;
        if (shown + qsizetype(data.size()) > kShownBytes) {
            data.resize(size_t(kShownBytes - shown));
            cut = true;
        }
        shown += qsizetype(data.size());
        switch (view) {
        case View::Ascii: emit_text(d, ascii_text(data, false)); break;
        case View::Utf8: emit_text(d, ascii_text(data, true)); break;
        case View::HexDump:
            emit_text(d, hex_dump(data, offset[d]));
            offset[d] += data.size();
            break;
        case View::CArray: emit_text(d, c_array(data, d, index[d]++, c.packet)); break;
        case View::Raw: {
            emit_text(d, QString::fromLatin1(QByteArray(data.data(), qsizetype(data.size())).toHex()) + '\n');
            break;
        }
        }
    };
    for (const FollowChunk& c : chunks)
        show(c);
    for (const FollowChunk& c : pending)
        show(c);
    flush();
    if (cut) {
        QTextCharFormat note;
        note.setFontItalic(true);
        cur.insertText(tr("\n… only the first %1 MiB are shown; Save As writes the whole stream.\n")
                           .arg(kShownBytes >> 20),
                       note);
    }
    if (first) {
        text_->moveCursor(QTextCursor::Start);
    } else if (at_end) {
        bar->setValue(bar->maximum());
    } else {
        bar->setValue(was);
    }
}

QString FollowStreamDialog::text() const { return text_->toPlainText(); }
QString FollowStreamDialog::endpointsText() const
{
    return legend_client_->text() + '\n' + legend_server_->text() + '\n' + endpoints_->text();
}

void FollowStreamDialog::setView(View v) { view_box_->setCurrentIndex(int(v)); }
void FollowStreamDialog::setDirection(Direction d) { direction_box_->setCurrentIndex(int(d)); }
void FollowStreamDialog::setDechunk(bool on) { dechunk_->setChecked(on); }

bool FollowStreamDialog::find(const QString& text)
{
    if (text.isEmpty())
        return false;
    if (text_->find(text)) {
        status_->setText(QString());
        return true;
    }
    // From the top again.
    QTextCursor start(text_->document());
    text_->setTextCursor(start);
    if (text_->find(text)) {
        status_->setText(tr("from the top"));
        return true;
    }
    status_->setText(tr("not found"));
    return false;
}

QByteArray FollowStreamDialog::payload(Direction d) const
{
    QByteArray out;
    if (!follower_ || busy_)
        return out;
    auto add = [&](const FollowChunk& c) {
        if (c.gap() || (d == Direction::ClientToServer && c.direction != 0) ||
            (d == Direction::ServerToClient && c.direction != 1))
            return;
        out.append(c.data.data(), qsizetype(c.data.size()));
    };
    for (const FollowChunk& c : follower_->chunks())
        add(c);
    for (const FollowChunk& c : follower_->pending())
        add(c);
    return out;
}

bool FollowStreamDialog::saveTo(const QString& path, QString* error) const
{
    if (anon_) {
        if (error)
            *error = tr("the payload is hidden while View > Anonymise is on");
        return false;
    }
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        if (error)
            *error = tr("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    const QByteArray bytes = payload(Direction(direction_box_->currentIndex()));
    if (f.write(bytes) != bytes.size() || !f.flush()) {
        if (error)
            *error = tr("cannot write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace underhood
