#include "find_bar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>

namespace underhood {

FindBar::FindBar(QWidget* parent) : QWidget(parent)
{
    kind_ = new QComboBox;
    kind_->addItem(tr("Display filter"), int(PacketSearch::Kind::DisplayFilter));
    kind_->addItem(tr("Text"), int(PacketSearch::Kind::Text));
    kind_->addItem(tr("Hex bytes"), int(PacketSearch::Kind::HexBytes));
    kind_->setCurrentIndex(1);
    kind_->setToolTip(tr("Text is looked for in the Info column and in the packet's bytes (ASCII or UTF-8)"));
    edit_ = new QLineEdit;
    edit_->setClearButtonEnabled(true);
    auto placeholder = [this] {
        switch (kind()) {
        case PacketSearch::Kind::DisplayFilter: edit_->setPlaceholderText(tr("e.g. udp port 53")); break;
        case PacketSearch::Kind::Text: edit_->setPlaceholderText(tr("text in Info or in the bytes")); break;
        case PacketSearch::Kind::HexBytes: edit_->setPlaceholderText(tr("e.g. 16 03 01")); break;
        }
    };
    placeholder();
    connect(kind_, &QComboBox::currentIndexChanged, this, placeholder);
    auto* prev = new QToolButton;
    prev->setText(tr("Previous"));
    prev->setToolTip(tr("Find the previous packet (Shift+Enter)"));
    auto* next = new QToolButton;
    next->setText(tr("Next"));
    next->setToolTip(tr("Find the next packet (Enter)"));
    auto* close = new QToolButton;
    close->setText(QStringLiteral("✕"));
    close->setToolTip(tr("Close the find bar (Esc)"));
    close->setAutoRaise(true);
    status_ = new QLabel;

    auto* lay = new QHBoxLayout(this);
    lay->setContentsMargins(4, 2, 4, 2);
    lay->addWidget(new QLabel(tr("Find:")));
    lay->addWidget(kind_);
    lay->addWidget(edit_, 1);
    lay->addWidget(prev);
    lay->addWidget(next);
    lay->addWidget(status_);
    lay->addWidget(close);

    edit_->installEventFilter(this);
    connect(next, &QToolButton::clicked, this, [this] { emit findRequested(true); });
    connect(prev, &QToolButton::clicked, this, [this] { emit findRequested(false); });
    connect(close, &QToolButton::clicked, this, &QWidget::hide);
    connect(edit_, &QLineEdit::textEdited, this, [this] { setStatus(QString()); });
    hide();
}

void FindBar::open()
{
    show();
    edit_->setFocus(Qt::ShortcutFocusReason);
    edit_->selectAll();
}

PacketSearch::Kind FindBar::kind() const { return PacketSearch::Kind(kind_->currentData().toInt()); }

void FindBar::setKind(PacketSearch::Kind kind) { kind_->setCurrentIndex(kind_->findData(int(kind))); }

QString FindBar::text() const { return edit_->text(); }

void FindBar::setText(const QString& text) { edit_->setText(text); }

void FindBar::setStatus(const QString& text, bool problem)
{
    status_->setText(text);
    QPalette p = palette();
    if (problem)
        p.setColor(QPalette::WindowText, QColor(0xd0, 0x30, 0x30));
    status_->setPalette(p);
}

QString FindBar::status() const { return status_->text(); }

bool FindBar::eventFilter(QObject* watched, QEvent* e)
{
    if (watched == edit_ && e->type() == QEvent::KeyPress) {
        auto* k = static_cast<QKeyEvent*>(e);
        if (k->key() == Qt::Key_Escape) {
            hide();
            return true;
        }
        if (k->key() == Qt::Key_Return || k->key() == Qt::Key_Enter) {
            emit findRequested(!(k->modifiers() & Qt::ShiftModifier));
            return true;
        }
    }
    return QWidget::eventFilter(watched, e);
}

} // namespace underhood
