#pragma once
// The painted grid of the "Reconstructions" tab: a fixed set of validation images, each
// above the model's current reconstruction of it and, when error display is on, above the
// absolute-error heatmap with the image's MSE. Clicking an image emits imageClicked.
//
// Ownership: keeps the newest snapshot's images (as pixmaps) and heatmaps.
// Threads: GUI thread only.

#include "controller/trainingcontroller.h"

#include <QPixmap>
#include <QRect>
#include <QStringList>
#include <QVector>
#include <QWidget>

class ReconstructionGrid final : public QWidget {
    Q_OBJECT
public:
    explicit ReconstructionGrid(QWidget *parent = nullptr);

    void setSnapshot(const aes::ReconstructionSnapshot &snapshot);
    void clear();
    void setShowError(bool on);
    bool showsError() const { return m_showError; }
    // Audio data: images are spectrograms, drawn in the inferno colour map.
    void setSpectrograms(bool on);
    const aes::ReconstructionSnapshot &snapshot() const { return m_snapshot; }
    int imageCount() const { return m_inputs.size(); }
    qint64 snapshotStep() const { return m_snapshot.globalStep; }
    // The image (index into the snapshot) drawn at pos, or -1; valid after a paint.
    int imageAt(const QPoint &pos) const;
    // Where image i's input cell is drawn (after a paint), for tests.
    QRect inputRect(int i) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void imageClicked(int index);

protected:
    QPixmap tile(const QImage &image) const;

    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    aes::ReconstructionSnapshot m_snapshot;
    QVector<QPixmap> m_inputs;
    QVector<QPixmap> m_reconstructions;
    QVector<QPixmap> m_errors;
    bool m_showError = false;
    bool m_spectrograms = false;
    QVector<QPair<QRect, int>> m_hitRects;  // every drawn cell and its image
};
