#include "main_window.h"
#include "packet_choice.h"
#include "theme.h"

#include "anonymise_mode.h"
#include "display_anonymizer.h"

#include "expert_pane.h"
#include "expert_scan.h"
#include "packet_context.h"
#include "packet_summary.h"

#include "glyph_icon.h"
#include "capture_dialog.h"
#include "conversation_table_model.h"
#include "display_filter.h"
#include "flow_graph_dialog.h"
#include "dissect/outputs.h"
#include "dissect/tcp_analysis.h"
#include "filter_bar.h"
#include "find_bar.h"
#include "follow_stream_dialog.h"
#include "help_dialogs.h"
#include "host_table_model.h"
#include "drop_panel.h"
#include "packet_details_pane.h"
#include "host_graph_pane.h"
#include "packet_list_view.h"
#include "protocol_tree_model.h"
#include "host_graph_view.h"
#include "table_pane.h"
#include "throughput_plot.h"
#include "time_math.h"
#include "welcome_page.h"

#include <chrono>
#include <memory>
#include <thread>
#include <unordered_set>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QEventLoop>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QLoggingCategory>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QProgressDialog>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <arpa/inet.h>

// QT_LOGGING_RULES="underhood.session.debug=true" logs when a session has
// been read and shown in full (what tests outside the process wait for).
Q_LOGGING_CATEGORY(lcSession, "underhood.session", QtWarningMsg)

namespace underhood {

namespace {
constexpr int kMaxRecent = 10;

// Runs `f` when the watched widget is clicked (the status bar's drop summary).
class ClickFilter : public QObject {
public:
    ClickFilter(QObject* parent, std::function<void()> f) : QObject(parent), f_(std::move(f)) {}
    bool eventFilter(QObject* o, QEvent* e) override
    {
        if (e->type() == QEvent::MouseButtonRelease)
            f_();
        return QObject::eventFilter(o, e);
    }

private:
    std::function<void()> f_;
};

// The GUI keeps an hour of 1 ms throughput bins for the plots.
IngestOptions gui_ingest_options()
{
    IngestOptions io;
    io.model.throughput_max_bins = ThroughputPlot::kModelMaxBins;
    return io;
}
} // namespace

MainWindow::MainWindow(QSize size, QWidget* parent) : QMainWindow(parent)
{
    setObjectName("MainWindow");
    setAcceptDrops(true);
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    resize(size.isValid() ? size : QSize(1280, 820));

    packets_ = new PacketListModel(this);
    // View > Anonymise: every view that makes text for the screen is told.
    anonymise_ = new AnonymiseMode(this, packets_);
    addAction(anonymise_->toggleAction()); // its shortcut works with the menu bar hidden too
    connect(anonymise_, &AnonymiseMode::changed, this, [this](std::shared_ptr<DisplayAnonymizer> a) {
        packets_->setAnonymizer(a);
        hosts_->setAnonymizer(a);
        convs_->setAnonymizer(a);
        graph_->setAnonymizer(a);
        details_->setAnonymizer(a);
        expert_->setAnonymizer(a);
        plot_->setAnonymizer(a);
        drops_->setAnonymizer(a);
        if (flow_)
            flow_->setAnonymizer(a);
        updateTitle();
        updateWarnings();
        filter_->setText(shownFilter(applied_filter_)); // the filter in force, as the views now name its hosts
        if (follow_dialog_)
            follow_dialog_->setAnonymizer(a);
        showPacket(details_number_);
    });
    connect(anonymise_, &AnonymiseMode::warning, this, [this](const QString& text) {
        statusBar()->showMessage("⚠ " + text, 20000);
    });
    list_ = new PacketListView;
    list_->setPacketModel(packets_);
    connect(list_, &PacketListView::packetSelected, this, &MainWindow::showPacket);
    graph_ = new HostGraphPane;
    connect(list_, &PacketListView::packetSelected, graph_, &HostGraphPane::pulsePacket);
    // A step on the timeline makes a packet current: the list selects it (its token runs then).
    connect(graph_, &HostGraphPane::packetStepped, this, [this](quint64 number) {
        list_->setFollowing(false);
        if (packets_->rowOf(number) >= 0 && list_->currentNumber() != number)
            list_->selectNumber(number);
    });
    connect(graph_, &HostGraphPane::kindStepRequested, this, &MainWindow::stepToKind);
    connect(graph_, &HostGraphPane::nodeSelected, this, &MainWindow::graphSelectionChanged);
    connect(graph_, &HostGraphPane::layerChosen, this, &MainWindow::setLayer);

    warning_bar_ = new QLabel;
    warning_bar_->setWordWrap(true);
    warning_bar_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    warning_bar_->setStyleSheet("QLabel { background: #fff3cd; color: #664d03; padding: 6px; border-bottom: 1px solid #e6c86e; }");
    warning_bar_->hide();
    banner_ = new IncompleteBanner;

    filter_ = new FilterBar([this](const QString& expr) -> FilterBar::Check {
        DisplayFilter f;
        std::string err;
        std::vector<uint32_t> lts{1};
        if (session_)
            lts = session_->engine().with_state([](const IngestEngine::State& st) {
                std::vector<uint32_t> v;
                for (const auto& itf : st.interfaces)
                    v.push_back(itf.link_type);
                return v.empty() ? std::vector<uint32_t>{1} : v;
            });
        if (!f.compile(expr.toStdString(), lts, err))
            return {QString::fromStdString(err), QString()};
        return {QString(), f.language() == DisplayFilter::Language::Wireshark ? tr("Wireshark") : tr("BPF")};
    });
    connect(filter_, &FilterBar::applyRequested, this, [this](const QString& e) { applyDisplayFilter(realFilter(e)); });
    // For a lesson: everything but the selected packet's conversation out of
    // the way (graph, list and the timeline's steps follow the filter).
    filter_->addPreset(tr("Lesson: only the selected packet's conversation"), [this]() -> QString {
        const quint64 n = list_->currentNumber();
        const auto e = n && session_ ? packets_->entry(n) : std::nullopt;
        DecodedPacket dp;
        Endpoint src, dst;
        if (!e || !session_->engine().decode(n, *e, dp) ||
            !(TrafficModel::endpoints(Layer::Port, dp, src, dst) || TrafficModel::endpoints(Layer::Ip, dp, src, dst))) {
            statusBar()->showMessage(tr("Select a packet first: its conversation is kept"), 5000);
            return {};
        }
        return QString::fromStdString("(" + endpoint_dfilter(src) + ") && (" + endpoint_dfilter(dst) + ")");
    });
    list_box_ = new QWidget;
    auto* list_box = list_box_;
    auto* list_lay = new QVBoxLayout(list_box);
    list_lay->setContentsMargins(0, 0, 0, 0);
    list_lay->setSpacing(0);
    list_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(list_, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex at = list_->indexAt(pos);
        if (!at.isValid())
            return;
        list_->setCurrentIndex(at);
        QMenu* menu = packetMenu(at.row());
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(list_->viewport()->mapToGlobal(pos));
    });
    find_bar_ = new FindBar;
    connect(find_bar_, &FindBar::findRequested, this, &MainWindow::findPacket);
    list_lay->addWidget(filter_);
    list_lay->addWidget(find_bar_);
    list_lay->addWidget(list_, 1);

    splitter_ = new QSplitter(Qt::Vertical);
    splitter_->addWidget(graph_);
    splitter_->addWidget(list_box);
    splitter_->setStretchFactor(0, 2);
    splitter_->setStretchFactor(1, 3);
    auto* central = new QWidget;
    auto* lay = new QVBoxLayout(central);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->setSpacing(0);
    lay->addWidget(banner_);
    lay->addWidget(warning_bar_);
    lay->addWidget(splitter_, 1);
    setCentralWidget(central);

    buildActions();
    buildMenus();
    buildToolBar();
    buildDocks();
    buildStatusBar();
    showShortcutsInToolTips(this);
    new WelcomePage(this, act_open_, act_start_);

    QSettings s;
    const bool restore = !size.isValid();
    if (restore)
        restoreGeometry(s.value("window/geometry").toByteArray());
    if (!restore || !restoreState(s.value("window/state").toByteArray())) {
        // First start: the graph and the packet list get most of the room.
        // Packet Details opens with the first chosen packet (showPacket), and
        // the tables take a fifth of the height (less on a short screen).
        details_dock_->hide();
        // Dock sizes hold once the window is laid out: after show().
        QTimer::singleShot(0, this, [this] {
            if (auto* h = findChild<QDockWidget*>("hostsDock"))
                resizeDocks({h}, {std::clamp(height() / 5, 160, 240)}, Qt::Vertical);
        });
    }
    if (!restore || !splitter_->restoreState(s.value("window/splitter").toByteArray()))
        splitter_->setSizes({height() * 5 / 8, height() * 3 / 8}); // the graph first
    applyTheme(s.value("view/theme", "system").toString());
    packets_->setTimeFormat(TimeFormat(s.value("view/timeFormat", int(TimeFormat::Relative)).toInt()));
    updateActions();
    updateTitle();
}

MainWindow::~MainWindow()
{
    // The filter scan posts its result to this window: it must end first.
    if (filter_cancel_)
        *filter_cancel_ = true;
    if (filter_thread_.joinable())
        filter_thread_.join();
    stopExpertScan();
}

void MainWindow::buildActions()
{
    auto make = [this](const QString& text, const QKeySequence& key, const QIcon& icon = {}) {
        auto* a = new QAction(text, this);
        if (!key.isEmpty())
            a->setShortcut(key);
        if (!icon.isNull())
            a->setIcon(icon);
        addAction(a);
        return a;
    };
    act_open_ = make(tr("&Open…"), QKeySequence::Open, style()->standardIcon(QStyle::SP_DialogOpenButton));
    act_save_ = make(tr("Save &As…"), QKeySequence::SaveAs, style()->standardIcon(QStyle::SP_DialogSaveButton));
    act_close_ = make(tr("&Close"), QKeySequence::Close);
    act_quit_ = make(tr("&Quit"), QKeySequence::Quit);
    act_start_ = make(tr("&Start Capture…"), QKeySequence(Qt::CTRL | Qt::Key_E), glyphIcon(Glyph::Play, QColor(0x1e, 0x8e, 0x3e)));
    act_stop_ = make(tr("S&top Capture"), QKeySequence(Qt::CTRL | Qt::Key_Period), glyphIcon(Glyph::Stop, QColor(0xc6, 0x28, 0x28)));
    act_restart_ = make(tr("&Restart Capture"), QKeySequence(Qt::CTRL | Qt::Key_R), glyphIcon(Glyph::Restart));
    act_next_ = make(tr("&Next Packet"), QKeySequence(Qt::CTRL | Qt::Key_Down), glyphIcon(Glyph::Down));
    act_prev_ = make(tr("&Previous Packet"), QKeySequence(Qt::CTRL | Qt::Key_Up), glyphIcon(Glyph::Up));
    act_first_ = make(tr("&First Packet"), QKeySequence(Qt::CTRL | Qt::Key_Home));
    act_last_ = make(tr("&Last Packet"), QKeySequence(Qt::CTRL | Qt::Key_End));
    act_fullscreen_ = make(tr("&Full Screen"), QKeySequence::FullScreen);
    act_fullscreen_->setCheckable(true);
    act_filter_ = make(tr("Display &Filter"), QKeySequence(Qt::CTRL | Qt::Key_Slash));
    act_find_ = make(tr("&Find…"), QKeySequence::Find);
    // Wireshark's conversations and endpoints offer "Limit to display filter";
    // here the whole window follows it, on by default as the list does.
    act_limit_ = make(tr("&Limit Views to Display Filter"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_L));
    act_limit_->setObjectName("limitToFilter");
    act_limit_->setCheckable(true);
    act_limit_->setChecked(QSettings().value("view/limitToFilter", true).toBool());
    act_limit_->setToolTip(tr("The graph, the tables and the throughput plot count only the packets the "
                              "display filter shows"));
    connect(act_limit_, &QAction::toggled, this, [this](bool on) {
        QSettings().setValue("view/limitToFilter", on);
        if (filter_program_)
            applyDisplayFilter(applied_filter_); // counts again, limited or not
        else
            showDisplayLimit();
    });
    // Wireshark's key for a packet comment.
    act_comment_ = make(tr("Packet &Comment…"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C));
    act_comment_->setObjectName("packetComment");
    act_comment_->setToolTip(tr("Write a comment on the selected packet: it shows as a caption while the packet is "
                                "current, and Save As keeps it (pcapng)"));
    connect(act_comment_, &QAction::triggered, this, [this] {
        if (const quint64 n = list_->currentNumber())
            editComment(n);
        else
            statusBar()->showMessage(tr("Select a packet to comment on"), 4000);
    });
    act_mark_ = make(tr("&Mark/Unmark Packet"), QKeySequence(Qt::CTRL | Qt::Key_M));
    act_mark_->setObjectName("markPacket");
    act_unmark_all_ = make(tr("&Unmark All Packets"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_M));
    act_next_mark_ = make(tr("Next &Mark"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
    act_prev_mark_ = make(tr("Previous M&ark"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B));
    // Wireshark's keys for Follow TCP and UDP Stream.
    act_follow_tcp_ = make(tr("Follow &TCP Stream"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::SHIFT | Qt::Key_T));
    act_follow_tcp_->setObjectName("followTcp");
    act_follow_udp_ = make(tr("Follow &UDP Stream"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::SHIFT | Qt::Key_U));
    act_follow_udp_->setObjectName("followUdp");
    act_present_ = make(tr("&Presentation"), QKeySequence(Qt::Key_F5));
    act_present_->setObjectName("presentation");
    act_present_->setCheckable(true);
    act_present_->setToolTip(tr("Large type for a projector: the graph with its caption and timeline, and a compact "
                                "packet list (F5 again leaves it)"));
    connect(act_present_, &QAction::triggered, this, [this](bool on) { setPresentation(on); });
    scale_percent_ = std::clamp(QSettings().value("presentation/scale", 200).toInt(), 100, 300);
    presentation_panes_ = QSettings()
                              .value("presentation/panes", QStringList{"list", "caption", "timeline"})
                              .toStringList();
    act_expert_ = make(tr("&Expert Information"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E));
    act_expert_->setObjectName("expertInfo");
    act_expert_->setToolTip(tr("Problems and notable events: TCP retransmissions and resets, DNS and HTTP errors, "
                               "ICMP errors, TLS alerts, malformed packets"));
    connect(act_follow_tcp_, &QAction::triggered, this, [this] { followStream(true); });
    connect(act_follow_udp_, &QAction::triggered, this, [this] { followStream(false); });

    connect(act_open_, &QAction::triggered, this, &MainWindow::openDialog);
    connect(act_save_, &QAction::triggered, this, &MainWindow::saveAs);
    connect(act_close_, &QAction::triggered, this, [this] {
        if (confirmDiscardCapture())
            setSession(nullptr);
    });
    connect(act_quit_, &QAction::triggered, this, &QWidget::close);
    connect(act_start_, &QAction::triggered, this, &MainWindow::startCaptureDialog);
    connect(act_stop_, &QAction::triggered, this, &MainWindow::stopCapture);
    connect(act_restart_, &QAction::triggered, this, &MainWindow::restartCapture);
    connect(act_next_, &QAction::triggered, this, [this] { selectRelative(1); });
    connect(act_prev_, &QAction::triggered, this, [this] { selectRelative(-1); });
    connect(act_first_, &QAction::triggered, this, [this] { selectRelative(INT_MIN); });
    connect(act_last_, &QAction::triggered, this, [this] { selectRelative(INT_MAX); });
    connect(act_mark_, &QAction::triggered, this, [this] {
        if (const quint64 n = list_->currentNumber())
            packets_->setMarked(n, !packets_->isMarked(n));
    });
    // A mark is also a comment starting with ★, so a lesson's bookmarks are
    // in the pcapng file itself (Wireshark shows them as comments).
    connect(packets_, &PacketListModel::markChanged, this, [this](quint64 n, bool marked) {
        if (!session_ || loading_marks_)
            return;
        const QString c = packetComment(n);
        const bool starred = c.startsWith(QStringLiteral("★"));
        if (marked && !starred)
            session_->engine().set_comment(n, (c.isEmpty() ? QStringLiteral("★") : QStringLiteral("★ ") + c).toStdString());
        else if (!marked && starred)
            session_->engine().set_comment(n, c.mid(1).trimmed().toStdString());
        updateCaption();
    });
    connect(act_unmark_all_, &QAction::triggered, packets_, &PacketListModel::clearMarks);
    for (bool forward : {true, false})
        connect(forward ? act_next_mark_ : act_prev_mark_, &QAction::triggered, this, [this, forward] {
            const quint64 to = packets_->nextMarked(list_->currentNumber(), forward);
            if (to)
                list_->selectNumber(to);
            else
                statusBar()->showMessage(packets_->marked().isEmpty() ? tr("No packet is marked (Ctrl+M marks one)")
                                                                      : tr("No further marked packet"),
                                         4000);
        });
    connect(act_fullscreen_, &QAction::toggled, this, [this](bool on) { on ? showFullScreen() : showNormal(); });
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(act_open_);
    recent_menu_ = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addAction(act_save_);
    file->addAction(anonymise_->exportAction());
    file->addAction(tr("Export &Graph…"), graph_, &HostGraphPane::exportDialog);
    file->addSeparator();
    file->addAction(act_close_);
    file->addAction(act_quit_);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(act_find_);
    edit->addSeparator();
    edit->addAction(act_comment_);
    edit->addAction(act_mark_);
    edit->addAction(act_unmark_all_);
    edit->addAction(act_next_mark_);
    edit->addAction(act_prev_mark_);

    QMenu* cap = menuBar()->addMenu(tr("&Capture"));
    cap->addAction(act_start_);
    cap->addAction(act_stop_);
    cap->addAction(act_restart_);

    QMenu* go = menuBar()->addMenu(tr("&Go"));
    go->addAction(act_next_);
    go->addAction(act_prev_);
    go->addAction(act_first_);
    go->addAction(act_last_);
    go->addSeparator();
    go->addAction(act_filter_);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->setObjectName("viewMenu");
    view->addAction(act_fullscreen_);
    view->addAction(act_present_);
    view->addAction(anonymise_->toggleAction());
    view->addAction(anonymise_->vendorAction());
    view->addAction(anonymise_->keyAction());
    QMenu* scale = view->addMenu(tr("Presentation &Scale"));
    auto* scales = new QActionGroup(this);
    for (int pct : {100, 150, 200, 250, 300}) {
        QAction* a = scale->addAction(tr("%1%").arg(pct));
        a->setCheckable(true);
        a->setChecked(pct == scale_percent_);
        a->setObjectName(QString("scale%1").arg(pct));
        scales->addAction(a);
        connect(a, &QAction::triggered, this, [this, pct] { setPresentationScale(pct); });
    }
    // The teacher picks what the class sees beside the graph; the list is
    // made when the menu opens, so that it names every dock there is.
    QMenu* panes = view->addMenu(tr("Presentation &Panes"));
    panes->setObjectName("presentationPanes");
    connect(panes, &QMenu::aboutToShow, this, [this, panes] {
        panes->clear();
        std::vector<std::pair<QString, QString>> items = {{"list", tr("Packet List")},
                                                          {"caption", tr("Captions")},
                                                          {"timeline", tr("Timeline")},
                                                          {"controls", tr("Graph Controls")}};
        for (QDockWidget* d : findChildren<QDockWidget*>())
            if (!d->objectName().isEmpty())
                items.emplace_back(d->objectName(), d->windowTitle().remove('&'));
        for (const auto& [key, title] : items) {
            QAction* a = panes->addAction(title);
            a->setCheckable(true);
            a->setChecked(presentation_panes_.contains(key));
            connect(a, &QAction::toggled, this, [this, key = key](bool on) {
                QStringList p = presentation_panes_;
                p.removeAll(key);
                if (on)
                    p << key;
                setPresentationPanes(p);
            });
        }
    });
    QAction* safe = view->addAction(tr("Colour-&Blind Safe Colours"));
    safe->setObjectName("colorBlindSafe");
    safe->setCheckable(true);
    safe->setToolTip(tr("Okabe and Ito's palette for the protocols: told apart with any colour vision"));
    safe->setChecked(QSettings().value("view/colorBlindSafe", false).toBool());
    PacketColorProxy::setColorBlindSafe(safe->isChecked());
    connect(safe, &QAction::toggled, this, [this](bool on) {
        QSettings().setValue("view/colorBlindSafe", on);
        PacketColorProxy::setColorBlindSafe(on);
        graph_->view()->refreshColors();
        list_->viewport()->update();
        plot_->refresh();
    });
    view->addAction(act_limit_);
    QMenu* theme = view->addMenu(tr("&Theme"));
    auto* themes = new QActionGroup(this);
    const QString current = QSettings().value("view/theme", "system").toString();
    for (auto [key, label] : {std::pair{"system", tr("Follow the Desktop")}, std::pair{"light", tr("Light")},
                              std::pair{"dark", tr("Dark")}}) {
        QAction* a = theme->addAction(label);
        a->setCheckable(true);
        a->setChecked(current == key);
        themes->addAction(a);
        const QString k = key;
        connect(a, &QAction::triggered, this, [this, k] {
            QSettings().setValue("view/theme", k);
            applyTheme(k);
        });
    }
    QMenu* time = view->addMenu(tr("&Time Format"));
    auto* times = new QActionGroup(this);
    const int tf = QSettings().value("view/timeFormat", int(TimeFormat::Relative)).toInt();
    for (auto [f, label] : {std::pair{TimeFormat::Relative, tr("Seconds Since First Packet")},
                            std::pair{TimeFormat::Absolute, tr("Date and Time of Day")},
                            std::pair{TimeFormat::Epoch, tr("Seconds Since the Epoch")},
                            std::pair{TimeFormat::Delta, tr("Seconds Since Previous Packet")}}) {
        QAction* a = time->addAction(label);
        a->setCheckable(true);
        a->setChecked(tf == int(f));
        times->addAction(a);
        const TimeFormat fmt = f;
        connect(a, &QAction::triggered, this, [this, fmt] {
            QSettings().setValue("view/timeFormat", int(fmt));
            packets_->setTimeFormat(fmt);
        });
    }
    view->addSeparator();

    QMenu* analyze = menuBar()->addMenu(tr("&Analyze"));
    analyze->setObjectName("analyzeMenu");
    analyze->addAction(act_expert_);
    analyze->addSeparator();
    analyze->addAction(act_follow_tcp_);
    analyze->addAction(act_follow_udp_);
    QMenu* stats = menuBar()->addMenu(tr("&Statistics"));
    stats->setObjectName("statisticsMenu");
    QAction* flow = stats->addAction(tr("&Flow Graph"), this, [this] {
        showFlowGraph();
        flow_->rebuild();
    });
    flow->setObjectName("flowGraph");
    flow->setShortcut(QKeySequence(tr("Ctrl+Alt+F")));
    flow->setToolTip(tr("A ladder diagram of the packets shown: one column per host, one arrow per packet"));

    populateHelpMenu(menuBar()->addMenu(tr("&Help")), this);
}

void MainWindow::buildToolBar()
{
    QToolBar* tb = addToolBar(tr("Main"));
    tb->setObjectName("mainToolBar");
    tb->addAction(act_open_);
    tb->addAction(act_save_);
    tb->addSeparator();
    tb->addAction(act_start_);
    tb->addAction(act_stop_);
    tb->addAction(act_restart_);
    tb->addSeparator();
    tb->addAction(act_prev_);
    tb->addAction(act_next_);
    // The graph's choices share the tool bar's row: height goes to the graph.
    QToolBar* graph_bar = addToolBar(tr("Graph"));
    graph_bar->setObjectName("graphToolBar");
    graph_bar->addWidget(graph_->controls());
}

void MainWindow::buildDocks()
{
    auto* dock = new QDockWidget(tr("Packet Details"), this);
    dock->setObjectName("detailsDock");
    details_dock_ = dock;
    details_ = new PacketDetailsPane;
    details_->setMinimumWidth(260);
    connect(details_, &PacketDetailsPane::filterRequested, this, [this](const QString& expr, bool apply, bool widen) {
        const QString e = widen ? packetFilterFor(expr.toStdString()) : expr;
        filter_->setText(shownFilter(e));
        if (apply)
            applyDisplayFilter(e);
        else
            filter_->focusField();
    });
    dock->setWidget(details_);
    addDockWidget(Qt::RightDockWidgetArea, dock);
    QMenu* view = menuBar()->findChild<QMenu*>("viewMenu");
    if (view)
        view->addAction(dock->toggleViewAction());
    // Turned off by the user (menu or the dock's close button): it stays off
    // until they turn it on; otherwise it opens when a packet is chosen.
    connect(dock->toggleViewAction(), &QAction::triggered, this, [this](bool on) { details_follow_ = on; });
    dock->installEventFilter(this);

    hosts_ = new HostTableModel(this);
    convs_ = new ConversationTableModel(this);
    protos_ = new ProtocolTreeModel(this);
    host_pane_ = new TablePane(hosts_, true, false);
    conv_pane_ = new TablePane(convs_, true, false);
    proto_pane_ = new TablePane(protos_, false, true);
    QDockWidget* previous = nullptr;
    for (auto [pane, title, name] : {std::tuple{host_pane_, tr("Hosts"), "hostsDock"},
                                     std::tuple{conv_pane_, tr("Conversations"), "conversationsDock"},
                                     std::tuple{proto_pane_, tr("Protocols"), "protocolsDock"}}) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(pane);
        addDockWidget(Qt::BottomDockWidgetArea, d);
        if (previous)
            tabifyDockWidget(previous, d);
        previous = d;
        if (view)
            view->addAction(d->toggleViewAction());
        connect(pane, &TablePane::layerChosen, this, &MainWindow::setLayer);
        connect(pane, &TablePane::rowActivated, this, [this, pane](int row) { filterToRow(pane, row); });
    }
    for (TablePane* pane : {host_pane_, conv_pane_})
        connect(pane, &TablePane::scopeCleared, this, [this] { graph_->view()->selectNode(-1); });
    // Right-click a conversation: follow its stream (its first TCP or UDP one at the ip layer).
    {
        auto* sep = new QAction(conv_pane_);
        sep->setSeparator(true);
        auto* follow = new QAction(tr("Follow Stream"), conv_pane_);
        follow->setObjectName("followConversation");
        follow->setToolTip(tr("Follow the TCP (or UDP) stream of the chosen conversation"));
        connect(follow, &QAction::triggered, this, [this] {
            const QModelIndex at = conv_pane_->view()->currentIndex();
            const int row = at.isValid() ? conv_pane_->sourceRow(at) : -1;
            if (row >= 0)
                followConversation(row);
        });
        conv_pane_->view()->addAction(sep);
        conv_pane_->view()->addAction(follow);
    }
    connect(act_find_, &QAction::triggered, this, [this] { find_bar_->open(); });
    connect(act_filter_, &QAction::triggered, this, [this] { filter_->focusField(); });
    plot_ = new ThroughputPlot;
    plot_dock_ = new QDockWidget(tr("Throughput"), this);
    plot_dock_->setObjectName("throughputDock");
    plot_dock_->setWidget(plot_);
    drops_ = new DropPanel;
    drops_dock_ = new QDockWidget(tr("Drops"), this);
    drops_dock_->setObjectName("dropsDock");
    drops_dock_->setWidget(drops_);
    expert_ = new ExpertPane;
    expert_dock_ = new QDockWidget(tr("Expert Information"), this);
    expert_dock_->setObjectName("expertDock");
    expert_dock_->setWidget(expert_);
    expert_->setDescriber([this](quint64 number) -> QString {
        const auto e = session_ ? packets_->entry(number) : std::nullopt;
        if (!e)
            return {};
        const std::vector<uint8_t> bytes = session_->engine().packet_bytes(number);
        if (bytes.size() != e->caplen)
            return {};
        const uint32_t lt = session_->engine().link_type_of(e->interface_id);
        if (const auto a = anonymise_->isOn() ? anonymise_->anonymizer() : nullptr) { // as the packet list says it
            const std::vector<uint8_t> out = a->rewrite(lt, Bytes(bytes.data(), bytes.size()), e->origlen);
            const PacketSummary s = summarize_packet(lt, Bytes(out.data(), out.size()), e->origlen);
            return QString::fromStdString(a->text(s.source + " → " + s.destination + "  " + s.protocol + "  " + s.info));
        }
        const PacketSummary s = summarize_packet(lt, Bytes(bytes.data(), bytes.size()), e->origlen);
        return QString::fromStdString(s.source + " → " + s.destination + "  " + s.protocol + "  " + s.info);
    });
    connect(expert_, &ExpertPane::packetActivated, this, [this](quint64 number) {
        list_->setFollowing(false);
        if (packets_->rowOf(number) < 0)
            statusBar()->showMessage(tr("Packet %1 is not shown: the display filter hides it").arg(number), 5000);
        else
            list_->selectNumber(number);
    });
    connect(act_expert_, &QAction::triggered, this, [this] {
        expert_dock_->show();
        expert_dock_->raise();
        continueExpertScan();
    });
    // The plots, the drop panel and the expert information sit with the tables, as tabs.
    addDockWidget(Qt::BottomDockWidgetArea, plot_dock_);
    addDockWidget(Qt::BottomDockWidgetArea, drops_dock_);
    addDockWidget(Qt::BottomDockWidgetArea, expert_dock_);
    tabifyDockWidget(previous, plot_dock_);
    tabifyDockWidget(plot_dock_, drops_dock_);
    tabifyDockWidget(drops_dock_, expert_dock_);
    if (view) {
        view->addAction(plot_dock_->toggleViewAction());
        view->addAction(drops_dock_->toggleViewAction());
        view->addAction(expert_dock_->toggleViewAction());
    }
    connect(plot_, &ThroughputPlot::rangeSelected, this, &MainWindow::showTimeRange);
    connect(plot_, &ThroughputPlot::rangeCleared, this, &MainWindow::clearTimeRange);
    connect(plot_dock_, &QDockWidget::visibilityChanged, plot_, [this](bool on) {
        if (on)
            QTimer::singleShot(0, plot_, &ThroughputPlot::refresh); // once its tab is on top
    });
    connect(drops_, &DropPanel::incompleteChanged, banner_, &IncompleteBanner::setIncomplete);
    connect(banner_, &IncompleteBanner::detailsRequested, this, &MainWindow::showDropPanel);
    connect(drops_, &DropPanel::restartRequested, this, [this](const LiveCaptureOptions& o) {
        if (session_ && session_->isLive())
            session_->stop();
        startCapture(o);
    });
    if (auto* first = findChild<QDockWidget*>("hostsDock"))
        first->raise();
}

void MainWindow::showDropPanel()
{
    drops_dock_->show();
    drops_dock_->raise();
    drops_->refresh();
}

QString MainWindow::incompleteText() const { return banner_->text(); }

void MainWindow::buildStatusBar()
{
    auto mk = [this](const QString& tip) {
        auto* l = new QLabel;
        l->setToolTip(tip);
        statusBar()->addPermanentWidget(l);
        return l;
    };
    progress_ = new QProgressBar;
    progress_->setMaximumWidth(220);
    progress_->setFormat(tr("Loading %p%"));
    progress_->hide();
    statusBar()->addWidget(progress_);
    cancel_ = new QToolButton;
    cancel_->setText(tr("Cancel"));
    cancel_->setToolTip(tr("Stop loading; what was read so far stays"));
    cancel_->hide();
    connect(cancel_, &QToolButton::clicked, this, [this] {
        if (session_)
            session_->cancel();
    });
    statusBar()->addWidget(cancel_);
    limit_button_ = new QToolButton;
    limit_button_->setObjectName("limitButton");
    limit_button_->setAutoRaise(true);
    limit_button_->setCheckable(true);
    limit_button_->hide();
    connect(limit_button_, &QToolButton::clicked, act_limit_, &QAction::trigger);
    statusBar()->addPermanentWidget(limit_button_);
    st_packets_ = mk(tr("Packets read (and listed)"));
    st_bytes_ = mk(tr("Bytes on the wire"));
    st_duration_ = mk(tr("Time from the first to the last packet"));
    st_rate_ = mk(tr("Packets per second just now"));
    st_drops_ = mk(tr("Packets lost on the way from the wire to this window"));
    st_drops_->setCursor(Qt::PointingHandCursor);
    st_drops_->installEventFilter(new ClickFilter(st_drops_, [this] { showDropPanel(); }));
}

void MainWindow::setSession(CaptureSession* session)
{
    if (session_) {
        session_->disconnect(this);
        session_->deleteLater();
    }
    // The flow graph draws the old session's engine: it goes with it.
    delete flow_;
    flow_ = nullptr;
    session_ = session;
    session_shown_ = false;
    unsaved_live_ = false;
    comments_changed_ = false;
    saved_as_.clear();
    if (session_) {
        session_->setParent(this);
        connect(session_, &CaptureSession::updated, this, &MainWindow::onUpdated);
        connect(session_, &CaptureSession::finished, this, &MainWindow::onFinished);
        connect(session_, &CaptureSession::helperFailed, this,
                [this](const QString& msg) { showError(tr("Capture stopped"), msg); });
    }
    if (filter_cancel_)
        *filter_cancel_ = true;
    filter_program_.reset();
    filter_->setStatus(QString());
    stopExpertScan();
    details_context_.reset();
    expert_scan_ = session_ ? std::make_shared<ExpertScanner>() : nullptr;
    expert_->clear();
    plot_->clearTcpErrors();
    convs_->setTcpHealth(nullptr, nullptr);
    graph_->view()->setTcpHealth(nullptr, nullptr);
    display_id_ = 0;
    graph_->setDisplayLimit(QString());
    showDisplayLimit();
    graph_->view()->selectNode(-1);
    graphSelectionChanged();
    if (range_restore_) {
        graph_->setSpans(range_restore_->spans);
        range_restore_.reset();
    }
    packets_->setSession(session_);
    hosts_->clear();
    convs_->clear();
    refreshTables();
    plot_->setSession(session_);
    drops_->setSession(session_);
    graph_->setSession(session_);
    anonymise_->setSession(session_); // a key of its own for each capture
    // Follow new packets during a live capture; a file opens at its start.
    list_->setFollowing(session_ && session_->isLive());
    warning_bar_->hide();
    last_packets_ = 0;
    rate_pps_ = 0;
    rate_clock_.start();
    if (session_ && !session_->isLive()) {
        progress_->setValue(0);
        progress_->show();
        cancel_->show();
    } else {
        progress_->hide();
        cancel_->hide();
    }
    updateStatus();
    updateActions();
    updateTitle();
    emit sessionChanged();
}

bool MainWindow::openFile(const QString& path)
{
    if (!confirmDiscardCapture())
        return false;
    // Only the layer on screen is keyed while the file loads; another layer
    // is computed when asked for (IngestEngine::ensure_layer).
    IngestOptions io = gui_ingest_options();
    io.model.layers = {false, false, false};
    io.model.layers[size_t(layer_)] = true;
    auto* s = new CaptureSession(io, this);
    QString err;
    if (!s->openFile(path, &err)) {
        delete s;
        showError(tr("Cannot open capture"), err);
        return false;
    }
    setSession(s);
    if (path != "-")
        addRecent(QFileInfo(path).absoluteFilePath());
    return true;
}

bool MainWindow::startCapture(const LiveCaptureOptions& opts)
{
    if (!confirmDiscardCapture())
        return false;
    IngestOptions io = gui_ingest_options();
    io.max_stored_packets = opts.history_packets > 0
                                ? size_t(opts.history_packets)
                                : size_t(QSettings().value("capture/historyPackets", 2000000).toULongLong());
    auto* s = new CaptureSession(io, this);
    QString err;
    if (!s->startLive(opts, &err)) {
        delete s;
        showError(tr("Cannot start the capture"), err);
        return false;
    }
    last_live_ = opts;
    QSettings().setValue("capture/interfaces", opts.interfaces);
    QSettings().setValue("capture/filter", opts.filter);
    setSession(s);
    unsaved_live_ = true;
    updateTitle();
    return true;
}

void MainWindow::onUpdated()
{
    packets_->refresh();
    list_->followIfWanted();
    if (session_) {
        auto [read, total] = session_->engine().with_state([](const IngestEngine::State& st) {
            return std::pair<uint64_t, uint64_t>(st.progress.bytes_read, st.progress.bytes_total.value_or(0));
        });
        if (total)
            progress_->setValue(int(100.0 * double(read) / double(total)));
    }
    ++tick_;
    if (tick_ % 3 == 0 || !session_ || !session_->isRunning())
        refreshTables();
    if (filter_program_ && session_ && session_->isLive())
        continueLiveFilter();
    if (session_ && session_->isLive() && tick_ % 10 == 0)
        continueExpertScan();
    drops_->refresh();
    plot_->setDropEvents(drops_->statistics().events());
    plot_->refresh();
    if (tick_ % 3 == 0)
        updateWarnings();
    updateStatus();
}

void MainWindow::onFinished()
{
    packets_->refresh();
    // Comments starting with ★ are the lesson's bookmarks: marked again.
    if (session_) {
        const std::vector<quint64> starred = session_->engine().with_state([](const IngestEngine::State& st) {
            std::vector<quint64> v;
            for (const auto& [n, c] : st.comments)
                if (QString::fromStdString(c).startsWith(QStringLiteral("★")))
                    v.push_back(n);
            return v;
        });
        loading_marks_ = true;
        for (quint64 n : starred)
            packets_->setMarked(n, true);
        loading_marks_ = false;
    }
    updateCaption();
    refreshTables();
    if (filter_program_)
        continueLiveFilter();
    continueExpertScan();
    drops_->refresh();
    plot_->setDropEvents(drops_->statistics().events());
    plot_->refresh();
    progress_->hide();
    cancel_->hide();
    updateWarnings();
    updateStatus();
    updateActions();
    updateTitle(); // a live capture that stopped is no longer "capturing"
    session_shown_ = true;
    qCDebug(lcSession) << "session shown";
}

void MainWindow::updateWarnings()
{
    if (!session_)
        return;
    // Warnings arrive while a source runs (a live stream's, or one cut short)
    // as well as at its end: the bar follows the engine's list.
    auto [warnings, error, cancelled] = session_->engine().with_state([](const IngestEngine::State& st) {
        return std::tuple(st.warnings, st.error, st.progress.cancelled);
    });
    QStringList lines;
    if (cancelled)
        lines << tr("Loading was cancelled: only the first part of the file is shown.");
    for (const std::string& w : warnings)
        lines << QString::fromStdString(w);
    if (!error.empty())
        lines << QString::fromStdString(error);
    // Remote sensors that could not start or stopped, while the others go on.
    const QMap<QString, QString> sensors = session_->sensorErrors();
    for (auto it = sensors.cbegin(); it != sensors.cend(); ++it)
        if (!it.value().isEmpty())
            lines << tr("Sensor %1 stopped: %2 (the other sources go on; what it sent is kept)").arg(it.key(), it.value());
    if (lines.isEmpty())
        return;
    QString text = "⚠ " + lines.join("\n");
    if (const auto a = anonymise_->isOn() ? anonymise_->anonymizer() : nullptr) // sensors' addresses, names in errors
        text = QString::fromStdString(a->text(text.toStdString()));
    if (warning_bar_->text() != text)
        warning_bar_->setText(text);
    warning_bar_->show();
}

void MainWindow::updateStatus()
{
    if (!session_) {
        st_packets_->setText(tr("No capture"));
        st_bytes_->clear();
        st_duration_->clear();
        st_rate_->clear();
        st_drops_->clear();
        return;
    }
    const QLocale loc;
    struct Snap {
        CaptureTotals t;
        size_t listed;
        IngestCounters ingest;
        std::vector<InterfaceStatistics> stats;
    };
    Snap s = session_->engine().with_state([](const IngestEngine::State& st) {
        return Snap{st.model.totals(), st.index.size(), st.ingest, st.statistics};
    });
    QString packets = tr("%1 packets").arg(loc.toString(qulonglong(s.t.packets)));
    if (s.listed < s.t.packets)
        packets += tr(" (%1 listed)").arg(loc.toString(qulonglong(s.listed)));
    st_packets_->setText(packets);
    st_bytes_->setText(loc.formattedDataSize(qint64(s.t.bytes)));
    st_duration_->setText(s.t.any ? tr("%1 s").arg(seconds_between(s.t.first_ns, s.t.last_ns), 0, 'f', 1) : QString());
    const qint64 now = rate_clock_.elapsed();
    if (now - last_rate_ms_ >= 1000) {
        rate_pps_ = last_rate_ms_ ? double(s.t.packets - last_packets_) * 1000.0 / double(now - last_rate_ms_) : 0;
        last_packets_ = s.t.packets;
        last_rate_ms_ = now;
    }
    st_rate_->setText(session_->isLive() ? tr("%1 pkt/s").arg(loc.toString(rate_pps_, 'f', 0)) : QString());
    // Drops along the path: interface, kernel, helper (from the last statistics
    // block of each interface) and this app's own ingest.
    std::map<uint32_t, InterfaceStatistics> last;
    for (const InterfaceStatistics& st : s.stats)
        last[st.interface_id] = st;
    uint64_t ifdrop = 0, osdrop = 0, helper = 0;
    for (const auto& [id, st] : last) {
        ifdrop += st.ifdrop.value_or(0);
        osdrop += st.osdrop.value_or(0);
        if (st.filteraccept && st.usrdeliv && *st.filteraccept >= *st.usrdeliv)
            helper += *st.filteraccept - *st.usrdeliv;
    }
    const uint64_t total = ifdrop + osdrop + helper + s.ingest.dropped;
    if (last.empty() && !session_->isLive()) {
        st_drops_->setText(tr("no drop statistics in this file"));
        st_drops_->setToolTip(tr("The file records no interface statistics, so losses during its capture are unknown."));
    } else {
        st_drops_->setText(total ? tr("⚠ %1 dropped").arg(loc.toString(qulonglong(total))) : tr("no drops"));
        st_drops_->setToolTip(tr("Interface: %1\nKernel ring: %2\nCapture helper: %3\nThis window's ingest: %4")
                                  .arg(ifdrop).arg(osdrop).arg(helper).arg(s.ingest.dropped));
    }
}

void MainWindow::updateActions()
{
    const bool have = session_;
    const bool live_running = have && session_->isLive() && session_->isRunning();
    act_save_->setEnabled(have && !live_running);
    act_close_->setEnabled(have);
    act_start_->setEnabled(!live_running);
    act_stop_->setEnabled(live_running || (have && session_->isRunning()));
    act_restart_->setEnabled(have && session_->isLive());
}

void MainWindow::updateTitle()
{
    if (!session_) {
        setWindowTitle(tr("Underhood"));
        return;
    }
    // Anonymised, the sensors are named as the views name them, and a file's
    // name loses every address and host name the capture reveals; the rest of
    // it is the user's own wording for the lesson, which tells windows apart.
    const auto a = anonymise_->isOn() ? anonymise_->anonymizer() : nullptr;
    const QString mark = a ? tr(" (anonymised)") : QString();
    if (a) // every name the capture revealed, whether a view has shown it yet or not
        session_->engine().with_state(
            [&](const IngestEngine::State& st) { st.model.names().for_each_name([&](const std::string& n) { a->learn(n); }); });
    auto sensors = [&] {
        if (!a)
            return session_->title();
        QStringList names = session_->title().split(QStringLiteral(", "));
        for (QString& n : names)
            n = QString::fromStdString(a->sensor(n.toStdString()));
        return names.join(QStringLiteral(", "));
    };
    auto file = [&](const QString& name) { return a ? QString::fromStdString(a->file_name(name.toStdString())) : name; };
    if (session_->isLive() && session_->isRunning())
        setWindowTitle(tr("Capturing on %1%2 — Underhood").arg(sensors(), mark));
    else if (!saved_as_.isEmpty())
        setWindowTitle(tr("%1%2 — Underhood").arg(file(QFileInfo(saved_as_).fileName()), mark));
    else if (session_->isLive())
        setWindowTitle(unsaved_live_ ? tr("Capture on %1 (not saved)%2 — Underhood").arg(sensors(), mark)
                                     : tr("Capture on %1%2 — Underhood").arg(sensors(), mark));
    else
        setWindowTitle(tr("%1%2 — Underhood").arg(file(session_->title()), mark));
}

bool MainWindow::hasUnsavedCapture() const
{
    if (session_ && !session_->isLive() && comments_changed_)
        return true; // comments written on a file
    if (!session_ || !session_->isLive() || !unsaved_live_)
        return false;
    // Nothing captured, nothing to lose.
    return session_->engine().with_state([](const IngestEngine::State& st) { return !st.index.empty(); });
}

bool MainWindow::confirmDiscardCapture()
{
    if (!hasUnsavedCapture())
        return true;
    const bool running = session_->isRunning();
    const QString question =
        !session_->isLive()
            ? tr("The comments written on %1 are not saved. Save the capture with them?").arg(session_->title())
        : running ? tr("A capture on %1 is running. Stop it and save the packets captured so far before they are lost?")
                        .arg(session_->title())
                  : tr("The packets captured on %1 are not saved. Save them before they are lost?").arg(session_->title());
    UnsavedAnswer answer;
    if (unsaved_answer_) {
        answer = unsaved_answer_(question);
    } else {
        QMessageBox ask(QMessageBox::Warning, tr("Unsaved capture"), question,
                        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
        ask.setDefaultButton(QMessageBox::Save);
        const int b = ask.exec();
        answer.choice = b == QMessageBox::Save      ? UnsavedChoice::Save
                        : b == QMessageBox::Discard ? UnsavedChoice::Discard
                                                    : UnsavedChoice::Cancel;
    }
    if (answer.choice == UnsavedChoice::Cancel)
        return false;
    if (answer.choice == UnsavedChoice::Discard) {
        unsaved_live_ = false;
        comments_changed_ = false;
        return true;
    }
    if (running) {
        // The helper flushes and writes its final statistics on SIGTERM; the
        // file should hold them, so wait for the stream to end first.
        QPointer<CaptureSession> s = session_;
        s->stop();
        QEventLoop loop;
        QTimer limit;
        limit.setSingleShot(true);
        connect(&limit, &QTimer::timeout, &loop, &QEventLoop::quit);
        connect(s, &CaptureSession::finished, &loop, &QEventLoop::quit);
        limit.start(10000);
        if (s && s->isRunning())
            loop.exec();
        if (!s || s != session_)
            return true;
    }
    QString path = answer.path;
    if (path.isEmpty())
        path = QFileDialog::getSaveFileName(this, tr("Save Capture As"), QSettings().value("files/lastDir").toString(),
                                            tr("pcapng (*.pcapng)"));
    if (path.isEmpty())
        return false;
    return saveTo(path, nullptr);
}

void MainWindow::showError(const QString& title, const QString& text)
{
    last_error_ = text;
    statusBar()->showMessage(text, 10000);
    if (!quiet_)
        QMessageBox::critical(this, title, text);
}

void MainWindow::addRecent(const QString& path)
{
    QSettings s;
    QStringList recent = s.value("files/recent").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    s.setValue("files/recent", recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    recent_menu_->clear();
    const QStringList recent = QSettings().value("files/recent").toStringList();
    for (const QString& path : recent)
        recent_menu_->addAction(QFileInfo(path).fileName(), this, [this, path] { openFile(path); })->setToolTip(path);
    recent_menu_->setEnabled(!recent.isEmpty());
}

void MainWindow::openDialog()
{
    const QString dir = QSettings().value("files/lastDir").toString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Capture"), dir,
                                                      tr("Captures (*.pcap *.pcapng *.cap *.dmp);;All files (*)"));
    if (path.isEmpty())
        return;
    QSettings().setValue("files/lastDir", QFileInfo(path).absolutePath());
    openFile(path);
}

void MainWindow::saveAs()
{
    if (!session_ || !saver_)
        return;
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Capture As"),
                                                      QSettings().value("files/lastDir").toString(),
                                                      tr("pcapng (*.pcapng)"));
    if (path.isEmpty())
        return;
    // With a display filter on or packets marked, those are what the user may mean.
    const std::optional<QVector<quint64>> shown =
        choosePackets(this, *packets_, tr("Save"), tr("Which packets should be saved?"));
    saveTo(path, shown ? &*shown : nullptr);
}

bool MainWindow::saveTo(const QString& path, const QVector<quint64>* numbers)
{
    if (!session_ || !saver_)
        return false;
    QProgressDialog dlg(tr("Saving…"), tr("Cancel"), 0, 100, this);
    dlg.setWindowModality(Qt::WindowModal);
    dlg.setMinimumDuration(300);
    QString err;
    bool ok = saver_(session_->engine(), numbers, path, &err, [&](int pct) {
        dlg.setValue(pct);
        QApplication::processEvents();
        return !dlg.wasCanceled();
    });
    dlg.setValue(100);
    if (!ok) {
        showError(tr("Cannot save"), err);
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
    // A subset saved leaves the rest of a live capture unsaved; the title
    // names the file only when it holds what is shown.
    if (!numbers && !session_->isRunning()) {
        unsaved_live_ = false;
        comments_changed_ = false;
        saved_as_ = path;
        addRecent(QFileInfo(path).absoluteFilePath());
    }
    updateTitle();
    return true;
}

void MainWindow::startCaptureDialog()
{
    LiveCaptureOptions initial = last_live_;
    if (initial.interfaces.isEmpty()) {
        initial.interfaces = QSettings().value("capture/interfaces").toStringList();
        initial.filter = QSettings().value("capture/filter").toString();
    }
    CaptureDialog dlg(initial, this);
    if (dlg.exec() == QDialog::Accepted)
        startCapture(dlg.options());
}

void MainWindow::stopCapture()
{
    if (session_)
        session_->stop();
}

void MainWindow::restartCapture()
{
    if (!session_ || !session_->isLive())
        return;
    if (!confirmDiscardCapture())
        return;
    const LiveCaptureOptions o = session_->liveOptions();
    session_->stop();
    startCapture(o);
}

void MainWindow::setLayer(Layer layer)
{
    if (layer != layer_)
        graph_->view()->selectNode(-1); // its hosts are of the other kind
    layer_ = layer;
    graph_->setLayer(layer);
    hosts_->setLayer(layer);
    convs_->setLayer(layer);
    host_pane_->setLayer(layer);
    conv_pane_->setLayer(layer);
    if (session_)
        session_->engine().ensure_layer(layer);
    refreshTables();
}

void MainWindow::refreshTables()
{
    if (!session_) {
        hosts_->clear();
        convs_->clear();
        protos_->refresh(TrafficModel());
        return;
    }
    const bool ready = session_->engine().with_state(
        [this](const IngestEngine::State& st) { return st.layer_ready[size_t(layer_)]; });
    if (ready) {
        hosts_->refresh(session_->engine());
        convs_->refresh(session_->engine());
    } else {
        statusBar()->showMessage(tr("Counting hosts by %1 address…").arg(layer_name(layer_)), 1000);
        // The pass that counts this layer runs on its own: look again shortly
        // (a file already read sends no more updates to wait for).
        if (!layer_wait_) {
            layer_wait_ = true;
            QTimer::singleShot(100, this, [this] {
                layer_wait_ = false;
                refreshTables();
            });
        }
    }
    protos_->refresh(session_->engine());
}

QString MainWindow::displayFilterText() const { return filter_->text(); }

QString MainWindow::shownFilter(const QString& real) const
{
    const auto a = anonymise_->isOn() ? anonymise_->anonymizer() : nullptr;
    return a ? QString::fromStdString(a->text(real.toStdString())) : real;
}

QString MainWindow::realFilter(const QString& shown) const
{
    const auto a = anonymise_->isOn() ? anonymise_->anonymizer() : nullptr;
    return a ? QString::fromStdString(a->original(shown.toStdString())) : shown;
}

void MainWindow::showTimeRange(qint64 from_ns, qint64 to_ns)
{
    if (!session_ || to_ns <= from_ns)
        return;
    // The graph shows the traffic of exactly that range; the list goes to its first packet.
    if (!range_restore_)
        range_restore_ = RangeRestore{graph_->spans(), graph_->isFollowing(), graph_->time()};
    WindowSpans spans = graph_->spans();
    spans.window_ns = time_sub(to_ns, from_ns);
    graph_->setSpans(spans);
    graph_->seek(to_ns);
    const IngestEngine& engine = session_->engine();
    const uint64_t first = engine.end_at(time_sub(from_ns, 1)), end = engine.end_at(to_ns);
    if (first < end)
        list_->selectNumber(first);
    const double origin = double(plot_->originNs());
    statusBar()->showMessage(tr("%1 packets from %2 s to %3 s: the graph shows who talked then")
                                 .arg(QLocale().toString(qulonglong(end - first)))
                                 .arg((double(from_ns) - origin) / 1e9, 0, 'f', 2)
                                 .arg((double(to_ns) - origin) / 1e9, 0, 'f', 2),
                             8000);
}

void MainWindow::clearTimeRange()
{
    if (!range_restore_)
        return;
    const RangeRestore r = *range_restore_;
    range_restore_.reset();
    graph_->setSpans(r.spans);
    if (r.following)
        graph_->follow();
    else
        graph_->seek(r.time_ns);
}

QString MainWindow::packetFilterFor(const std::string& bpf) const
{
    // The tables and the graph count a packet by its outermost IP header even
    // behind VLAN tags; plain "host A" would miss the tagged ones.
    const int depth = session_ ? session_->engine().with_state(
                                     [](const IngestEngine::State& st) { return st.model.vlan_depth(); })
                               : 0;
    return QString::fromStdString(through_vlan_tags(bpf, depth));
}

void MainWindow::graphSelectionChanged()
{
    const NodeSelection sel = graph_->selection();
    if (sel.empty()) {
        host_pane_->setScope({}, {});
        conv_pane_->setScope({}, {});
        // Only a filter the graph put there goes with its selection.
        if (!graph_filter_.isEmpty() && applied_filter_ == graph_filter_) {
            filter_->setText(QString());
            applyDisplayFilter(QString());
        }
        graph_filter_.clear();
        return;
    }
    auto hosts = std::make_shared<std::unordered_set<NodeId>>(sel.hosts.begin(), sel.hosts.end());
    const QString label = QString::fromStdString(sel.label);
    host_pane_->setScope(label, [this, hosts](int row) { return hosts->count(node_id(hosts_->endpointAt(row))) > 0; });
    conv_pane_->setScope(label, [this, hosts](int row) {
        const auto [a, b] = convs_->endpointsAt(row);
        return hosts->count(node_id(a)) > 0 || hosts->count(node_id(b)) > 0;
    });
    // Wireshark's language: ip.addr also matches the host behind VLAN tags and inside tunnels.
    const QString expr = !sel.dfilter.empty() ? QString::fromStdString(sel.dfilter) : packetFilterFor(sel.bpf);
    if (expr.isEmpty()) {
        statusBar()->showMessage(tr("Selected %1: the tables show its hosts; no packet filter covers it").arg(label),
                                 8000);
        return;
    }
    graph_filter_ = expr;
    filter_->setText(shownFilter(expr));
    applyDisplayFilter(expr);
    statusBar()->showMessage(tr("Showing the packets of %1 (Esc in the graph, or Show All, clears it)").arg(label),
                             8000);
}

void MainWindow::filterToRow(TablePane* pane, int row)
{
    QString expr;
    if (pane == host_pane_)
        expr = packetFilterFor(endpoint_bpf(hosts_->endpointAt(row)));
    else if (pane == conv_pane_) {
        auto [a, b] = convs_->endpointsAt(row);
        expr = packetFilterFor(endpoint_bpf(a) + " and " + endpoint_bpf(b));
    } else if (pane == proto_pane_) {
        return; // protocol paths are not BPF expressions
    }
    if (expr.isEmpty())
        return;
    filter_->setText(shownFilter(expr));
    applyDisplayFilter(expr);
}

namespace {

// A packet list address as a BPF primitive: `direction` is "src", "dst" or
// empty; empty when the column holds no address (non-IP, no MAC).
QString addressBpf(const QString& address, const QString& direction)
{
    static const QRegularExpression mac("^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$");
    const QString dir = direction.isEmpty() ? QString() : direction + ' ';
    if (mac.match(address).hasMatch())
        return "ether " + (direction.isEmpty() ? QStringLiteral("host ") : dir) + address;
    unsigned char buf[16];
    const QByteArray a = address.toLatin1();
    if (inet_pton(AF_INET, a.constData(), buf) == 1 || inet_pton(AF_INET6, a.constData(), buf) == 1)
        return dir + "host " + address;
    return QString();
}

} // namespace

QMenu* MainWindow::packetMenu(int row)
{
    auto* menu = new QMenu(this);
    if (!session_ || row < 0 || row >= packets_->rowCount())
        return menu;
    const quint64 number = packets_->numberAt(row);
    auto cell = [&](int col) { return packets_->data(packets_->index(row, col), Qt::DisplayRole).toString(); };
    const QString src = cell(PacketListModel::Source), dst = cell(PacketListModel::Destination);
    // The cells may show pseudonyms (View > Anonymise); the filter selects the packets they stand for.
    const QString src_real = realFilter(src), dst_real = realFilter(dst);
    const QString src_bpf = addressBpf(src_real, "src"), dst_bpf = addressBpf(dst_real, "dst");
    const QString a_bpf = addressBpf(src_real, {}), b_bpf = addressBpf(dst_real, {});
    struct Choice {
        const char* name;
        QString label, bpf;
    };
    std::vector<Choice> choices;
    if (!src_bpf.isEmpty())
        choices.push_back({"Source", tr("Source %1").arg(src), src_bpf});
    if (!dst_bpf.isEmpty())
        choices.push_back({"Destination", tr("Destination %1").arg(dst), dst_bpf});
    if (!a_bpf.isEmpty() && !b_bpf.isEmpty() && a_bpf != b_bpf)
        choices.push_back({"Conversation", tr("Conversation %1 ↔ %2").arg(src, dst), a_bpf + " and " + b_bpf});
    // Only what applies to this packet is offered: no empty or dead items.
    if (!choices.empty()) {
        QMenu* apply = menu->addMenu(tr("Apply as Filter"));
        QMenu* prepare = menu->addMenu(tr("Prepare as Filter"));
        for (const Choice& c : choices) {
            const QString expr = packetFilterFor(c.bpf.toStdString());
            QAction* a = apply->addAction(c.label, this, [this, expr] {
                filter_->setText(shownFilter(expr));
                applyDisplayFilter(expr);
            });
            a->setObjectName(QStringLiteral("apply") + c.name);
            a->setToolTip(shownFilter(expr));
            QAction* p = prepare->addAction(c.label, this, [this, expr] {
                filter_->setText(shownFilter(expr));
                filter_->focusField();
            });
            p->setObjectName(QStringLiteral("prepare") + c.name);
            p->setToolTip(shownFilter(expr));
        }
        menu->addSeparator();
    }
    // Follow, for a packet that has a TCP or UDP layer.
    DecodedPacket dp;
    const std::optional<PacketIndexEntry> entry =
        session_->engine().with_state([&](const IngestEngine::State& st) -> std::optional<PacketIndexEntry> {
            if (number < st.first_number || number - st.first_number >= st.index.size())
                return std::nullopt;
            return st.index[number - st.first_number];
        });
    const bool decoded = entry && session_->engine().decode(number, *entry, dp);
    if (decoded && (dp.contains(Proto::Tcp) || dp.contains(Proto::Udp))) {
        QMenu* follow = menu->addMenu(tr("Follow"));
        if (dp.contains(Proto::Tcp))
            follow->addAction(tr("TCP Stream"), this, [this, number] { followStream(true, number); })
                ->setObjectName("followTcpStream");
        if (dp.contains(Proto::Udp))
            follow->addAction(tr("UDP Stream"), this, [this, number] { followStream(false, number); })
                ->setObjectName("followUdpStream");
        menu->addSeparator();
    }
    QMenu* copy = menu->addMenu(tr("Copy"));
    copy->addAction(tr("Summary"), this, [this, row] {
        QStringList cols;
        for (int c = 0; c < packets_->columnCount(); ++c)
            cols << packets_->data(packets_->index(row, c), Qt::DisplayRole).toString();
        QApplication::clipboard()->setText(cols.join('\t'));
    })->setObjectName("copySummary");
    copy->addAction(tr("Bytes as Hex Stream"), this, [this, number] {
        if (!session_)
            return;
        const std::vector<uint8_t> bytes = session_->engine().packet_bytes(number);
        QApplication::clipboard()->setText(
            QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size())).toHex()));
    })->setObjectName("copyHex");
    if (!src.isEmpty() && !dst.isEmpty()) {
        menu->addAction(tr("Flow Graph of This Conversation"), this, [this, src_real, dst_real, number] {
            showFlowGraph();
            flow_->showConversation(src_real.toStdString(), dst_real.toStdString());
            flow_->setCurrentPacket(number);
        })->setObjectName("flowGraphConversation");
    }
    menu->addSeparator();
    menu->addAction(packetComment(number).isEmpty() ? tr("Packet Comment…") : tr("Edit Packet Comment…"), this,
                    [this, number] { editComment(number); })
        ->setObjectName("packetComment");
    QAction* mark = menu->addAction(packets_->isMarked(number) ? tr("Unmark Packet") : tr("Mark Packet"), this,
                                    [this, number] { packets_->setMarked(number, !packets_->isMarked(number)); });
    mark->setObjectName("markPacket");
    mark->setShortcut(act_mark_->shortcut());
    return menu;
}

FollowStreamDialog* MainWindow::followDialog() const { return follow_dialog_; }

FollowStreamDialog* MainWindow::followStream(bool tcp, quint64 number)
{
    if (!session_)
        return nullptr;
    if (!number)
        number = list_->currentNumber();
    if (!number) {
        statusBar()->showMessage(tr("Select a TCP or UDP packet to follow its stream"), 4000);
        return nullptr;
    }
    QPointer<CaptureSession> session = session_;
    auto* dlg = new FollowStreamDialog(session_->sharedEngine(), [session] { return session && session->isRunning(); },
                                       this);
    dlg->setAttribute(Qt::WA_DeleteOnClose);
    connect(dlg, &FollowStreamDialog::filterRequested, this, [this](const QString& expr) {
        filter_->setText(shownFilter(expr));
        applyDisplayFilter(expr);
    });
    // The dialog reads the session's engine: it goes when the session does.
    connect(this, &MainWindow::sessionChanged, dlg, &QWidget::close);
    if (anonymise_->isOn())
        dlg->setAnonymizer(anonymise_->anonymizer());
    dlg->followPacket(tcp ? FollowProtocol::Tcp : FollowProtocol::Udp, number);
    dlg->show();
    follow_dialog_ = dlg;
    return dlg;
}

void MainWindow::showFlowGraph()
{
    if (!session_)
        return;
    if (!flow_) {
        flow_ = new FlowGraphDialog(session_->engine(), [this] { return packets_->filteredNumbers(); }, this);
        flow_->setAttribute(Qt::WA_DeleteOnClose, false);
        connect(flow_, &FlowGraphDialog::packetClicked, this, [this](quint64 number) {
            list_->setFollowing(false);
            list_->selectNumber(number);
        });
        connect(list_, &PacketListView::packetSelected, flow_, &FlowGraphDialog::setCurrentPacket);
        if (anonymise_->isOn())
            flow_->setAnonymizer(anonymise_->anonymizer());
    }
    flow_->show();
    flow_->raise();
    flow_->activateWindow();
}

void MainWindow::findPacket(bool forward)
{
    if (!session_ || packets_->rowCount() == 0) {
        find_bar_->setStatus(tr("no packets"), true);
        return;
    }
    PacketSearch search;
    QString error;
    if (!search.prepare(find_bar_->kind(), find_bar_->text(), session_->engine(), &error)) {
        find_bar_->setStatus(error, true);
        return;
    }
    const QModelIndex cur = list_->currentIndex();
    const int row = search.find(*packets_, session_->engine(), cur.isValid() ? cur.row() : -1, forward);
    if (row < 0) {
        find_bar_->setStatus(tr("not found"), true);
        return;
    }
    const quint64 number = packets_->numberAt(row);
    list_->setFollowing(false); // a live capture would scroll away from what was found
    list_->selectNumber(number);
    find_bar_->setStatus(tr("packet %1").arg(number));
}

QString MainWindow::packetComment(quint64 number) const
{
    if (!session_)
        return {};
    return QString::fromStdString(session_->engine().with_state([number](const IngestEngine::State& st) {
        auto it = st.comments.find(number);
        return it == st.comments.end() ? std::string() : it->second;
    }));
}

bool MainWindow::setPacketComment(quint64 number, const QString& text)
{
    if (!session_ || !session_->engine().set_comment(number, text.trimmed().toStdString()))
        return false;
    comments_changed_ = true;
    // A comment starting with ★ is a mark, and the other way round.
    loading_marks_ = true;
    packets_->setMarked(number, text.trimmed().startsWith(QStringLiteral("★")));
    loading_marks_ = false;
    if (number == details_number_)
        showPacket(number);
    updateCaption();
    updateTitle();
    return true;
}

void MainWindow::editComment(quint64 number)
{
    bool ok = false;
    const QString text = QInputDialog::getMultiLineText(
        this, tr("Packet Comment"),
        tr("Comment on packet %1 (shown as the caption while it is the current packet; Save As keeps it):").arg(number),
        packetComment(number), &ok);
    if (ok)
        setPacketComment(number, text);
}

void MainWindow::updateCaption()
{
    if (!session_) {
        graph_->setCaptionText({});
        return;
    }
    // The current packet's comment; before any packet is chosen, the capture's own introduction.
    const quint64 n = details_number_ ? details_number_ : list_->currentNumber();
    QString text = n ? packetComment(n) : QString();
    if (!n) {
        const std::vector<std::string> section = session_->engine().section_comments();
        if (!section.empty())
            text = QString::fromStdString(section.front());
    }
    graph_->setCaptionText(text);
}

quint64 MainWindow::findPacketOfKind(int direction, StepKind kind, quint64 from) const
{
    if (!session_ || packets_->rowCount() == 0)
        return 0;
    const IngestEngine& engine = session_->engine();
    // Packet-level kinds are display filters; the rest come from the window's own state.
    std::unique_ptr<DisplayFilter> filter;
    if (kind == StepKind::DnsQuery || kind == StepKind::TcpHandshake) {
        filter = std::make_unique<DisplayFilter>();
        std::string err;
        const std::vector<uint32_t> lts = engine.with_state([](const IngestEngine::State& st) {
            std::vector<uint32_t> v;
            for (const auto& itf : st.interfaces)
                v.push_back(itf.link_type);
            return v;
        });
        const char* expr = kind == StepKind::DnsQuery ? "dns && dns.flags.response == 0"
                                                      : "tcp.flags.syn == 1 && tcp.flags.ack == 0";
        if (!filter->compile(expr, lts, err))
            return 0;
    }
    // The selected conversation: that of the packet selected in the list (else the current one).
    std::optional<ConversationKey> conversation;
    if (kind == StepKind::Conversation) {
        const quint64 of = list_->currentNumber() ? list_->currentNumber() : from;
        const auto e = of ? packets_->entry(of) : std::nullopt;
        DecodedPacket dp;
        Endpoint src, dst;
        bool forward;
        if (!e || !engine.decode(of, *e, dp) || !TrafficModel::endpoints(layer_, dp, src, dst))
            return 0;
        conversation = ConversationKey::of(src, dst, forward);
    }
    const int rows = packets_->rowCount();
    int row = from ? packets_->rowOf(from) : -1;
    if (row < 0 && from) {
        // Not listed (a display filter hides it): start from the nearest listed packet.
        row = direction > 0 ? -1 : rows;
        for (int r = 0; r < rows; ++r)
            if (packets_->numberAt(r) > from) {
                row = direction > 0 ? r - 1 : r;
                break;
            }
    } else if (row < 0) {
        row = direction > 0 ? -1 : rows;
    }
    DecodedPacket dp;
    for (int r = row + direction; r >= 0 && r < rows; r += direction) {
        const quint64 n = packets_->numberAt(r);
        const auto e = packets_->entry(n);
        if (!e)
            continue;
        switch (kind) {
        case StepKind::Expert:
            if (packets_->expertMark(n))
                return n;
            break;
        case StepKind::Comment:
            if (e->flags & PacketIndexEntry::Commented)
                return n;
            break;
        case StepKind::Mark:
            if (packets_->isMarked(n))
                return n;
            break;
        case StepKind::Conversation: {
            Endpoint src, dst;
            bool forward;
            if (engine.decode(n, *e, dp) && TrafficModel::endpoints(layer_, dp, src, dst) &&
                ConversationKey::of(src, dst, forward) == *conversation)
                return n;
            break;
        }
        case StepKind::DnsQuery:
        case StepKind::TcpHandshake: {
            const std::vector<uint8_t> bytes = engine.packet_bytes(n);
            if (bytes.size() == e->caplen &&
                filter->matches(engine.link_type_of(e->interface_id), Bytes(bytes.data(), bytes.size()), e->origlen,
                                e->ts_ns, n))
                return n;
            break;
        }
        }
    }
    return 0;
}

void MainWindow::stepToKind(int direction, StepKind kind, quint64 from)
{
    const quint64 to = findPacketOfKind(direction, kind, from);
    if (!to) {
        statusBar()->showMessage(direction > 0 ? tr("No later %1").arg(GraphTimeline::kindName(kind).toLower())
                                               : tr("No earlier %1").arg(GraphTimeline::kindName(kind).toLower()),
                                 4000);
        return;
    }
    graph_->goToPacket(to);
}

quint64 MainWindow::firstPacketOf(const Endpoint& a, const Endpoint& b, Proto transport) const
{
    if (!session_)
        return 0;
    const IngestEngine& engine = session_->engine();
    bool forward;
    const ConversationKey want = ConversationKey::of(a, b, forward);
    uint64_t first = 0, end = 0;
    engine.with_state([&](const IngestEngine::State& st) {
        first = st.first_number;
        end = st.first_number + st.index.size();
    });
    DecodedPacket dp;
    for (uint64_t n = first; n < end; ++n) {
        const std::optional<PacketIndexEntry> e = packets_->entry(n);
        if (!e || !engine.decode(n, *e, dp) || !(dp.flags & DecodedPacket::HasPorts) || dp.transport != transport)
            continue;
        Endpoint src, dst;
        if (!TrafficModel::endpoints(layer_, dp, src, dst))
            continue;
        if (ConversationKey::of(src, dst, forward) == want)
            return n;
    }
    return 0;
}

void MainWindow::followConversation(int source_row)
{
    const auto [a, b] = convs_->endpointsAt(source_row);
    for (Proto p : {Proto::Tcp, Proto::Udp})
        if (const quint64 n = firstPacketOf(a, b, p)) {
            followStream(p == Proto::Tcp, n);
            return;
        }
    statusBar()->showMessage(tr("This conversation carries no TCP or UDP stream to follow"), 5000);
}

void MainWindow::stopExpertScan()
{
    if (expert_cancel_)
        *expert_cancel_ = true;
    // The scan posts its result queued: joining cannot wait on this thread.
    if (expert_thread_.joinable())
        expert_thread_.join();
    expert_cancel_.reset();
    expert_busy_ = false;
    expert_again_ = false;
}

bool MainWindow::expertDone() const
{
    if (!session_ || !expert_scan_ || expert_busy_)
        return false;
    const uint64_t end = session_->engine().with_state(
        [](const IngestEngine::State& st) { return st.first_number + st.index.size(); });
    return expert_scan_->next_number() >= end;
}

void MainWindow::continueExpertScan()
{
    if (!session_ || !expert_scan_)
        return;
    if (expert_busy_) {
        expert_again_ = true;
        return;
    }
    expert_busy_ = true;
    expert_again_ = false;
    if (expert_thread_.joinable())
        expert_thread_.join(); // it has posted its result already (expert_busy_ was false)
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    expert_cancel_ = cancel;
    std::shared_ptr<ExpertScanner> scanner = expert_scan_;
    std::shared_ptr<IngestEngine> engine = session_->sharedEngine();
    expert_thread_ = std::thread([this, scanner, engine, cancel] {
        const size_t marked_before = scanner->marked().size();
        auto last_report = std::chrono::steady_clock::now();
        scanner->scan(*engine, cancel.get(), [&](uint64_t done, uint64_t total) {
            const auto now = std::chrono::steady_clock::now();
            if (now - last_report < std::chrono::milliseconds(250) || !total)
                return;
            last_report = now;
            const int pct = int(100 * done / total);
            QMetaObject::invokeMethod(this, [this, cancel, pct] {
                if (!*cancel)
                    expert_->setProgress(tr("Analysing… %1%").arg(pct));
            }, Qt::QueuedConnection);
        });
        // Copies for the GUI thread: the scanner goes on changing in the next scan.
        std::vector<ExpertInfo::Entry> entries = scanner->info().entries();
        QVector<QPair<quint64, quint8>> marks;
        std::vector<std::pair<int64_t, uint32_t>> tcp_errors;
        const auto& marked = scanner->marked();
        for (size_t i = marked_before; i < marked.size(); ++i) {
            const ExpertScanner::Marked& m = marked[i];
            quint8 bits = PacketListModel::ExpertAny;
            if (m.mark.tcp_analysis) {
                bits |= PacketListModel::ExpertTcpAnalysis;
                tcp_errors.emplace_back(m.ts_ns, m.bytes);
            }
            if (m.mark.bad_tcp)
                bits |= PacketListModel::ExpertBadTcp;
            if (m.mark.worst == Severity::Error)
                bits |= PacketListModel::ExpertError;
            else if (m.mark.worst == Severity::Warning)
                bits |= PacketListModel::ExpertWarning;
            marks.append({quint64(m.number), bits});
        }
        auto ip = std::make_shared<const TcpHealthTable>(scanner->tcp_health(Layer::Ip));
        auto port = std::make_shared<const TcpHealthTable>(scanner->tcp_health(Layer::Port));
        QMetaObject::invokeMethod(this, [this, cancel, entries = std::move(entries), marks = std::move(marks),
                                         tcp_errors = std::move(tcp_errors), ip, port]() mutable {
            expert_busy_ = false;
            if (*cancel)
                return;
            expert_->setEntries(std::move(entries));
            expert_->setProgress(QString());
            packets_->addExpertMarks(marks);
            plot_->addTcpErrors(tcp_errors);
            convs_->setTcpHealth(ip, port);
            graph_->view()->setTcpHealth(ip, port);
            if (expert_again_ || (session_ && session_->isRunning() && !session_->isLive()))
                QTimer::singleShot(0, this, [this] { continueExpertScan(); });
            else if (session_ && !session_->isRunning())
                qCDebug(lcSession) << "expert analysis done";
        }, Qt::QueuedConnection);
    });
}

void MainWindow::setPresentationScale(int percent, bool remember)
{
    scale_percent_ = std::clamp(percent, 100, 300);
    if (remember)
        QSettings().setValue("presentation/scale", scale_percent_);
    if (auto* a = findChild<QAction*>(QString("scale%1").arg(scale_percent_)))
        a->setChecked(true);
    if (presenting_)
        applyPresentationLook();
}

void MainWindow::applyPresentationLook()
{
    const double k = presenting_ ? scale_percent_ / 100.0 : 1.0;
    graph_->setScale(k);
    QFont f = pre_list_font_;
    if (presenting_)
        f.setPointSizeF(QFontInfo(pre_list_font_).pointSizeF() * k);
    list_->setFont(f);
    list_->verticalHeader()->setDefaultSectionSize(QFontMetrics(f).height() + 4);
    // A compact list: the number, who talked to whom and what was said.
    for (int c : {int(PacketListModel::Time), int(PacketListModel::Length)})
        list_->setColumnHidden(c, presenting_);
    if (presenting_) {
        // Addresses fit their text, up to a fifth of the width each; Info takes the rest.
        list_->resizeColumnsToContents();
        for (int c : {int(PacketListModel::Source), int(PacketListModel::Destination)})
            list_->setColumnWidth(c, std::min(list_->columnWidth(c), width() / 5));
    }
}

void MainWindow::setPresentationPanes(const QStringList& panes)
{
    presentation_panes_ = panes;
    QSettings().setValue("presentation/panes", panes);
    if (presenting_)
        applyPresentationPanes();
}

void MainWindow::applyPresentationPanes()
{
    const auto shown = [this](const QString& key) { return !presenting_ || presentation_panes_.contains(key); };
    if (presenting_)
        for (QDockWidget* d : findChildren<QDockWidget*>())
            d->setVisible(presentation_panes_.contains(d->objectName()));
    list_box_->setVisible(shown("list"));
    graph_->setCaptionsShown(shown("caption"));
    graph_->timeline()->setVisible(shown("timeline"));
    graph_->controls()->setVisible(shown("controls"));
    graph_->setLegendOutside(presenting_);
}

void MainWindow::setPresentation(bool on)
{
    if (on == presenting_)
        return;
    if (on) {
        pre_state_ = saveState();
        pre_splitter_ = splitter_->saveState();
        pre_list_font_ = list_->font();
    }
    presenting_ = on;
    act_present_->setChecked(on);
    applyPresentationPanes();
    for (QToolBar* tb : findChildren<QToolBar*>())
        if (on)
            tb->hide();
    filter_->setVisible(!on);
    statusBar()->setVisible(!on);
    applyPresentationLook();
    if (on) {
        // The graph takes most of the screen; the list keeps a few large rows.
        splitter_->setSizes({height() * 7 / 10, height() * 3 / 10});
        graph_->view()->setFocus(); // ←/→ step, Space plays
        statusBar()->showMessage(tr("Presentation: F5 leaves it; ←/→ step, Shift+←/→ step by kind, Space plays"), 6000);
    } else {
        restoreState(pre_state_);
        splitter_->restoreState(pre_splitter_);
    }
}

void MainWindow::updateDisplayLimit()
{
    // A filter the graph's own selection applied narrows the list and the
    // tables' scope only: the graph keeps every host so the selection stays in view.
    const bool limit = session_ && filter_program_ && act_limit_->isChecked() && applied_filter_ != graph_filter_;
    if (limit) {
        display_id_ = ++display_seq_;
        session_->engine().begin_display(display_id_);
    } else {
        display_id_ = 0;
        if (session_)
            session_->engine().clear_display();
    }
    graph_->setDisplayLimit(limit ? applied_filter_ : QString());
    refreshTables();
    plot_->refresh();
    showDisplayLimit();
}

void MainWindow::showDisplayLimit()
{
    const bool filtered = session_ && filter_program_ && applied_filter_ != graph_filter_;
    limit_button_->setVisible(filtered);
    limit_button_->setChecked(display_id_ != 0);
    if (display_id_) {
        limit_button_->setText(tr("▼ Views filtered"));
        limit_button_->setToolTip(tr("The graph, tables and plot count only the packets of \"%1\". "
                                     "Click to count every packet (Ctrl+Alt+L).")
                                      .arg(applied_filter_));
    } else {
        limit_button_->setText(tr("Views: all packets"));
        limit_button_->setToolTip(tr("The list shows the display filter's packets; the graph, tables and plot "
                                     "count every packet. Click to limit them to the filter (Ctrl+Alt+L)."));
    }
    const QString mark = display_id_ ? tr(" (filtered)") : QString();
    for (auto [name, title] : {std::pair{"hostsDock", tr("Hosts")}, std::pair{"conversationsDock", tr("Conversations")},
                               std::pair{"protocolsDock", tr("Protocols")}, std::pair{"throughputDock", tr("Throughput")}})
        if (auto* d = findChild<QDockWidget*>(name))
            d->setWindowTitle(title + mark);
}

void MainWindow::applyDisplayFilter(const QString& expr)
{
    applied_filter_ = expr.trimmed();
    // The graph's highlight stands for the filter it applied: another filter
    // (typed, from a table or a menu) ends it, and the tables' scope with it.
    if (!graph_filter_.isEmpty() && applied_filter_ != graph_filter_) {
        graph_filter_.clear();
        graph_->view()->selectNode(-1);
    }
    if (filter_cancel_)
        *filter_cancel_ = true;
    filter_cancel_.reset();
    filter_program_.reset();
    filter_next_ = 0;
    // The list is rebuilt: the packet in the details pane leaves it for now.
    if (details_number_)
        reselect_number_ = details_number_;
    if (!session_ || expr.trimmed().isEmpty()) {
        packets_->setFilter(std::nullopt);
        filter_->setStatus(QString());
        updateDisplayLimit();
        reselectAfterFilter(true);
        return;
    }
    auto program = std::make_shared<DisplayFilter>();
    std::string err;
    std::vector<uint32_t> lts = session_->engine().with_state([](const IngestEngine::State& st) {
        std::vector<uint32_t> v;
        for (const auto& itf : st.interfaces)
            v.push_back(itf.link_type);
        return v;
    });
    if (!program->compile(expr.toStdString(), lts, err)) {
        showError(tr("Invalid display filter"), QString::fromStdString(err));
        updateDisplayLimit();
        return;
    }
    filter_program_ = program;
    filter_streams_ = std::make_shared<dissect::Streams>();
    filter_tcp_ = std::make_shared<dissect::TcpAnalysis>();
    packets_->setFilter(QVector<quint64>());
    filter_next_ = 0;
    updateDisplayLimit();
    reselectAfterFilter(false);
    continueLiveFilter();
}

void MainWindow::reselectAfterFilter(bool complete)
{
    if (!reselect_number_)
        return;
    const quint64 number = reselect_number_;
    if (packets_->rowOf(number) >= 0) {
        list_->selectNumber(number); // shows it again through packetSelected
        reselect_number_ = 0;
        return;
    }
    // Not (or not yet) listed: the details must not show a packet the list does not.
    if (details_number_)
        showPacket(0);
    reselect_number_ = complete ? 0 : number;
}

void MainWindow::continueLiveFilter()
{
    if (!filter_program_ || filter_busy_ || !session_)
        return;
    filter_busy_ = true;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    filter_cancel_ = cancel;
    auto program = filter_program_;
    auto streams = filter_streams_;
    auto tcp = filter_tcp_;
    std::shared_ptr<IngestEngine> engine = session_->sharedEngine();
    const uint64_t from = filter_next_;
    const uint64_t display_id = display_id_;
    filter_->setStatus(tr("filtering…"));
    // The scan reads packet bytes off the GUI thread; results come back queued.
    if (filter_thread_.joinable())
        filter_thread_.join(); // it has posted its result already (filter_busy_ is false)
    filter_thread_ = std::thread([this, engine, program, streams, tcp, cancel, from, display_id] {
        FilterScanOptions o;
        o.first_number = from;
        o.cancel = cancel.get();
        o.streams = streams.get(); // tcp.stream numbers go on from the last scan
        o.tcp_analysis = tcp.get();
        FilterScanResult r = filter_packets(*engine, *program, o);
        if (display_id && !*cancel)
            engine->add_displayed(display_id, r.matches, r.next_number);
        QMetaObject::invokeMethod(this, [this, r = std::move(r), cancel, program, display_id] {
            filter_busy_ = false;
            if (*cancel || program != filter_program_) {
                // A newer filter was applied while this scan ran: start its scan now.
                continueLiveFilter();
                return;
            }
            QVector<quint64> numbers(r.matches.begin(), r.matches.end());
            packets_->appendFiltered(numbers);
            filter_next_ = r.next_number;
            reselectAfterFilter(!session_ || !session_->isRunning());
            filter_->setStatus(tr("%1 packets shown").arg(QLocale().toString(packets_->rowCount())));
            if (display_id && display_id == display_id_) {
                graph_->displayChanged();
                refreshTables();
                plot_->refresh();
                showDisplayLimit();
            }
        }, Qt::QueuedConnection);
    });
}

QString MainWindow::warningText() const { return warning_bar_->isVisible() ? warning_bar_->text() : QString(); }

QString MainWindow::statusText() const
{
    return QStringList{st_packets_->text(), st_bytes_->text(), st_duration_->text(), st_rate_->text(),
                       st_drops_->text()}
        .join(" | ");
}

void MainWindow::applyTheme(const QString& theme)
{
    static const QPalette system_palette = QApplication::palette();
    static const QString system_style = QApplication::style()->name();
    if (theme == "dark") {
        QApplication::setStyle(QStyleFactory::create("Fusion"));
        QApplication::setPalette(darkPalette());
    } else if (theme == "light") {
        QApplication::setStyle(QStyleFactory::create("Fusion"));
        QApplication::setPalette(QApplication::style()->standardPalette());
    } else {
        // Follow the desktop: the platform theme's own style and palette.
        QApplication::setStyle(QStyleFactory::create(system_style));
        QApplication::setPalette(system_palette);
    }
    const bool dark = QApplication::palette().color(QPalette::Window).lightnessF() < 0.5;
    warning_bar_->setStyleSheet(dark ? "QLabel { background: #4a3f14; color: #ffe08a; padding: 6px; }"
                                     : "QLabel { background: #fff3cd; color: #664d03; padding: 6px; "
                                       "border-bottom: 1px solid #e6c86e; }");
}

void MainWindow::selectRelative(int delta)
{
    const int rows = packets_->rowCount();
    if (rows == 0)
        return;
    int row = packets_->rowOf(list_->currentNumber());
    if (delta == INT_MIN)
        row = 0;
    else if (delta == INT_MAX)
        row = rows - 1;
    else
        row = std::clamp(row < 0 ? 0 : row + delta, 0, rows - 1);
    list_->setFollowing(delta == INT_MAX);
    list_->selectNumber(packets_->numberAt(row));
}

void MainWindow::showPacket(quint64 number)
{
    auto e = number ? packets_->entry(number) : std::nullopt;
    if (!session_ || !e) {
        details_->clear();
        details_number_ = 0;
        updateCaption();
        return;
    }
    details_number_ = number;
    reselect_number_ = 0;
    updateCaption();
    if (details_follow_ && details_dock_->isHidden() && !presenting_) {
        details_dock_->show();
        resizeDocks({details_dock_}, {std::max(width() * 2 / 7, 340)}, Qt::Horizontal);
    }
    const std::vector<uint8_t> bytes = session_->engine().packet_bytes(number);
    const uint32_t lt = session_->engine().link_type_of(e->interface_id);
    QString header = tr("Packet %1 · %2 bytes on the wire, %3 captured").arg(number).arg(e->origlen).arg(e->caplen);
    if (e->flags & PacketIndexEntry::Commented) {
        const std::string comment = session_->engine().with_state([number](const IngestEngine::State& s) {
            auto it = s.comments.find(number);
            return it == s.comments.end() ? std::string() : it->second;
        });
        if (!comment.empty())
            header += "\n💬 " + QString::fromStdString(comment);
    }
    const qint64 ts = e->ts_ns;
    details_->setInterfaceFacts(session_->engine().with_state([id = e->interface_id](const IngestEngine::State& s) {
        return id < s.interfaces.size() ? underhood::interface_facts(s.interfaces[id]) : underhood::InterfaceFacts{};
    }));
    // Wireshark's tcp.stream and "[SEQ/ACK analysis]" rows need every packet
    // before this one: replayed (summaries only) from the last packet shown,
    // or from the start after a step back; beyond half a million packets the
    // rows go without them rather than keep the window waiting.
    if (!details_context_)
        details_context_ = std::make_unique<PacketContext>();
    DissectContext context;
    const bool with_context = details_context_->prepare(session_->engine(), number, 500'000);
    if (with_context)
        context = details_context_->context();
    const auto [itf_name, itf_description, pcapng] = session_->engine().with_state([id = e->interface_id](const IngestEngine::State& s) {
        return id < s.interfaces.size() ? std::tuple(s.interfaces[id].name, s.interfaces[id].description, s.format != CaptureFormat::Pcap)
                                        : std::tuple(std::string(), std::string(), false);
    });
    const dissect::FrameInterface itf{e->interface_id, itf_name, itf_description};
    context.interface = pcapng ? &itf : nullptr;
    details_->showPacket(lt, QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size())),
                         e->origlen, header, number, (e->flags & PacketIndexEntry::Timed) ? &ts : nullptr, &context);
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == details_dock_ && event->type() == QEvent::Close)
        details_follow_ = false; // its close button
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::closeEvent(QCloseEvent* e)
{
    if (!confirmDiscardCapture()) {
        e->ignore();
        return;
    }
    setPresentation(false); // the everyday layout is the one remembered
    QSettings s;
    s.setValue("window/geometry", saveGeometry());
    s.setValue("window/state", saveState());
    s.setValue("window/splitter", splitter_->saveState());
    // The helper goes with the window (the session stops it cleanly).
    setSession(nullptr);
    e->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e)
{
    if (e->mimeData()->hasUrls())
        e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e)
{
    const QList<QUrl> urls = e->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        openFile(urls.first().toLocalFile());
}

} // namespace underhood
