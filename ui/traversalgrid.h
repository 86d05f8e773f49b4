#pragma once
// The traversal grid ("manifold" figure): images decoded at a grid of points over the
// visible region of the latent map, composed into one picture and shown in a dialog that
// can save it as PNG.
//
// Ownership: TraversalDialog is a QDialog (parent: the explorer). Threads: GUI thread only.
// Failure: a PNG that cannot be written is reported in a message box.

#include "controller/trainingcontroller.h"

#include <QDialog>
#include <QImage>
#include <QVector>

class QLabel;
class QPushButton;
class QSpinBox;

// columns x rows images (row-major, the first row on top) into one picture: each cell
// scale times the image size, spacing pixels of white between cells and around them.
// Missing images leave their cell white.
QImage composeGrid(const QVector<QImage> &images, int columns, int rows, int scale = 1, int spacing = 1);

class TraversalDialog final : public QDialog {
    Q_OBJECT
public:
    explicit TraversalDialog(QWidget *parent = nullptr);

    void setGrid(const aes::TraversalGrid &grid);
    // The composed picture at one pixel per image pixel (what Save writes).
    const QImage &image() const { return m_image; }
    bool save(const QString &path) const;
    // Audio data: cells in colour and a Play row control (a row's clips one after another).
    void setSpectrograms(bool on, bool canPlay = true, const QString &reason = {});
    // The row's clips side by side (rows counted from the top, from 0); null when out of range.
    QImage rowSpectrogram(int row) const;

Q_SIGNALS:
    void playRequested(const QImage &spectrogram, const QString &what);

private:
    void saveAs();

    QImage m_image;
    QLabel *m_picture = nullptr;
    QLabel *m_caption = nullptr;
    QPushButton *m_save = nullptr;
    QWidget *m_playRow = nullptr;
    QSpinBox *m_row = nullptr;
    QPushButton *m_playButton = nullptr;
    aes::TraversalGrid m_grid;
    bool m_spectrograms = false;
};
