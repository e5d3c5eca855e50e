#include "filter_bar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QTimer>
#include <QToolButton>

namespace underhood {

namespace {
constexpr int kHistory = 20;
const std::pair<const char*, const char*> kSaved[] = {
    {"Web (HTTP and HTTPS)", "tcp port 80 or tcp port 443 or udp port 443"},
    {"Name lookups (DNS, mDNS)", "udp port 53 or tcp port 53 or udp port 5353"},
    {"Address assignment (DHCP, ARP)", "udp port 67 or udp port 68 or arp"},
    {"Not web, not DNS", "not (port 80 or port 443 or port 53)"},
    {"IPv6 only", "ip6"},
    {"TCP handshakes (SYN)", "tcp[tcpflags] & tcp-syn != 0"},
    {"ICMP and ICMPv6", "icmp or icmp6"},
    // For a lesson: what a network says to itself all the time, which hides what the class is looking at.
    {"Lesson: hide background noise (ARP, mDNS, SSDP, LLMNR, NetBIOS, router advertisements, STP, LLDP)",
     "!(arp || mdns || ssdp || llmnr || nbns || icmpv6.type == 133 || icmpv6.type == 134 || stp || lldp || cdp || igmp)"},
};
} // namespace

void FilterBar::addPreset(const QString& label, std::function<QString()> expression)
{
    saved_menu_->addAction(label, this, [this, expression] {
        const QString e = expression();
        if (e.isEmpty())
            return;
        setText(e);
        apply();
    });
}

FilterBar::FilterBar(std::function<Check(const QString&)> validate, QWidget* parent)
    : QWidget(parent), validate_(std::move(validate))
{
    combo_ = new QComboBox;
    combo_->setEditable(true);
    combo_->setInsertPolicy(QComboBox::NoInsert);
    combo_->addItems(QSettings().value("filter/history").toStringList());
    combo_->setCurrentIndex(-1);
    edit_ = combo_->lineEdit();
    edit_->setPlaceholderText(
        tr("Display filter, as in Wireshark or tcpdump: e.g. ip.addr == 192.168.1.10 && tcp.port == 443 — Enter applies"));
    edit_->setClearButtonEnabled(true);
    error_ = new QLabel;
    error_->setStyleSheet("color: #d03030;");
    error_->hide();
    language_ = new QLabel;
    language_->setToolTip(tr("The language the filter was read as: Wireshark's display filters or BPF (tcpdump)"));
    language_->setEnabled(false); // drawn in the palette's dimmed text colour
    language_->hide();
    status_ = new QLabel;
    saved_ = new QToolButton;
    saved_->setText(tr("Saved"));
    saved_->setToolTip(tr("Saved display filters"));
    saved_->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(saved_);
    for (auto [label, expr] : kSaved) {
        const QString e = expr;
        menu->addAction(tr(label), this, [this, e] {
            setText(e);
            apply();
        })->setToolTip(e);
    }
    saved_->setMenu(menu);
    saved_menu_ = menu;

    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(4, 2, 4, 2);
    lay->addWidget(new QLabel(tr("Filter:")));
    lay->addWidget(combo_, 1);
    lay->addWidget(language_);
    lay->addWidget(saved_);
    lay->addWidget(error_);
    lay->addWidget(status_);

    timer_ = new QTimer(this);
    timer_->setSingleShot(true);
    timer_->setInterval(200);
    connect(timer_, &QTimer::timeout, this, &FilterBar::check);
    connect(edit_, &QLineEdit::textEdited, timer_, qOverload<>(&QTimer::start));
    connect(edit_, &QLineEdit::returnPressed, this, &FilterBar::apply);
    connect(combo_, &QComboBox::activated, this, [this] { apply(); });
}

QString FilterBar::text() const { return edit_->text().trimmed(); }

void FilterBar::setText(const QString& expr)
{
    edit_->setText(expr);
    check();
}

void FilterBar::focusField()
{
    edit_->setFocus();
    edit_->selectAll();
}

void FilterBar::setStatus(const QString& text) { status_->setText(text); }

void FilterBar::check()
{
    const Check c = text().isEmpty() ? Check{} : validate_(text());
    const QString& err = c.error;
    valid_ = err.isEmpty();
    language_->setText(c.language);
    language_->setVisible(valid_ && !c.language.isEmpty());
    error_->setText(err);
    error_->setVisible(!valid_);
    // A red frame on an invalid expression, a green one on a valid non-empty one.
    edit_->setStyleSheet(valid_ ? (text().isEmpty() ? QString() : "QLineEdit { border: 1px solid #3a9a4a; }")
                                : "QLineEdit { border: 1px solid #d03030; }");
}

void FilterBar::apply()
{
    check();
    if (!valid_)
        return;
    remember(text());
    emit applyRequested(text());
}

void FilterBar::remember(const QString& expr)
{
    if (expr.isEmpty())
        return;
    QStringList history = QSettings().value("filter/history").toStringList();
    history.removeAll(expr);
    history.prepend(expr);
    while (history.size() > kHistory)
        history.removeLast();
    QSettings().setValue("filter/history", history);
    const QString keep = edit_->text();
    combo_->clear();
    combo_->addItems(history);
    combo_->setCurrentIndex(-1);
    edit_->setText(keep);
}

} // namespace underhood
