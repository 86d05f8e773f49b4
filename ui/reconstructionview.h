#pragma once
// The "Reconstructions" tab: a fixed set of validation images, each above the model's
// current reconstruction of it, refreshed while training runs.
//
// Ownership: keeps the newest snapshot's images (as pixmaps).
// Threads: GUI thread only.

#include "trainingcontroller.h"

#include <QPixmap>
#include <QStringList>
#include <QVector>
#include <QWidget>

class ReconstructionView final : public QWidget {
    Q_OBJECT
public:
    explicit ReconstructionView(QWidget *parent = nullptr);

    void setSnapshot(const aes::ReconstructionSnapshot &snapshot);
    void clear();
    int imageCount() const { return m_inputs.size(); }
    qint64 snapshotStep() const { return m_step; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QVector<QPixmap> m_inputs;
    QVector<QPixmap> m_reconstructions;
    QStringList m_captions;
    int m_epoch = 0;
    qint64 m_step = -1;
};
