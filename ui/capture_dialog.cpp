#include "capture_dialog.h"

#include "capture_helper_check.h"
#include "capture_source.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStyledItemDelegate>
#include <QTimer>
#include <QTreeWidget>
#include <QKeyEvent>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QVBoxLayout>

namespace underhood {

namespace {

enum Column { ColName, ColState, ColHealth, ColAddresses, ColRate };
constexpr int kRatesRole = Qt::UserRole + 1;

// Draws the last minute of packets per second as a small line.
class SparklineDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* p, const QStyleOptionViewItem& opt, const QModelIndex& index) const override
    {
        QStyledItemDelegate::paint(p, opt, QModelIndex());
        const QVariantList v = index.data(kRatesRole).toList();
        const QRectF r = QRectF(opt.rect).adjusted(4, 4, -70, -4);
        double max = 1;
        for (const QVariant& x : v)
            max = std::max(max, x.toDouble());
        p->save();
        p->setRenderHint(QPainter::Antialiasing);
        QPen pen(opt.palette.color(QPalette::Highlight), 1.5);
        p->setPen(pen);
        QPolygonF line;
        for (int i = 0; i < v.size(); ++i) {
            double x = r.left() + r.width() * (v.size() > 1 ? double(i) / (v.size() - 1) : 0);
            double y = r.bottom() - r.height() * v[i].toDouble() / max;
            line << QPointF(x, y);
        }
        if (line.size() > 1)
            p->drawPolyline(line);
        p->setPen(opt.palette.color(QPalette::Text));
        const double now = v.isEmpty() ? 0 : v.last().toDouble();
        p->drawText(QRectF(opt.rect).adjusted(opt.rect.width() - 66, 0, -2, 0), Qt::AlignRight | Qt::AlignVCenter,
                    QString("%1 pkt/s").arg(now, 0, 'f', 0));
        p->restore();
    }
    QSize sizeHint(const QStyleOptionViewItem& opt, const QModelIndex& index) const override
    {
        return QStyledItemDelegate::sizeHint(opt, index).expandedTo(QSize(180, 22));
    }
};

} // namespace

CaptureDialog::CaptureDialog(const LiveCaptureOptions& initial, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Start Capture"));
    resize(760, 560);
    initial_selection_ = initial.interfaces;

    list_ = new QTreeWidget;
    list_->setRootIsDecorated(false);
    list_->setHeaderLabels({tr("Interface"), tr("State"), tr("NIC"), tr("Addresses"), tr("Traffic")});
    list_->headerItem()->setToolTip(ColHealth, tr("Link speed, receive ring (now/maximum) and the offloads that "
                                                  "change what a capture sees, from underhood-capture --describe"));
    list_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    list_->setItemDelegateForColumn(ColRate, new SparklineDelegate(list_));
    list_->header()->setSectionResizeMode(ColAddresses, QHeaderView::Stretch);
    list_->setColumnWidth(ColName, 120);
    list_->setColumnWidth(ColState, 80);
    list_->setColumnWidth(ColHealth, 230);
    list_->setColumnWidth(ColRate, 200);

    // Remote sensors: other machines' interfaces over the user's own ssh, or
    // pcap-over-IP streams; merged with the interfaces into one capture.
    remote_ = new QLineEdit;
    remote_->setObjectName("remoteSource");
    remote_->setPlaceholderText(tr("ssh://user@host/eth0 or pcap-over-ip://host:57012"));
    remote_->setToolTip(tr("ssh://[USER@]HOST[:PORT]/IFACE[?filter=BPF&helper=PATH] runs underhood-capture (or "
                           "tcpdump) on HOST with your ssh keys and ~/.ssh/config; nothing asks for a password.\n"
                           "pcap-over-ip://HOST[:PORT] reads a pcap stream served by underhood-capture --listen, "
                           "NetworkMiner, Arkime or tcpdump | nc."));
    auto* add_remote = new QPushButton(tr("Add Sensor"));
    add_remote->setObjectName("addRemoteSource");
    remotes_ = new QListWidget;
    remotes_->setObjectName("remoteSources");
    remotes_->setMaximumHeight(64);
    remotes_->setToolTip(tr("Remote sensors in this capture (Delete removes the selected one)"));
    remotes_->hide();
    remote_status_ = new QLabel;
    remote_status_->setWordWrap(true);
    remote_status_->hide();
    connect(add_remote, &QPushButton::clicked, this, [this] {
        if (addRemoteSource(remote_->text().trimmed()))
            remote_->clear();
    });
    connect(remote_, &QLineEdit::returnPressed, add_remote, &QPushButton::click);
    remotes_->installEventFilter(this); // Delete removes the selected sensor

    filter_ = new QLineEdit(initial.filter);
    filter_->setPlaceholderText(tr("capture filter, e.g. tcp port 443 or host 192.168.1.1 (empty: everything)"));
    filter_->setClearButtonEnabled(true);
    filter_status_ = new QLabel;
    filter_status_->setWordWrap(true);
    snaplen_ = new QSpinBox;
    snaplen_->setRange(64, 262144);
    snaplen_->setValue(initial.snaplen);
    snaplen_->setSuffix(tr(" bytes"));
    buffer_ = new QSpinBox;
    buffer_->setRange(1, 4096);
    buffer_->setValue(initial.buffer_mib);
    buffer_->setSuffix(tr(" MiB"));
    backend_ = new QComboBox;
    backend_->addItem(tr("AF_PACKET ring (fast)"), "afpacket");
    backend_->addItem(tr("libpcap"), "pcap");
    backend_->setCurrentIndex(initial.backend == "pcap" ? 1 : 0);
    promisc_ = new QCheckBox(tr("Promiscuous mode (see traffic for other hosts too)"));
    promisc_->setChecked(initial.promisc);
    threads_ = new QSpinBox;
    threads_->setRange(1, 64);
    threads_->setValue(std::max(1, initial.threads));
    threads_->setToolTip(tr("AF_PACKET only: sockets in a fanout group, each emptied by its own thread; a flow "
                            "stays on one socket (underhood-capture --threads)"));
    connect(backend_, &QComboBox::currentIndexChanged, this,
            [this] { threads_->setEnabled(backend_->currentData().toString() == "afpacket"); });
    threads_->setEnabled(initial.backend != "pcap");
    wire_exact_ = new QCheckBox(tr("Wire-exact frames (warn when the card or kernel merges segments)"));
    wire_exact_->setObjectName("wireExact");
    connect(wire_exact_, &QCheckBox::toggled, this, &CaptureDialog::updateOffloadWarning);
    offload_warning_ = new QLabel;
    offload_warning_->setObjectName("offloadWarning");
    offload_warning_->setWordWrap(true);
    offload_warning_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    offload_warning_->hide();
    hint_ = new QLabel;
    hint_->setWordWrap(true);

    auto* form = new QFormLayout;
    form->addRow(tr("Capture filter:"), filter_);
    form->addRow(QString(), filter_status_);
    form->addRow(tr("Snapshot length:"), snaplen_);
    form->addRow(tr("Kernel buffer:"), buffer_);
    form->addRow(tr("Backend:"), backend_);
    form->addRow(tr("Capture threads:"), threads_);
    form->addRow(QString(), promisc_);
    form->addRow(QString(), wire_exact_);
    form->addRow(QString(), offload_warning_);

    buttons_ = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons_->button(QDialogButtonBox::Ok)->setText(tr("Start"));
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* lay = new QVBoxLayout(this);
    lay->addWidget(new QLabel(tr("Interfaces (select one or more):")));
    lay->addWidget(list_, 1);
    auto* remote_row = new QHBoxLayout;
    remote_row->addWidget(new QLabel(tr("Remote sensor:")));
    remote_row->addWidget(remote_, 1);
    remote_row->addWidget(add_remote);
    lay->addLayout(remote_row);
    lay->addWidget(remote_status_);
    lay->addWidget(remotes_);
    lay->addWidget(hint_);
    lay->addLayout(form);
    lay->addWidget(buttons_);

    poll_ = new QTimer(this);
    poll_->setInterval(1000);
    connect(poll_, &QTimer::timeout, this, &CaptureDialog::refreshInterfaces);
    poll_->start();
    filter_timer_ = new QTimer(this);
    filter_timer_->setSingleShot(true);
    filter_timer_->setInterval(250);
    connect(filter_timer_, &QTimer::timeout, this, &CaptureDialog::checkFilter);
    connect(filter_, &QLineEdit::textChanged, this, &CaptureDialog::checkFilterSoon);
    connect(list_, &QTreeWidget::itemSelectionChanged, this, &CaptureDialog::updateOk);
    connect(list_, &QTreeWidget::itemSelectionChanged, this, &CaptureDialog::updateOffloadWarning);
    connect(list_, &QTreeWidget::itemDoubleClicked, this, [this] {
        if (buttons_->button(QDialogButtonBox::Ok)->isEnabled())
            accept();
    });
    for (const QString& r : initial.sources)
        addRemoteSource(r);
    refreshInterfaces();
    checkFilter();
}

void CaptureDialog::refreshInterfaces()
{
    const QString helper = CaptureSession::helperPath();
    const CaptureHelperStatus check = checkCaptureHelper(helper);
    // Listing needs no privilege, so a helper without capabilities still
    // lists; the hint says why Start would fail before the user presses it.
    if (check.message() != helper_problem_ || check.canRun() != helper_can_run_) {
        helper_problem_ = check.message();
        helper_can_run_ = check.canRun();
        updateOk();
    }
    if (!check.canRun())
        return;
    auto* p = new QProcess(this);
    connect(p, &QProcess::finished, this, [this, p](int code) {
        if (code == 0)
            onInterfaces(p->readAllStandardOutput());
        p->deleteLater();
    });
    p->start(helper, {"-D"});
}

void CaptureDialog::onInterfaces(const QByteArray& json)
{
    const QJsonArray arr = QJsonDocument::fromJson(json).array();
    for (const QJsonValue& v : arr) {
        const QJsonObject o = v.toObject();
        const QString name = o["name"].toString();
        QTreeWidgetItem* item = nullptr;
        for (int i = 0; i < list_->topLevelItemCount(); ++i)
            if (list_->topLevelItem(i)->text(ColName) == name)
                item = list_->topLevelItem(i);
        bool fresh = !item;
        if (fresh) {
            item = new QTreeWidgetItem(list_);
            item->setText(ColName, name);
            item->setText(ColHealth, tr("…"));
            describe(name);
        }
        const bool up = o["up"].toBool();
        item->setText(ColState, up ? o["state"].toString() : tr("down"));
        QStringList addrs;
        for (const QJsonValue& a : o["addresses"].toArray())
            addrs << a.toString();
        item->setText(ColAddresses, addrs.join(", "));
        item->setToolTip(ColName, tr("%1, MTU %2, MAC %3").arg(o["link_type"].toString()).arg(o["mtu"].toInt()).arg(
                                      o["mac"].toString()));
        const quint64 rx = quint64(o["rx_packets"].toDouble());
        auto& rates = rates_[name];
        if (last_rx_.contains(name))
            rates.append(double(rx >= last_rx_[name] ? rx - last_rx_[name] : 0));
        while (rates.size() > 60)
            rates.removeFirst();
        last_rx_[name] = rx;
        QVariantList vl;
        for (double r : rates)
            vl << r;
        item->setData(ColRate, kRatesRole, vl);
        item->setDisabled(!up);
        if (fresh && initial_selection_.contains(name))
            item->setSelected(true);
    }
    if (list_->selectedItems().isEmpty() && initial_selection_.isEmpty()) {
        // Default: the busiest interface that is up, not loopback.
        QTreeWidgetItem* best = nullptr;
        for (int i = 0; i < list_->topLevelItemCount(); ++i) {
            auto* it = list_->topLevelItem(i);
            if (!it->isDisabled() && it->text(ColName) != "lo" && !best)
                best = it;
        }
        if (best) {
            best->setSelected(true);
            initial_selection_ << best->text(ColName);
        }
    }
    updateOk();
}

void CaptureDialog::checkFilterSoon()
{
    filter_status_->setText(tr("checking…"));
    filter_timer_->start();
}

void CaptureDialog::checkFilter()
{
    const QString expr = filter_->text().trimmed();
    if (expr.isEmpty()) {
        filter_error_.clear();
        filter_status_->setText(tr("No filter: every packet is captured."));
        updateOk();
        return;
    }
    const QString helper = CaptureSession::helperPath();
    if (helper.isEmpty())
        return;
    if (check_) {
        check_->disconnect(this);
        check_->kill();
        check_->deleteLater();
    }
    check_ = new QProcess(this);
    QProcess* p = check_;
    connect(p, &QProcess::finished, this, [this, p, expr](int code) {
        if (p != check_)
            return;
        if (code == 0) {
            filter_error_.clear();
            filter_status_->setText(tr("✓ valid filter"));
            filter_status_->setStyleSheet(QString());
        } else {
            QString err = QString::fromUtf8(p->readAllStandardError()).trimmed();
            err.remove(QRegularExpression("^underhood-capture: (error: )?"));
            filter_error_ = err.isEmpty() ? tr("invalid filter") : err;
            filter_status_->setText("✗ " + filter_error_);
            filter_status_->setStyleSheet("color: #d03030;");
        }
        updateOk();
    });
    p->start(helper, {"--check-filter", expr, "-s", QString::number(snaplen_->value())});
}

CaptureDialog::~CaptureDialog()
{
    // A listing or --describe still running is waited for as its QProcess is
    // destroyed with the dialog, and would report into a dialog half gone.
    for (QProcess* p : findChildren<QProcess*>())
        p->disconnect(this);
}

bool CaptureDialog::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == remotes_ && event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent*>(event)->matches(QKeySequence::Delete) && remotes_->currentItem()) {
        delete remotes_->currentItem();
        remotes_->setVisible(remotes_->count() > 0);
        updateOk();
        return true;
    }
    return QDialog::eventFilter(watched, event);
}

bool CaptureDialog::addRemoteSource(const QString& text)
{
    SourceSpec spec;
    std::string why;
    const bool ok = parse_source(text.toStdString(), true, spec, why) &&
                    (spec.kind == SourceSpec::Kind::Ssh || spec.kind == SourceSpec::Kind::PcapOverIp);
    if (!ok) {
        remote_status_->setText(why.empty() ? tr("%1: not a remote sensor (ssh://HOST/IFACE or "
                                                 "pcap-over-ip://HOST:PORT)").arg(text)
                                            : QString::fromStdString(why));
        remote_status_->show();
        return false;
    }
    remote_status_->hide();
    bool known = false;
    for (int i = 0; i < remotes_->count(); ++i)
        known = known || remotes_->item(i)->data(Qt::UserRole).toString() == text;
    if (!known) {
        auto* item = new QListWidgetItem(QString::fromStdString(spec.sensor_name()) + "    " + text, remotes_);
        item->setData(Qt::UserRole, text);
        item->setToolTip(text);
    }
    remotes_->show();
    updateOk();
    return true;
}

void CaptureDialog::updateOk()
{
    const bool remote = remotes_->count() > 0;
    const bool local = !list_->selectedItems().isEmpty();
    // Remote sensors need no local helper; local interfaces do.
    const bool ok = (local || remote) && filter_error_.isEmpty() && (helper_can_run_ || !local);
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(ok);
    hint_->setTextInteractionFlags(Qt::TextSelectableByMouse); // the fix is a command to copy
    if (!helper_problem_.isEmpty() && (local || !remote))
        hint_->setText(helper_problem_);
    else if (!local && !remote)
        hint_->setText(tr("Select an interface to capture on, or add a remote sensor."));
    else
        hint_->setText(QString());
}

LiveCaptureOptions CaptureDialog::options() const
{
    LiveCaptureOptions o;
    for (QTreeWidgetItem* it : list_->selectedItems())
        o.interfaces << it->text(ColName);
    o.filter = filter_->text().trimmed();
    o.snaplen = snaplen_->value();
    o.buffer_mib = buffer_->value();
    o.backend = backend_->currentData().toString();
    o.promisc = promisc_->isChecked();
    o.threads = threads_->value();
    for (int i = 0; i < remotes_->count(); ++i)
        o.sources << remotes_->item(i)->data(Qt::UserRole).toString();
    return o;
}

void CaptureDialog::describe(const QString& itf)
{
    // Unprivileged: the helper reads ethtool and sysfs without capabilities.
    const QString helper = CaptureSession::helperPath();
    if (helper.isEmpty())
        return;
    auto* p = new QProcess(this);
    connect(p, &QProcess::finished, this, [this, p, itf](int code) {
        if (code == 0)
            onDescribed(itf, p->readAllStandardOutput());
        p->deleteLater();
    });
    p->start(helper, {"--describe", itf});
}

namespace {
QString speed_text(qint64 mbps)
{
    if (mbps >= 1000)
        return QObject::tr("%1 Gb/s").arg(double(mbps) / 1000, 0, 'g', 3);
    return QObject::tr("%1 Mb/s").arg(mbps);
}
} // namespace

void CaptureDialog::onDescribed(const QString& itf, const QByteArray& json)
{
    const QJsonObject d = QJsonDocument::fromJson(json).object();
    if (d.isEmpty())
        return;
    health_[itf] = d;
    QTreeWidgetItem* item = nullptr;
    for (int i = 0; i < list_->topLevelItemCount(); ++i)
        if (list_->topLevelItem(i)->text(ColName) == itf)
            item = list_->topLevelItem(i);
    if (item) {
        item->setText(ColHealth, healthText(itf));
        QStringList tip;
        if (!d["driver"].isNull())
            tip << tr("Driver %1 %2, bus %3").arg(d["driver"].toString(), d["driver_version"].toString(),
                                                d["bus"].toString().isEmpty() ? tr("none") : d["bus"].toString());
        tip << tr("MTU %1, %2 receive queue(s)").arg(d["mtu"].toInt()).arg(d["rx_queues"].toInt());
        QStringList on, off;
        const QJsonObject o = d["offloads"].toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            (it.value().toBool() ? on : off) << it.key();
        tip << tr("Offloads on: %1").arg(on.isEmpty() ? tr("none") : on.join(", "));
        tip << tr("Offloads off: %1").arg(off.isEmpty() ? tr("none") : off.join(", "));
        if (d["ring"].isObject())
            tip << tr("Receive ring: %1 of at most %2 descriptors (ethtool -g)")
                       .arg(d["ring"]["rx"].toInt())
                       .arg(d["ring"]["rx_max"].toInt());
        else
            tip << tr("Receive ring: the driver has no ring parameters");
        item->setToolTip(ColHealth, tip.join('\n'));
    }
    updateOffloadWarning();
}

QString CaptureDialog::healthText(const QString& itf) const
{
    auto it = health_.find(itf);
    if (it == health_.end())
        return {};
    const QJsonObject& d = *it;
    QStringList parts;
    if (d["speed_mbps"].isDouble())
        parts << speed_text(d["speed_mbps"].toInteger());
    if (d["ring"].isObject()) {
        const int rx = d["ring"]["rx"].toInt(), max = d["ring"]["rx_max"].toInt();
        parts << (rx < max ? tr("ring %1/%2").arg(rx).arg(max) : tr("ring %1 (max)").arg(rx));
    }
    // The offloads that change what a capture sees.
    QStringList on;
    const QJsonObject o = d["offloads"].toObject();
    for (const char* k : {"gro", "lro", "tso", "gso"})
        if (o[k].toBool())
            on << QString::fromLatin1(k).toUpper();
    if (o["rx_checksum"].toBool() || o["tx_checksum"].toBool())
        on << tr("csum");
    if (!on.isEmpty())
        parts << tr("%1 on").arg(on.join(" "));
    return parts.isEmpty() ? tr("no offloads") : parts.join(" · ");
}

QString CaptureDialog::offloadWarning() const
{
    return offload_warning_->isVisibleTo(this) ? offload_warning_->text() : QString();
}

void CaptureDialog::setWireExact(bool on) { wire_exact_->setChecked(on); }

void CaptureDialog::updateOffloadWarning()
{
    QStringList lines;
    if (wire_exact_->isChecked()) {
        for (QTreeWidgetItem* it : list_->selectedItems()) {
            const QString name = it->text(ColName);
            const QJsonObject o = health_.value(name).value("offloads").toObject();
            QStringList merged;
            if (o["gro"].toBool())
                merged << "gro";
            if (o["lro"].toBool())
                merged << "lro";
            if (merged.isEmpty())
                continue;
            lines << tr("⚠ %1: %2 is on, so the card or kernel merges a flow's segments into packets longer than "
                        "the MTU before the capture sees them. For wire-exact frames run (as root): "
                        "ethtool -K %1 %3")
                         .arg(name, merged.join(" and ").toUpper(), merged.join(" off ") + " off");
        }
    }
    offload_warning_->setText(lines.join('\n'));
    offload_warning_->setVisible(!lines.isEmpty());
}

} // namespace underhood
