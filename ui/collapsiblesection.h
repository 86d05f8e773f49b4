#pragma once
// A titled section that folds away: a flat arrow button above a content widget that is
// shown only while the section is expanded. Keeps long forms short ("Advanced").
//
// Ownership: takes ownership of the content widget.
// Threads: GUI thread only.

#include <QWidget>

class QFormLayout;
class QToolButton;

class CollapsibleSection final : public QWidget {
    Q_OBJECT
public:
    explicit CollapsibleSection(const QString &title, QWidget *content, QWidget *parent = nullptr);
    // A section whose content is an empty form without margins, for the caller's rows
    // (QFormLayout::addRow); the section owns the form.
    static CollapsibleSection *withForm(const QString &title, QWidget *parent);
    QFormLayout *form() const { return m_form; }

    bool isExpanded() const;
    void setExpanded(bool expanded);
    QWidget *content() const { return m_content; }

Q_SIGNALS:
    void toggled(bool expanded);

private:
    QToolButton *m_toggle = nullptr;
    QWidget *m_content = nullptr;
    QFormLayout *m_form = nullptr;      // of withForm()
};
