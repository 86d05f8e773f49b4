#pragma once
// The main window's left dock, "Data and model": the dataset panel in a "Dataset" box above
// the model and training form, both scrolling, and the Start / Pause / Stop buttons below
// them, always in sight. Movable and floatable but not closable: there is no other way to
// set the options. Its minimum width follows the content (a dataset's summary can widen the
// panel), so nothing is ever cut off at the right.
//
// Ownership: owned by the QMainWindow it is added to; owns both panels.
// Threads: GUI thread only. Failure: none.

#include <QDockWidget>

class DatasetPanel;
class QScrollArea;
class TrainingPanel;

class DataModelDock final : public QDockWidget {
    Q_OBJECT
public:
    explicit DataModelDock(QWidget *parent = nullptr);

    DatasetPanel *datasetPanel() const { return m_datasetPanel; }
    TrainingPanel *trainingPanel() const { return m_trainingPanel; }
    // Makes the dock at least as wide as its content wants (after the content changed).
    void fitContent();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    DatasetPanel *m_datasetPanel = nullptr;
    TrainingPanel *m_trainingPanel = nullptr;
    QWidget *m_content = nullptr;
    QScrollArea *m_scroll = nullptr;
};
