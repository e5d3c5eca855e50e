// underhood: the desktop application.
#include "capture_saver.h"
#include "host_graph_pane.h"
#include "host_graph_view.h"
#include "anonymise_mode.h"
#include "main_window.h"
#include "packet_list_view.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QIcon>
#include <QTimer>

using namespace underhood;

namespace {

void describeApplication()
{
    QCoreApplication::setApplicationName("underhood");
    QCoreApplication::setOrganizationName("underhood");
    QCoreApplication::setApplicationVersion(UNDERHOOD_VERSION);
}

} // namespace

int main(int argc, char** argv)
{
    describeApplication();
    QCommandLineParser cli;
    cli.setApplicationDescription("Underhood: see your network. Opens pcap/pcapng captures and captures live.");
    const QCommandLineOption help = cli.addHelpOption();
    const QCommandLineOption version = cli.addVersionOption();
    QCommandLineOption read({"r", "read"}, "Open capture FILE (\"-\" reads a pipe).", "FILE");
    QCommandLineOption iface({"i", "interface"}, "Start a live capture on IFACE, ssh://[USER@]HOST/IFACE or pcap-over-ip://HOST:PORT (repeat "
                             "to merge several).", "IFACE");
    QCommandLineOption filter({"f", "filter"}, "Capture filter for -i (libpcap syntax).", "FILTER");
    QCommandLineOption mode({"m", "mode"}, "Hosts keyed by ip (default), ether or port.", "MODE", "ip");
    QCommandLineOption screenshot("screenshot", "Save a PNG of the window once the capture is read, then quit.",
                                  "PNG");
    cli.addOption(read);
    cli.addOption(iface);
    cli.addOption(filter);
    cli.addOption(mode);
    QCommandLineOption select("select", "With --screenshot: select packet N first.", "N");
    QCommandLineOption theme("theme", "Theme for this run: system, light or dark (the saved choice stays).", "THEME");
    QCommandLineOption size("size", "Window size for this run, e.g. 1280x720 (projectors, screenshots).", "WxH");
    QCommandLineOption present("presentation", "Start in presentation mode (large type for a projector; F5 leaves it).");
    QCommandLineOption scale("scale", "Presentation scale in percent, 100 to 300 (the saved choice stays).", "PERCENT");
    QCommandLineOption anonymise("anonymise", "Start with View > Anonymise on (pseudonyms for addresses and names).");
    cli.addOption(present);
    cli.addOption(anonymise);
    cli.addOption(scale);
    cli.addOption(screenshot);
    cli.addOption(select);
    cli.addOption(theme);
    cli.addOption(size);
    cli.addPositionalArgument("FILE", "Capture to open.", "[FILE]");
    {
        // A QApplication aborts without a display, and --help and --version
        // must work over ssh and in scripts: they are answered before it
        // exists. Anything else (including Qt's own -platform and -style,
        // which only QApplication takes out of argv) waits for process().
        QCoreApplication core(argc, argv);
        cli.parse(core.arguments());
        if (cli.isSet(help) || cli.optionNames().contains("help-all"))
            cli.showHelp(0);
        if (cli.isSet(version))
            cli.showVersion();
    }

    QApplication app(argc, argv);
    describeApplication();
    QApplication::setApplicationDisplayName("Underhood");
    QApplication::setDesktopFileName("underhood");
    // The installed theme's icon where there is one, else the one built in.
    QIcon builtin;
    for (int size : {16, 22, 24, 32, 48, 64, 128, 256})
        builtin.addFile(QString(":/underhood/icons/underhood-%1.png").arg(size), QSize(size, size));
    QApplication::setWindowIcon(QIcon::fromTheme("underhood", builtin));
    cli.process(app);

    Layer layer = Layer::Ip;
    if (!parse_layer(cli.value(mode).toStdString(), layer)) {
        fprintf(stderr, "underhood: unknown mode '%s' (expected ip, ether or port)\n", qPrintable(cli.value(mode)));
        return 2;
    }
    QString file = cli.value(read);
    if (file.isEmpty() && !cli.positionalArguments().isEmpty())
        file = cli.positionalArguments().first();
    if (!file.isEmpty() && cli.isSet(iface)) {
        fprintf(stderr, "underhood: open a file or capture live, not both\n");
        return 2;
    }

    const QString theme_name = cli.value(theme);
    if (cli.isSet(theme) && theme_name != "system" && theme_name != "light" && theme_name != "dark") {
        fprintf(stderr, "underhood: unknown theme '%s' (expected system, light or dark)\n", qPrintable(theme_name));
        return 2;
    }
    QSize window_size;
    if (cli.isSet(size)) {
        const QStringList wh = cli.value(size).split('x');
        if (wh.size() == 2)
            window_size = QSize(wh[0].toInt(), wh[1].toInt());
        if (window_size.width() < 320 || window_size.height() < 240) {
            fprintf(stderr, "underhood: bad --size '%s' (expected WIDTHxHEIGHT, at least 320x240)\n",
                    qPrintable(cli.value(size)));
            return 2;
        }
    }

    int scale_percent = 0;
    if (cli.isSet(scale)) {
        bool ok = false;
        scale_percent = cli.value(scale).toInt(&ok);
        if (!ok || scale_percent < 100 || scale_percent > 300) {
            fprintf(stderr, "underhood: bad --scale '%s' (expected 100 to 300)\n", qPrintable(cli.value(scale)));
            return 2;
        }
    }

    MainWindow w(window_size);
    if (!theme_name.isEmpty())
        w.applyTheme(theme_name);
    if (scale_percent)
        w.setPresentationScale(scale_percent, false);
    if (cli.isSet(present))
        w.setPresentation(true);
    if (cli.isSet(anonymise))
        w.anonymiseMode()->setOn(true);
    w.setSaver(save_capture);
    w.setLayer(layer);
    const QString shot = cli.value(screenshot);
    if (!shot.isEmpty())
        w.setQuiet(true);
    w.show();
    if (!file.isEmpty()) {
        w.openFile(file);
    } else if (cli.isSet(iface)) {
        LiveCaptureOptions o;
        // ssh://HOST/IFACE and pcap-over-ip://HOST:PORT are remote sensors.
        for (const QString& i : cli.values(iface))
            (i.contains("://") ? o.sources : o.interfaces) << i;
        o.filter = cli.value(filter);
        // Said on the terminal too: whoever typed -i may not see a dialog.
        if (!w.startCapture(o))
            fprintf(stderr, "underhood: %s\n", qPrintable(w.lastError()));
    }
    if (!shot.isEmpty()) {
        // For the README and for looking at the window in tests: wait until
        // the capture is read and its graph is shown, let the views settle,
        // save, quit.
        auto* t = new QTimer(&w);
        t->setInterval(200);
        const quint64 select_number = cli.value(select).toULongLong();
        QObject::connect(t, &QTimer::timeout, &w, [&w, shot, t, select_number] {
            if ((w.session() && w.session()->isRunning()) || w.graphPane()->isBusy())
                return;
            t->stop();
            if (select_number)
                w.packetView()->selectNumber(select_number);
            // The graph's layout settles over a few seconds of frames; the
            // picture is taken once it has (or after 10 s), fitted to the view.
            auto* settle = new QTimer(&w);
            settle->setInterval(100);
            auto* waited = new QElapsedTimer;
            waited->start();
            QObject::connect(settle, &QTimer::timeout, &w, [&w, shot, settle, waited] {
                HostGraphView* graph = w.graphPane()->view();
                if (!graph->layout().settled() && waited->elapsed() < 10000)
                    return;
                settle->stop();
                delete waited;
                graph->fitToView();
                QTimer::singleShot(600, &w, [&w, shot] {
                    w.grab().save(shot);
                    QApplication::quit();
                });
            });
            settle->start();
        });
        t->start();
    }
    return app.exec();
}
