// The packet-details pane: tree and hex view kept in step, by mouse and keyboard.
// Set UNDERHOOD_SCREENSHOT_DIR to keep renderings of the pane in a light and a
// dark palette, for looking at.
#include "hex_view.h"
#include "packet_details_model.h"
#include "packet_details_pane.h"
#include "packet_details_view.h"
#include "sample_packets.h"
#include "test_pcap.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QMenu>
#include <QProcess>
#include <QTemporaryDir>
#include <QScrollBar>
#include <QSplitter>
#include <QStyleFactory>
#include <QtTest>

using namespace underhood;
using namespace underhood::test;

namespace {

QByteArray bytes_of(const std::vector<uint8_t>& v)
{
    return QByteArray(reinterpret_cast<const char*>(v.data()), qsizetype(v.size()));
}

int find_field(const Dissection& d, const QString& prefix)
{
    for (size_t i = 0; i < d.fields.size(); ++i)
        if (QString::fromStdString(d.fields[i].label).startsWith(prefix))
            return int(i);
    return -1;
}

QPalette dark_palette()
{
    QPalette p;
    const QColor window(0x2d, 0x2d, 0x30), base(0x1e, 0x1e, 0x1e), text(0xe6, 0xe6, 0xe6);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::Highlight, QColor(0x26, 0x4f, 0x78));
    p.setColor(QPalette::HighlightedText, QColor(0xff, 0xff, 0xff));
    p.setColor(QPalette::PlaceholderText, QColor(0x8c, 0x8c, 0x8c));
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Light, QColor(0x50, 0x50, 0x50));
    p.setColor(QPalette::Midlight, QColor(0x40, 0x40, 0x40));
    p.setColor(QPalette::Mid, QColor(0x55, 0x55, 0x55));
    p.setColor(QPalette::Dark, QColor(0x18, 0x18, 0x18));
    p.setColor(QPalette::Shadow, QColor(0x00, 0x00, 0x00));
    return p;
}

// Palette changes reach the widgets through posted events.
void use_palette(const QPalette& palette)
{
    QApplication::setPalette(palette);
    QCoreApplication::processEvents();
}

// How many pixels of `colour` the rectangle holds.
int count_pixels(const QImage& image, const QRect& rect, const QColor& colour)
{
    int n = 0;
    const QRect r = rect.intersected(image.rect());
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x)
            n += image.pixelColor(x, y).rgb() == colour.rgb();
    return n;
}

} // namespace

class TestPacketDetailsPane : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void clickingAFieldHighlightsItsBytes();
    void clickingAByteSelectsTheInnermostField();
    void keyboardMovesTheCursorThroughFields();
    void highlightIsPainted();
    void longPacketsScrollToTheSelection();
    void problemsAreMarked();
    void expansionCarriesToTheNextPacket();
    void clearShowsHints();
    void hexViewCopyMenu();
    void hexViewFitsItsWidth();
    void screenshots_data();
    void screenshots();
    void offloadNotes();

private:
    void clickField(int field);
    void clickByte(int offset, bool ascii = false);

    PacketDetailsPane* pane_ = nullptr;
};

void TestPacketDetailsPane::initTestCase()
{
    // One style for every run, so renderings compare across machines.
    QApplication::setStyle(QStyleFactory::create("Fusion"));
}

void TestPacketDetailsPane::init()
{
    use_palette(QApplication::style()->standardPalette());
    pane_ = new PacketDetailsPane;
    pane_->resize(900, 720);
    pane_->show();
    QVERIFY(QTest::qWaitForWindowExposed(pane_));
}

void TestPacketDetailsPane::cleanup()
{
    delete pane_;
    pane_ = nullptr;
}

void TestPacketDetailsPane::clickField(int field)
{
    PacketDetailsView* tree = pane_->detailsView();
    QModelIndex index = tree->detailsModel()->indexForField(field);
    QVERIFY(index.isValid());
    for (QModelIndex up = index.parent(); up.isValid(); up = up.parent())
        tree->expand(up);
    tree->scrollTo(index);
    QRect r = tree->visualRect(index);
    QVERIFY(tree->viewport()->rect().contains(r.center()));
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, r.center());
}

void TestPacketDetailsPane::clickByte(int offset, bool ascii)
{
    QRect r = pane_->hexView()->byteRect(offset, ascii);
    QVERIFY(pane_->hexView()->viewport()->rect().contains(r.center()));
    QCOMPARE(pane_->hexView()->byteAt(r.center()), offset);
    QTest::mouseClick(pane_->hexView()->viewport(), Qt::LeftButton, {}, r.center());
}

void TestPacketDetailsPane::clickingAFieldHighlightsItsBytes()
{
    pane_->showPacket(kLinkEthernet, bytes_of(dns_query_frame()), uint32_t(dns_query_frame().size()), "Packet 1");
    const Dissection& d = pane_->dissection();
    HexView* hex = pane_->hexView();
    QCOMPARE(hex->selection(), HexView::Range{});

    struct {
        const char* label;
        HexView::Range bytes;
    } const cases[] = {
        {"Time to Live: 64", {22, 1}},
        {"Internet Protocol Version 4, Src: 10.0.0.1", {14, 20}},
        {"Destination Port: 53", {36, 2}},
        {"Name: example.com", {54, 13}},
        {"Queries", {54, 17}},
        {"Frame:", {0, int(dns_query_frame().size())}},
    };
    for (const auto& c : cases) {
        int field = find_field(d, c.label);
        QVERIFY2(field >= 0, c.label);
        clickField(field);
        QCOMPARE(pane_->detailsView()->selectedField(), field);
        QCOMPARE(hex->selection(), c.bytes);
    }
    // A note covers no bytes: nothing is highlighted.
    clickField(find_field(d, "[Protocols in frame"));
    QCOMPARE(hex->selection().length, 0);
}

void TestPacketDetailsPane::clickingAByteSelectsTheInnermostField()
{
    const auto frame = tls_client_hello_frame();
    pane_->showPacket(kLinkEthernet, bytes_of(frame), uint32_t(frame.size()), {});
    const Dissection& d = pane_->dissection();
    auto selected_label = [&] {
        int f = pane_->detailsView()->selectedField();
        return f < 0 ? QString() : QString::fromStdString(d.fields[size_t(f)].label);
    };

    clickByte(22);
    QCOMPARE(selected_label(), QString("Time to Live: 64"));
    QCOMPARE(pane_->hexView()->selection(), (HexView::Range{22, 1}));

    // The second byte of the TCP flags word selects the word, not one of its bits.
    clickByte(47);
    QCOMPARE(selected_label(), QString("Flags: 0x018 (PSH, ACK)"));
    QCOMPARE(pane_->hexView()->selection(), (HexView::Range{46, 2}));
    QCOMPARE(pane_->hexView()->cursorPosition(), 47);

    // A byte of the server name, clicked in the ASCII column.
    int sni = find_field(d, "Server Name: example.org");
    const DissectedField& name = d.fields[size_t(sni)];
    clickByte(int(name.offset) + 3, true);
    QCOMPARE(pane_->detailsView()->selectedField(), sni);
    QCOMPARE(pane_->hexView()->selection(), (HexView::Range{int(name.offset), int(name.length)}));
    // ... and the tree opened down to it.
    QVERIFY(pane_->detailsView()->isExpanded(pane_->detailsView()->detailsModel()->indexForField(sni).parent()));
}

void TestPacketDetailsPane::keyboardMovesTheCursorThroughFields()
{
    pane_->showPacket(kLinkEthernet, bytes_of(dns_query_frame()), uint32_t(dns_query_frame().size()), {});
    HexView* hex = pane_->hexView();
    clickByte(22);
    hex->setFocus();
    QTest::keyClick(hex, Qt::Key_Right);
    QCOMPARE(hex->cursorPosition(), 23);
    QCOMPARE(hex->selection(), (HexView::Range{23, 1}));
    int f = pane_->detailsView()->selectedField();
    QCOMPARE(QString::fromStdString(pane_->dissection().fields[size_t(f)].label), QString("Protocol: UDP (17)"));
    // Shift extends a plain byte range and leaves the tree alone.
    QTest::keyClick(hex, Qt::Key_Right, Qt::ShiftModifier);
    QTest::keyClick(hex, Qt::Key_Down, Qt::ShiftModifier);
    QCOMPARE(hex->selection(), (HexView::Range{23, 18}));
    QCOMPARE(pane_->detailsView()->selectedField(), f);
    QTest::keyClick(hex, Qt::Key_Home, Qt::ControlModifier);
    QCOMPARE(hex->cursorPosition(), 0);
    QCOMPARE(hex->selection(), (HexView::Range{0, 6}));
    // Dragging with the mouse selects a range too.
    QRect from = hex->byteRect(2), to = hex->byteRect(5);
    QTest::mousePress(hex->viewport(), Qt::LeftButton, {}, from.center());
    QMouseEvent move(QEvent::MouseMove, to.center(), hex->viewport()->mapToGlobal(to.center()), Qt::NoButton,
                     Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(hex->viewport(), &move);
    QTest::mouseRelease(hex->viewport(), Qt::LeftButton, {}, to.center());
    QCOMPARE(hex->selection(), (HexView::Range{2, 4}));
}

// The highlight is really drawn where the field's bytes are, and only there.
void TestPacketDetailsPane::highlightIsPainted()
{
    for (const QPalette& palette : {QApplication::style()->standardPalette(), dark_palette()}) {
        use_palette(palette);
        pane_->showPacket(kLinkEthernet, bytes_of(dns_query_frame()), uint32_t(dns_query_frame().size()), {});
        clickField(find_field(pane_->dissection(), "Source Address: 10.0.0.1"));
        HexView* hex = pane_->hexView();
        QCOMPARE(hex->selection(), (HexView::Range{26, 4}));
        QImage image = hex->viewport()->grab().toImage();
        const QColor highlight = palette.color(QPalette::Highlight);
        for (int byte : {26, 27, 28, 29}) {
            QVERIFY(count_pixels(image, hex->byteRect(byte), highlight) > 0);
            QVERIFY(count_pixels(image, hex->byteRect(byte, true), highlight) > 0);
        }
        for (int byte : {25, 30, 10})
            QCOMPARE(count_pixels(image, hex->byteRect(byte), highlight), 0);
        // Text is drawn in the palette's colours, so it shows on either background.
        const QColor text = palette.color(QPalette::Text);
        const QColor base = palette.color(QPalette::Base);
        QCOMPARE(image.pixelColor(2, 2).rgb(), base.rgb());
        int inked = 0;
        for (int byte = 0; byte < 16; ++byte)
            inked += count_pixels(image, hex->byteRect(byte), text);
        QVERIFY(inked > 0);
    }
}

void TestPacketDetailsPane::longPacketsScrollToTheSelection()
{
    // A full-size TCP segment: the hex view shows a few of its 94 rows.
    FrameBuilder b;
    b.ether(0x0800).ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 6).tcp(51000, 80).text("GET /big HTTP/1.1\r\n");
    b.text(std::string(1440, 'x'));
    auto frame = b.finish();
    pane_->showPacket(kLinkEthernet, bytes_of(frame), uint32_t(frame.size()), {});
    HexView* hex = pane_->hexView();
    clickField(find_field(pane_->dissection(), "Hypertext Transfer Protocol"));
    QVERIFY(hex->selection().length > 0);
    hex->setSelection(int(frame.size()) - 4, 4);
    QVERIFY(hex->verticalScrollBar()->value() > 0);
    QVERIFY(hex->viewport()->rect().contains(hex->byteRect(int(frame.size()) - 1).center()));
    // Clicking what is now on screen still finds the right byte.
    clickByte(int(frame.size()) - 2);
    QCOMPARE(hex->cursorPosition(), int(frame.size()) - 2);
    QVERIFY(pane_->detailsView()->selectedField() >= 0);
}

void TestPacketDetailsPane::problemsAreMarked()
{
    auto frame = tls_client_hello_frame();
    frame.resize(80);
    pane_->showPacket(kLinkEthernet, bytes_of(frame), uint32_t(frame.size() + 46), {});
    const Dissection& d = pane_->dissection();
    QVERIFY(d.has(DissectedField::Truncated));
    PacketDetailsModel* model = pane_->detailsView()->detailsModel();
    int tls = find_field(d, "Transport Layer Security");
    QModelIndex index = model->indexForField(tls);
    QVERIFY(index.data(Qt::ToolTipRole).toString().contains("Packet size limited during capture"));
    QVERIFY(index.data(Qt::BackgroundRole).isValid());
    // The note stating the problem carries an icon.
    QModelIndex note = model->indexForField(find_field(d, "[Packet size limited during capture: TLS record"));
    QVERIFY(!note.data(Qt::DecorationRole).value<QIcon>().isNull());
    QModelIndex eth = model->indexForField(find_field(d, "Ethernet II"));
    QVERIFY(eth.data(Qt::DecorationRole).isNull());
    QVERIFY(!eth.data(Qt::BackgroundRole).isValid());

    // A length field that lies is malformed, with its own icon.
    auto lying = tls_client_hello_frame();
    lying[17] = uint8_t(lying[17] + 40);
    pane_->showPacket(kLinkEthernet, bytes_of(lying), uint32_t(lying.size()), {});
    QModelIndex ip = model->indexForField(find_field(pane_->dissection(), "Internet Protocol Version 4"));
    QVERIFY(ip.data(Qt::ToolTipRole).toString().contains("Malformed"));
    QVERIFY(ip.data(PacketDetailsModel::FlagsRole).toInt() & DissectedField::Malformed);
}

void TestPacketDetailsPane::expansionCarriesToTheNextPacket()
{
    PacketDetailsView* tree = pane_->detailsView();
    pane_->showPacket(kLinkEthernet, bytes_of(dns_query_frame()), uint32_t(dns_query_frame().size()), {});
    QModelIndex ip =
        tree->detailsModel()->indexForField(find_field(pane_->dissection(), "Internet Protocol Version 4"));
    QVERIFY(!tree->isExpanded(ip));
    tree->expand(ip);
    pane_->showPacket(kLinkEthernet, bytes_of(tcp_syn_frame()), uint32_t(tcp_syn_frame().size()), {});
    ip = tree->detailsModel()->indexForField(find_field(pane_->dissection(), "Internet Protocol Version 4"));
    QVERIFY(tree->isExpanded(ip));
    QModelIndex tcp = tree->detailsModel()->indexForField(find_field(pane_->dissection(), "Transmission Control"));
    QVERIFY(!tree->isExpanded(tcp));
}

void TestPacketDetailsPane::clearShowsHints()
{
    pane_->showPacket(kLinkEthernet, bytes_of(dns_query_frame()), uint32_t(dns_query_frame().size()), "Packet 1");
    pane_->clear();
    QCOMPARE(pane_->detailsView()->detailsModel()->rowCount(), 0);
    QVERIFY(pane_->hexView()->data().isEmpty());
    QCOMPARE(pane_->hexView()->selection(), HexView::Range{});
    QVERIFY(!pane_->detailsView()->placeholderText().isEmpty());
    QVERIFY(!pane_->hexView()->placeholderText().isEmpty());
    // The hint is drawn: the empty views are not blank.
    QImage tree = pane_->detailsView()->viewport()->grab().toImage();
    QVERIFY(count_pixels(tree, tree.rect(), pane_->palette().color(QPalette::Base)) < tree.width() * tree.height());
}

void TestPacketDetailsPane::hexViewCopyMenu()
{
    HexView hex;
    {
        std::unique_ptr<QMenu> empty(hex.copyMenu());
        QVERIFY(empty->isEmpty()); // no bytes, no items
    }
    hex.setData(QByteArray("\x16\x03\x01GET /\n\xff", 10));
    auto copied = [&](const char* name) {
        std::unique_ptr<QMenu> menu(hex.copyMenu());
        QAction* a = menu->findChild<QAction*>(name);
        if (!a)
            return QString("no action ") + name;
        a->trigger();
        return QApplication::clipboard()->text();
    };
    QCOMPARE(copied("copyHex"), QString("160301474554202f0aff"));
    QCOMPARE(copied("copyText"), QString("...GET /.."));
    QCOMPARE(copied("copyCArray"), QString("unsigned char bytes[10] = {\n    0x16, 0x03, 0x01, 0x47, 0x45, 0x54, "
                                           "0x20, 0x2f, 0x0a, 0xff\n};\n"));
    hex.setSelection(3, 3);
    QCOMPARE(copied("copyHex"), QString("474554"));
    QCOMPARE(copied("copyText"), QString("GET"));
    QCOMPARE(copied("copyCArray"), QString("unsigned char bytes[3] = {\n    0x47, 0x45, 0x54\n};\n"));
}

// A narrow dock shows 8 bytes a row with the text column in view; a wide one 16.
void TestPacketDetailsPane::hexViewFitsItsWidth()
{
    HexView hex;
    QByteArray data;
    for (int i = 0; i < 100; ++i)
        data += char('A' + i % 26);
    hex.setData(data);
    hex.resize(hex.sizeHint().width(), 300);
    hex.show();
    QVERIFY(QTest::qWaitForWindowExposed(&hex));
    QCOMPARE(hex.bytesPerRow(), 16);
    QCOMPARE(hex.horizontalScrollBar()->maximum(), 0);
    QVERIFY(hex.viewport()->rect().contains(hex.byteRect(15, true)));

    hex.resize(hex.sizeHint().width() * 2 / 3, 300);
    QTRY_COMPARE(hex.bytesPerRow(), 8);
    QCOMPARE(hex.horizontalScrollBar()->maximum(), 0);
    for (int offset : {0, 7, 8, 99}) {
        const QRect ascii = hex.byteRect(offset, true);
        const QRect digits = hex.byteRect(offset, false);
        QVERIFY2(hex.viewport()->rect().contains(ascii), qPrintable(QString::number(offset)));
        QCOMPARE(hex.byteAt(ascii.center()), offset);
        QCOMPARE(hex.byteAt(digits.center()), offset);
        QCOMPARE(ascii.top(), digits.top()); // the same row in both columns
    }
    QCOMPARE(hex.byteRect(8, true).top(), hex.byteRect(0, true).top() + hex.byteRect(0, true).height());

    hex.resize(hex.sizeHint().width() + 40, 300);
    QTRY_COMPARE(hex.bytesPerRow(), 16);
}

void TestPacketDetailsPane::screenshots_data()
{
    QTest::addColumn<bool>("dark");
    QTest::addColumn<QString>("packet");
    QTest::newRow("light dns") << false << "dns";
    QTest::newRow("light tls") << false << "tls";
    QTest::newRow("dark dns") << true << "dns";
    QTest::newRow("dark tls") << true << "tls";
    QTest::newRow("dark truncated") << true << "truncated";
    QTest::newRow("light truncated") << false << "truncated";
    QTest::newRow("light empty") << false << "empty";
    QTest::newRow("light narrow") << false << "narrow";
}

void TestPacketDetailsPane::screenshots()
{
    QFETCH(bool, dark);
    QFETCH(QString, packet);
    use_palette(dark ? dark_palette() : QApplication::style()->standardPalette());
    const Dissection& d = pane_->dissection();
    if (packet == "dns") {
        auto f = dns_response_frame();
        pane_->showPacket(kLinkEthernet, bytes_of(f), uint32_t(f.size()),
                          "Packet 2 \u00b7 10:02:03.456789 \u00b7 eth0");
        pane_->detailsView()->expand(pane_->detailsView()->detailsModel()->indexForField(0)); // the frame's notes
        clickField(find_field(d, "Internet Protocol Version 4"));
        pane_->detailsView()->expand(
            pane_->detailsView()->detailsModel()->indexForField(find_field(d, "Domain Name System")));
        clickField(find_field(d, "edge.www.example.com: type A"));
        pane_->detailsView()->expandRecursively(pane_->detailsView()->currentIndex());
    } else if (packet == "tls" || packet == "truncated" || packet == "narrow") {
        if (packet == "narrow")
            pane_->resize(480, 560);
        auto f = tls_client_hello_frame();
        uint32_t wire = uint32_t(f.size());
        if (packet == "truncated")
            f.resize(96);
        pane_->showPacket(kLinkEthernet, bytes_of(f), wire, "Packet 3 \u00b7 10:02:03.500000 \u00b7 eth0");
        pane_->detailsView()->expandRecursively(
            pane_->detailsView()->detailsModel()->indexForField(find_field(d, "Transport Layer Security")));
        int sni = find_field(d, "Server Name: example.org");
        if (sni >= 0)
            clickField(sni);

    } else {
        pane_->clear();
    }
    QTest::qWait(20); // let resizes, scroll bars and refits settle, as the event loop would
    QImage image = pane_->grab().toImage();
    QVERIFY(!image.isNull());
    const QString dir = qEnvironmentVariable("UNDERHOOD_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        QDir().mkpath(dir);
        const QString name = QString("packet_details_%1_%2.png").arg(dark ? "dark" : "light", packet);
        QVERIFY(image.save(QDir(dir).filePath(name)));
    }
}

namespace {
// Ethernet/IPv4/TCP from 02:..:01 (10.0.0.1:40000) to 02:..:02 (10.0.0.2:80)
// carrying `payload` bytes, with a correct checksum unless `checksum` is given.
std::vector<uint8_t> tcp_frame(size_t payload, std::optional<uint16_t> checksum = std::nullopt)
{
    std::vector<uint8_t> f = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
    const size_t total = 20 + 20 + payload;
    const uint8_t ip[20] = {0x45, 0, uint8_t(total >> 8), uint8_t(total), 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1,
                            10, 0, 0, 2};
    f.insert(f.end(), ip, ip + 20);
    const uint8_t tcp[20] = {0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18, 0x20, 0, 0, 0, 0, 0};
    f.insert(f.end(), tcp, tcp + 20);
    for (size_t i = 0; i < payload; ++i)
        f.push_back(uint8_t(i));
    auto sum = [&](size_t at, size_t n, uint32_t s) {
        for (size_t i = 0; i + 1 < n; i += 2)
            s += uint32_t(f[at + i] << 8 | f[at + i + 1]);
        if (n & 1)
            s += uint32_t(f[at + n - 1]) << 8;
        return s;
    };
    auto fold = [](uint32_t s) {
        while (s >> 16)
            s = (s & 0xffff) + (s >> 16);
        return uint16_t(~s);
    };
    const uint16_t ipc = fold(sum(14, 20, 0));
    f[24] = uint8_t(ipc >> 8);
    f[25] = uint8_t(ipc);
    const uint16_t c = checksum ? *checksum : fold(sum(34, 20 + payload, sum(26, 8, 6 + uint32_t(20 + payload))));
    f[50] = uint8_t(c >> 8);
    f[51] = uint8_t(c);
    return f;
}
} // namespace

// The note above the tree: a packet longer than the interface's MTU, and a
// wrong checksum on an outgoing packet, each explained; nothing otherwise.
// tshark agrees on which checksums are wrong.
void TestPacketDetailsPane::offloadNotes()
{
    InterfaceFacts facts;
    facts.name = "eth0";
    facts.mtu = 1500;
    facts.mac = std::array<uint8_t, 6>{2, 0, 0, 0, 0, 1}; // the sender: frames from it are outgoing
    const std::vector<uint8_t> big = tcp_frame(9000), good = tcp_frame(100), bad = tcp_frame(100, 0x1234),
                               zero = tcp_frame(100, 0);
    if (!QStandardPaths::findExecutable("tshark").isEmpty()) {
        QTemporaryDir dir;
        const QString path = dir.filePath("sums.pcap");
        QVERIFY(write_pcap(path, std::vector<QByteArray>{bytes_of(good), bytes_of(bad), bytes_of(zero)}, 1, 0));
        QProcess t;
        t.start("tshark", {"-r", path, "-o", "tcp.check_checksum:TRUE", "-T", "fields", "-e", "tcp.checksum.status"});
        QVERIFY(t.waitForFinished(60000));
        QCOMPARE(t.readAllStandardOutput().trimmed().split('\n'), QList<QByteArray>({"1", "0", "0"})); // good, bad, bad
    }
    pane_->setInterfaceFacts(facts);
    pane_->showPacket(kLinkEthernet, bytes_of(good), uint32_t(good.size()), {});
    QCOMPARE(pane_->offloadNote(), QString());
    pane_->showPacket(kLinkEthernet, bytes_of(big), uint32_t(big.size()), {});
    QString note = pane_->offloadNote();
    QVERIFY2(note.contains("(9040 bytes) is longer than the MTU (1500)") && note.contains("TSO/GSO") &&
                 note.contains("ethtool -K eth0 tso off gso off"),
             qPrintable(note));
    pane_->showPacket(kLinkEthernet, bytes_of(bad), uint32_t(bad.size()), {});
    note = pane_->offloadNote();
    QVERIFY2(note.contains("TCP checksum 0x1234 is wrong on an outgoing packet") && note.contains("ethtool -K eth0 tx off"),
             qPrintable(note));
    pane_->showPacket(kLinkEthernet, bytes_of(zero), uint32_t(zero.size()), {});
    QVERIFY(pane_->offloadNote().contains("TCP checksum 0x0000 is zero"));
    // Only 200 of the 9054 bytes captured: the length still shows, the checksum cannot be checked.
    pane_->showPacket(kLinkEthernet, bytes_of(big).left(200), uint32_t(big.size()), {});
    note = pane_->offloadNote();
    QVERIFY(note.contains("longer than the MTU") && !note.contains("checksum"));
    // Received by this interface: merged on the way in, and a wrong checksum is the sender's.
    facts.mac = std::array<uint8_t, 6>{2, 0, 0, 0, 0, 2};
    pane_->setInterfaceFacts(facts);
    pane_->showPacket(kLinkEthernet, bytes_of(big), uint32_t(big.size()), {});
    note = pane_->offloadNote();
    QVERIFY2(note.contains("the NIC or kernel merged segments (GRO/LRO/TSO); turn it off with ethtool -K eth0 gro off"),
             qPrintable(note));
    pane_->showPacket(kLinkEthernet, bytes_of(bad), uint32_t(bad.size()), {});
    QCOMPARE(pane_->offloadNote(), QString());
    // No facts (a file from another program): nothing to say.
    pane_->setInterfaceFacts({});
    pane_->showPacket(kLinkEthernet, bytes_of(big), uint32_t(big.size()), {});
    QCOMPARE(pane_->offloadNote(), QString());
}

QTEST_MAIN(TestPacketDetailsPane)
#include "test_packet_details_pane.moc"
