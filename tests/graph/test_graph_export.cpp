// Drawing the host graph: PNG and SVG export (in process and through
// underhood-cli graph) give files that load and are not blank; labels drawn
// never overlap; the widget selects, pulses, hides protocols from its legend,
// pauses, and the pane follows a capture, seeks and steps.
#include "capture_session.h"
#include "force_layout.h"
#include "graph_export.h"
#include "graph_renderer.h"
#include "graph_test_support.h"
#include "graph_timeline.h"
#include "host_graph_pane.h"
#include "host_graph_view.h"
#include "window_cursor.h"

#include <QApplication>
#include <QImage>
#include <QMenu>
#include <QPainter>
#include <QProcess>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include <set>

using namespace underhood;

namespace {

const QString kDemo = QStringLiteral(UNDERHOOD_SOURCE_DIR "/resources/demo.pcapng");
const QString kCli = QStringLiteral(UNDERHOOD_BIN_DIR "/underhood-cli");

// Distinct colours and the share of pixels that differ from the corner (the background).
std::pair<int, double> image_content(const QImage& img)
{
    std::set<QRgb> colors;
    const QRgb bg = img.pixel(0, 0);
    qint64 ink = 0;
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2) {
            const QRgb p = img.pixel(x, y);
            colors.insert(p);
            ink += p != bg;
        }
    return {int(colors.size()), double(ink) / (double(img.width() / 2) * double(img.height() / 2))};
}

bool valid_svg(const QString& path, QString* why)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *why = "cannot open";
        return false;
    }
    QXmlStreamReader xml(&f);
    bool root = false;
    int elements = 0;
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement) {
            if (!root && xml.name() != QLatin1String("svg")) {
                *why = "root is " + xml.name().toString();
                return false;
            }
            root = true;
            ++elements;
        }
    }
    if (xml.hasError()) {
        *why = xml.errorString();
        return false;
    }
    if (elements < 50) {
        *why = QString("only %1 elements").arg(elements);
        return false;
    }
    return QSvgRenderer(path).isValid();
}

int run(const QStringList& args, QByteArray* err = nullptr)
{
    QProcess p;
    p.start(kCli, args);
    p.waitForFinished(60000);
    if (err)
        *err = p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

} // namespace

class TestGraphExport : public QObject {
    Q_OBJECT
    IngestEngine engine_;
    GraphScene scene_;
    ForceLayout layout_;
    QTemporaryDir dir_;

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        std::string err;
        QVERIFY2(engine_.open_path(kDemo.toStdString(), err), err.c_str());
        engine_.wait();
        TrafficWindow w;
        WindowCursor c(engine_, w);
        c.set_spans(WindowSpans{.window_ns = 0});
        c.seek_end();
        GraphBuilder b;
        scene_ = build_scene(b, engine_, w, c, GraphOptions{});
        QVERIFY(scene_.nodes.size() > 20);
        layout_.sync(scene_);
        layout_.run(3000);
    }

    void exportPngAndSvg()
    {
        for (bool dark : {false, true}) {
            GraphExportOptions o;
            o.size = QSize(1200, 800);
            o.style = dark ? GraphStyle::dark_theme() : GraphStyle::light();
            o.caption = "demo";
            const QString png = dir_.filePath(dark ? "dark.png" : "light.png");
            QString err;
            QVERIFY2(exportGraph(png, scene_, layout_, o, &err), qPrintable(err));
            QImage img(png);
            QVERIFY(!img.isNull());
            QCOMPARE(img.size(), QSize(1200, 800));
            const auto [colors, ink] = image_content(img);
            QVERIFY2(colors > 50 && ink > 0.02, qPrintable(QString("%1 colours, %2 ink").arg(colors).arg(ink)));
            QCOMPARE(QColor(img.pixel(0, 0)).lightnessF() < 0.5, dark);

            const QString svg = dir_.filePath(dark ? "dark.svg" : "light.svg");
            QVERIFY2(exportGraph(svg, scene_, layout_, o, &err), qPrintable(err));
            QString why;
            QVERIFY2(valid_svg(svg, &why), qPrintable(why));
            // The SVG renders to a picture with the same content.
            QSvgRenderer r(svg);
            QImage back(800, 533, QImage::Format_ARGB32);
            back.fill(Qt::white);
            QPainter p(&back);
            r.render(&p);
            p.end();
            QVERIFY(image_content(back).first > 20);
        }
        QString err;
        QVERIFY(!exportGraph(dir_.filePath("x.jpg"), scene_, layout_, GraphExportOptions{}, &err));
        QVERIFY(err.contains(".png"));
    }

    void drawnLabelsNeverOverlap()
    {
        GraphRenderer r;
        for (double zoom : {0.3, 0.8, 2.0}) {
            QImage img(1000, 700, QImage::Format_ARGB32_Premultiplied);
            QPainter p(&img);
            GraphViewState v = fitView(layout_, img.size());
            v.zoom *= zoom;
            r.paint(p, QRectF(img.rect()), scene_, layout_, v);
            p.end();
            const auto& labels = r.labels();
            QVERIFY(!labels.empty());
            for (size_t i = 0; i < labels.size(); ++i)
                for (size_t j = i + 1; j < labels.size(); ++j)
                    QVERIFY(!labels[i].rect.intersects(labels[j].rect));
            for (const auto& li : r.legendItems())
                for (const PlacedLabel& l : labels)
                    QVERIFY(!l.rect.intersects({li.rect.x(), li.rect.y(), li.rect.width(), li.rect.height()}));
        }
    }

    void panningDrawsWhatAFullRedrawDraws()
    {
        // Panning moves the picture drawn before and draws only what it uncovers:
        // the result must be the picture a redraw from nothing gives.
        const QSize size(900, 600);
        GraphViewState v = fitView(layout_, size);
        v.zoom *= 1.7;
        v.particles = false;
        GraphRenderer panned;
        QImage a(size, QImage::Format_ARGB32_Premultiplied);
        panned.render(a, scene_, layout_, v);
        QCOMPARE(panned.staticPixelsDrawn(), size_t(size.width()) * size_t(size.height()));
        for (QPoint by : {QPoint(37, -23), QPoint(-120, 0), QPoint(0, 64), QPoint(-5, 9)}) {
            v.centre -= QPointF(by) / v.zoom;
            panned.render(a, scene_, layout_, v);
            QVERIFY2(panned.staticPixelsDrawn() < size_t(size.width()) * size_t(size.height()) / 3,
                     qPrintable(QString::number(panned.staticPixelsDrawn())));
            GraphRenderer fresh;
            QImage b(size, QImage::Format_ARGB32_Premultiplied);
            fresh.render(b, scene_, layout_, v);
            // Coordinates are floats: rounding may shift a pixel's coverage by a step or two.
            int worst = 0, differ = 0;
            for (int y = 0; y < size.height(); ++y)
                for (int x = 0; x < size.width(); ++x) {
                    const QRgb p = a.pixel(x, y), q = b.pixel(x, y);
                    const int d = std::max({std::abs(qRed(p) - qRed(q)), std::abs(qGreen(p) - qGreen(q)),
                                            std::abs(qBlue(p) - qBlue(q))});
                    worst = std::max(worst, d);
                    differ += d > 1;
                }
            QVERIFY2(worst <= 4 && differ < size.width() * size.height() / 1000,
                     qPrintable(QString("panned by %1,%2: %3 pixels differ, by up to %4")
                                    .arg(by.x()).arg(by.y()).arg(differ).arg(worst)));
        }
        // While zooming, the last picture scaled stands in: nothing is drawn again,
        // and the picture is close to the real one (same place, same colours).
        v.zoom *= 1.1;
        v.quick = true;
        panned.render(a, scene_, layout_, v);
        QVERIFY(panned.lastWasQuick());
        QCOMPARE(panned.staticPixelsDrawn(), size_t(0));
        GraphRenderer fresh;
        QImage b(size, QImage::Format_ARGB32_Premultiplied);
        v.quick = false;
        fresh.render(b, scene_, layout_, v);
        const QImage sa = a.scaled(size / 8, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        const QImage sb = b.scaled(size / 8, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        double diff = 0;
        for (int y = 0; y < sa.height(); ++y)
            for (int x = 0; x < sa.width(); ++x)
                diff += std::abs(qGray(sa.pixel(x, y)) - qGray(sb.pixel(x, y)));
        diff /= double(sa.width()) * sa.height();
        QVERIFY2(diff < 6, qPrintable(QString("mean difference %1 grey levels").arg(diff)));
        // Once the zooming stops, everything is drawn again at the new scale.
        panned.render(a, scene_, layout_, v);
        QVERIFY(!panned.lastWasQuick());
        QCOMPARE(panned.staticPixelsDrawn(), size_t(size.width()) * size_t(size.height()));
    }

    void cliGraph()
    {
        const QString svg = dir_.filePath("cli.svg"), png = dir_.filePath("cli.png");
        QByteArray err;
        QCOMPARE(run({"graph", kDemo, "-o", svg}, &err), 0);
        QString why;
        QVERIFY2(valid_svg(svg, &why), qPrintable(why));
        QCOMPARE(run({"graph", kDemo, "-o", png, "--layer", "ether", "--size", "640x480", "--theme", "dark"}, &err), 0);
        QImage img(png);
        QCOMPARE(img.size(), QSize(640, 480));
        QVERIFY(image_content(img).first > 20);
        QCOMPARE(run({"graph", kDemo, "-o", dir_.filePath("x.gif")}), 2);
        QCOMPARE(run({"graph", kDemo, "-o", png, "--layer", "bogus"}), 2);
        QCOMPARE(run({"graph", kDemo, "-o", png, "--size", "12x12"}), 2);
        QCOMPARE(run({"graph", dir_.filePath("missing.pcap"), "-o", png}), 1);
        // stats is untouched by it.
        QCOMPARE(run({"stats", "--json", kDemo}), 0);
    }

    void viewInteraction()
    {
        HostGraphView view;
        view.resize(900, 600);
        view.setScene(scene_);
        for (int i = 0; i < 400 && !view.layout().settled(); ++i)
            view.advance(1.0 / 60);
        view.fitToView();
        QVERIFY(view.layout().settled());
        const QImage shot = view.grab().toImage();
        QVERIFY(image_content(shot).first > 50);

        // Click a node: selected, signal with its address.
        QSignalSpy selected(&view, &HostGraphView::nodeSelected);
        const int target = 0;
        const QPointF at = GraphRenderer::toScreen(QRectF(view.rect()), view.viewState(), view.layout().xs()[target],
                                                   view.layout().ys()[target]);
        QTest::mouseClick(&view, Qt::LeftButton, {}, at.toPoint());
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.first().first().toString(), QString::fromStdString(scene_.nodes[target].key));
        QCOMPARE(view.viewState().selected, target);
        QVERIFY(!view.tooltipText(target).isEmpty());
        QVERIFY(view.tooltipText(target).contains("Packets"));

        // The node's menu: filter (by selecting it), only its neighbours, hide.
        {
            view.selectNode(-1);
            selected.clear();
            QMenu menu;
            view.fillMenu(menu, at);
            QStringList names;
            for (QAction* a : menu.findChildren<QAction*>())
                if (!a->objectName().isEmpty())
                    names << a->objectName();
            QVERIFY2(names.contains("filterNode") && names.contains("neighbours") && names.contains("hideNode"),
                     qPrintable(names.join(',')));
            QVERIFY(!names.contains("showAll")); // nothing hidden yet
            for (QAction* a : menu.actions())
                QVERIFY2(a->isSeparator() || !a->text().isEmpty(), "an empty menu item");
            QSignalSpy hide(&view, &HostGraphView::hideRequested);
            QSignalSpy near(&view, &HostGraphView::neighboursRequested);
            menu.findChild<QAction*>("hideNode")->trigger();
            menu.findChild<QAction*>("neighbours")->trigger();
            QCOMPARE(hide.count(), 1);
            QCOMPARE(hide.first().first().toULongLong(), quint64(scene_.nodes[target].id));
            QCOMPARE(near.first().first().toULongLong(), quint64(scene_.nodes[target].id));
            menu.findChild<QAction*>("filterNode")->trigger();
            QCOMPARE(selected.count(), 1);
            QCOMPARE(selected.first().first().toString(), QString::fromStdString(scene_.nodes[target].key));
            // The background's menu offers Show All only when something is hidden.
            GraphScene some_hidden = scene_;
            some_hidden.hidden_by_user = 3;
            HostGraphView other;
            other.resize(300, 200);
            other.setScene(some_hidden);
            QMenu background;
            other.fillMenu(background, QPointF(-50, -50));
            QVERIFY(background.findChild<QAction*>("showAll"));
            QVERIFY(!background.findChild<QAction*>("hideNode"));
        }

        // Drag pins the node where it is dropped.
        const QPoint from = at.toPoint(), to = from + QPoint(60, 40);
        QTest::mousePress(&view, Qt::LeftButton, {}, from);
        QMouseEvent move(QEvent::MouseMove, QPointF(to), view.mapToGlobal(QPointF(to)), Qt::NoButton, Qt::LeftButton,
                         Qt::NoModifier);
        QApplication::sendEvent(&view, &move);
        QTest::mouseRelease(&view, Qt::LeftButton, {}, to);
        QVERIFY(view.layout().pinned(target));
        // Double-click releases it.
        QTest::mouseDClick(&view, Qt::LeftButton, {}, to);
        QVERIFY(!view.layout().pinned(target));

        // Legend: a click hides a protocol.
        QSignalSpy toggled(&view, &HostGraphView::protocolToggled);
        view.grab();
        const auto& legend = view.renderer().legendItems();
        QVERIFY(!legend.empty());
        QTest::mouseClick(&view, Qt::LeftButton, {}, legend.front().rect.center().toPoint());
        QCOMPARE(toggled.count(), 1);
        QCOMPARE(toggled.first().first().toInt(), int(legend.front().proto));

        // Pulses live for a moment.
        view.pulseLink(0, true);
        QCOMPARE(view.viewState().pulses.size(), size_t(1));
        view.advance(GraphRenderer::kPulseSeconds + 0.1);
        QVERIFY(view.viewState().pulses.empty());

        // Pause freezes particles.
        std::vector<float> phases;
        view.setPaused(true);
        view.advance(0.5);
        const QImage a = view.grab().toImage();
        view.advance(0.5);
        QCOMPARE(view.grab().toImage(), a);
        view.setPaused(false);

        // Zoom keys.
        const double z = view.zoom();
        QTest::keyClick(&view, Qt::Key_Plus);
        QVERIFY(view.zoom() > z);
    }

    void paneFollowsSeeksAndSteps()
    {
        CaptureSession session;
        QString err;
        QVERIFY2(session.openFile(kDemo, &err), qPrintable(err));
        HostGraphPane pane(&session);
        pane.resize(1000, 700);
        QVERIFY(QTest::qWaitFor([&] { return !session.isRunning(); }, 30000));
        pane.refresh();
        QVERIFY(pane.isFollowing());
        QVERIFY(pane.waitForScene());
        const size_t at_end = pane.view()->scene().nodes.size();
        QVERIFY(at_end > 10);
        int64_t first = 0, last = 0;
        {
            TrafficWindow w;
            WindowCursor c(session.engine(), w);
            QVERIFY(c.capture_bounds(first, last));
        }
        QCOMPARE(pane.time(), last);

        pane.seek(first + 2'000'000'000);
        QVERIFY(!pane.isFollowing());
        QVERIFY(pane.waitForScene());
        QCOMPARE(pane.time(), first + 2'000'000'000);
        QCOMPARE(pane.timeline()->position(), first + 2'000'000'000);
        QVERIFY(pane.view()->scene().nodes.size() < at_end);
        QVERIFY(pane.step(+1));
        QVERIFY(pane.waitForScene());
        const qint64 stepped = pane.time();
        QVERIFY(stepped > first + 2'000'000'000);
        QCOMPARE(pane.timeline()->position(), stepped);
        QVERIFY(pane.step(-1));
        QVERIFY(pane.waitForScene());
        QVERIFY(pane.time() <= first + 2'000'000'000);

        pane.setLayer(Layer::Ether);
        QVERIFY(pane.waitForScene());
        QCOMPARE(pane.view()->scene().layer, Layer::Ether);
        pane.follow();
        QVERIFY(pane.waitForScene());
        QCOMPARE(pane.time(), last);

        const QString png = dir_.filePath("pane.png");
        QVERIFY2(pane.exportGraph(png, &err), qPrintable(err));
        QVERIFY(!QImage(png).isNull());
        // Picking a packet pulses its link.
        pane.setLayer(Layer::Ip);
        QVERIFY(pane.waitForScene());
        pane.pulsePacket(3);
        QCOMPARE(pane.view()->viewState().pulses.size(), size_t(1));
    }
};

QTEST_MAIN(TestGraphExport)
#include "test_graph_export.moc"
