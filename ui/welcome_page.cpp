#include "welcome_page.h"

#include "capture_helper_check.h"
#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QGridLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QStyle>
#include <QVBoxLayout>

namespace underhood {

namespace {

QString shortcutText(const QAction* a)
{
    return a->shortcut().isEmpty() ? QString() : a->shortcut().toString(QKeySequence::NativeText);
}

QPushButton* bigButton(const QIcon& icon, const QString& text, const QString& detail)
{
    auto* b = new QPushButton(icon, detail.isEmpty() ? text : QString("%1\n%2").arg(text, detail));
    b->setIconSize(QSize(32, 32));
    b->setMinimumHeight(64);
    b->setStyleSheet("QPushButton { text-align: left; padding: 8px 14px; }");
    b->setCursor(Qt::PointingHandCursor);
    return b;
}

} // namespace

WelcomePage::WelcomePage(MainWindow* window, QAction* open, QAction* start)
    : QWidget(window->centralWidget()), window_(window)
{
    setObjectName("welcomePage");
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);

    auto* logo = new QLabel;
    logo->setPixmap(QIcon(":/underhood/icons/underhood.png").pixmap(80, 80));
    logo->setFixedSize(80, 80);
    auto* title = new QLabel(tr("<span style='font-size:22pt; font-weight:600'>Underhood</span><br>"
                                "See your network: who talks to whom, how much, and where packets are lost."));
    title->setWordWrap(true);
    auto* head = new QHBoxLayout;
    head->addWidget(logo);
    head->addSpacing(12);
    head->addWidget(title, 1);

    open_button_ = bigButton(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("Open a capture file…"),
                             tr("pcap or pcapng — or drop it on this window (%1)").arg(shortcutText(open)));
    open_button_->setObjectName("welcomeOpen");
    connect(open_button_, &QPushButton::clicked, open, &QAction::trigger);

    demo_button_ = bigButton(style()->standardIcon(QStyle::SP_FileIcon), tr("Open the demo capture"),
                             tr("A short capture that comes with Underhood, to look around without capturing"));
    demo_button_->setObjectName("welcomeDemo");
    connect(demo_button_, &QPushButton::clicked, this, [this] {
        if (window_ && !demoPath().isEmpty())
            window_->openFile(demoPath());
    });

    start_button_ = bigButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start a live capture…"),
                              tr("Pick interfaces and a capture filter (%1)").arg(shortcutText(start)));
    start_button_->setObjectName("welcomeStart");
    connect(start_button_, &QPushButton::clicked, start, &QAction::trigger);

    rights_ = new QLabel;
    rights_->setObjectName("welcomeRights");
    rights_->setWordWrap(true);
    rights_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    rights_->setContentsMargins(14, 0, 0, 0);

    recent_title_ = new QLabel(tr("<b>Recent files</b>"));
    recent_box_ = new QWidget;
    recent_layout_ = new QVBoxLayout(recent_box_);
    recent_layout_->setContentsMargins(0, 0, 0, 0);
    recent_layout_->setSpacing(2);

    auto* help = new QLabel(tr("Help > User Guide (F1) explains the window; "
                               "Help > Keyboard Shortcuts lists every key."));
    help->setEnabled(false);

    auto* column = new QWidget;
    column->setMaximumWidth(620);
    auto* col = new QVBoxLayout(column);
    col->addLayout(head);
    col->addSpacing(18);
    col->addWidget(open_button_);
    col->addWidget(demo_button_);
    col->addWidget(start_button_);
    col->addWidget(rights_);
    col->addSpacing(14);
    col->addWidget(recent_title_);
    col->addWidget(recent_box_);
    col->addSpacing(14);
    col->addWidget(help);

    // Centred; a short window scrolls instead of squeezing the page.
    auto* inner = new QWidget;
    auto* grid = new QGridLayout(inner);
    grid->addWidget(column, 1, 1);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(2, 2);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(2, 1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(inner);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->viewport()->setBackgroundRole(QPalette::Base);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    demo_button_->setEnabled(!demoPath().isEmpty());
    parentWidget()->installEventFilter(this);
    connect(window, &MainWindow::sessionChanged, this, &WelcomePage::follow);
    setGeometry(parentWidget()->rect());
    refresh();
    follow();
}

QString WelcomePage::demoPath()
{
    const QString path =
        QDir::cleanPath(QCoreApplication::applicationDirPath() + "/../share/underhood/demo.pcapng");
    return QFileInfo(path).isFile() ? path : QString();
}

QString WelcomePage::captureRightsText() const { return rights_->text(); }

void WelcomePage::refresh()
{
    const CaptureHelperStatus status = checkCaptureHelper();
    if (status.problem == CaptureHelperStatus::Problem::None) {
        rights_->setText(tr("✔ You may capture live (through %1).").arg(status.path));
        rights_->setStyleSheet(QString());
    } else {
        rights_->setText(tr("⚠ Live capture is not available yet: %1").arg(status.message()));
        rights_->setStyleSheet("QLabel { color: #b45309; }");
    }

    recent_.clear();
    for (const QString& path : QSettings().value("files/recent").toStringList())
        if (QFileInfo::exists(path) || path == "-")
            recent_ << path;
    recent_.removeAll("-");
    while (QLayoutItem* item = recent_layout_->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (const QString& path : recent_.mid(0, 6)) {
        auto* b = new QPushButton(QFileInfo(path).fileName());
        b->setObjectName("welcomeRecent");
        b->setToolTip(path);
        b->setFlat(true);
        b->setCursor(Qt::PointingHandCursor);
        b->setStyleSheet("QPushButton { text-align: left; padding: 2px 14px; color: palette(link); }");
        connect(b, &QPushButton::clicked, this, [this, path] {
            if (window_)
                window_->openFile(path);
        });
        recent_layout_->addWidget(b);
    }
    if (recent_.isEmpty()) {
        auto* none = new QLabel(tr("None yet: the files you open are listed here."));
        none->setContentsMargins(14, 0, 0, 0);
        none->setEnabled(false);
        recent_layout_->addWidget(none);
    }
}

void WelcomePage::follow()
{
    const bool empty = window_ && !window_->session();
    if (empty) {
        refresh();
        setGeometry(parentWidget()->rect());
        raise();
    }
    setVisible(empty);
}

bool WelcomePage::eventFilter(QObject* watched, QEvent* e)
{
    if (watched == parentWidget() && e->type() == QEvent::Resize)
        setGeometry(parentWidget()->rect());
    return QWidget::eventFilter(watched, e);
}

void WelcomePage::showEvent(QShowEvent* e)
{
    QWidget::showEvent(e);
    raise();
}

} // namespace underhood
