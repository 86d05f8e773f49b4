#include "datamodeldock.h"

#include "datasetpanel.h"
#include "trainingpanel.h"

#include <QEvent>
#include <QGroupBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>

DataModelDock::DataModelDock(QWidget *parent) : QDockWidget(tr("Data and model"), parent)
{
    setObjectName(QStringLiteral("dataAndModelDock"));
    setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    m_datasetPanel = new DatasetPanel;
    m_trainingPanel = new TrainingPanel;
    auto *datasetBox = new QGroupBox(tr("Dataset"));
    (new QVBoxLayout(datasetBox))->addWidget(m_datasetPanel);

    m_content = new QWidget;
    auto *layout = new QVBoxLayout(m_content);
    layout->addWidget(datasetBox);
    layout->addWidget(m_trainingPanel);
    layout->addStretch(1);

    m_scroll = new QScrollArea;
    m_scroll->setWidget(m_content);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto *dockContent = new QWidget;
    auto *dockLayout = new QVBoxLayout(dockContent);
    dockLayout->setContentsMargins(0, 0, 0, 0);
    dockLayout->addWidget(m_scroll, 1);
    auto *controlsFrame = new QWidget;
    auto *controlsLayout = new QVBoxLayout(controlsFrame);
    controlsLayout->setContentsMargins(9, 6, 9, 9);
    controlsLayout->addWidget(m_trainingPanel->controls());
    dockLayout->addWidget(controlsFrame);
    setWidget(dockContent);
    // The scroll area hides no horizontal overflow: a content that grows (LayoutRequest)
    // widens the dock instead.
    m_content->installEventFilter(this);
    fitContent();
}

void DataModelDock::fitContent()
{
    // Wide enough for the form and the sample strip without a horizontal scroll bar.
    setMinimumWidth(m_content->minimumSizeHint().width() + m_scroll->verticalScrollBar()->sizeHint().width());
}

bool DataModelDock::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_content && event->type() == QEvent::LayoutRequest)
        fitContent();
    return QDockWidget::eventFilter(watched, event);
}
