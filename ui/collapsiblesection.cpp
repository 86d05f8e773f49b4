#include "collapsiblesection.h"

#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QToolButton>
#include <QVBoxLayout>

CollapsibleSection *CollapsibleSection::withForm(const QString &title, QWidget *parent)
{
    auto *content = new QWidget;
    auto *form = new QFormLayout(content);
    form->setContentsMargins(0, 0, 0, 0);
    auto *section = new CollapsibleSection(title, content, parent);
    section->m_form = form;
    return section;
}

CollapsibleSection::CollapsibleSection(const QString &title, QWidget *content, QWidget *parent)
    : QWidget(parent), m_content(content)
{
    m_toggle = new QToolButton(this);
    m_toggle->setText(title);
    m_toggle->setCheckable(true);
    m_toggle->setAutoRaise(true);
    m_toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toggle->setArrowType(Qt::RightArrow);
    QFont bold = m_toggle->font();
    bold.setBold(true);
    m_toggle->setFont(bold);

    auto *rule = new QFrame(this);
    rule->setFrameShape(QFrame::HLine);
    rule->setFrameShadow(QFrame::Sunken);

    auto *header = new QHBoxLayout;
    header->setContentsMargins(0, 0, 0, 0);
    header->addWidget(m_toggle);
    header->addWidget(rule, 1);

    m_content->setParent(this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(header);
    layout->addWidget(m_content);

    connect(m_toggle, &QToolButton::toggled, this, &CollapsibleSection::setExpanded);
    setExpanded(false);
}

bool CollapsibleSection::isExpanded() const
{
    return m_toggle->isChecked();
}

void CollapsibleSection::setExpanded(bool expanded)
{
    if (m_toggle->isChecked() != expanded) {
        m_toggle->setChecked(expanded);  // comes back here through toggled()
        return;
    }
    m_toggle->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    m_content->setVisible(expanded);
    Q_EMIT toggled(expanded);
}
