#pragma once
// The card the latent map shows beside the cursor over a point: the image and, once it has
// arrived, its reconstruction side by side, labelled, above the point's caption (class,
// file, error). Until the image arrives the card holds the caption alone.
//
// Ownership: a child QLabel of the widget it floats over (the plot), which owns it.
// Transparent for the mouse: the plot underneath keeps every event.
// Threads: GUI thread only. Failure: none.

#include <QImage>
#include <QLabel>
#include <QPointF>

class PointCard final : public QLabel {
    Q_OBJECT
public:
    static constexpr int kImageSize = 96;  // pixels a side for each image

    explicit PointCard(QWidget *parent);

    // Fills the card, shows it and keeps it beside cursor. image and reconstruction may be
    // null (not arrived yet).
    void showPoint(const QString &caption, const QImage &image, const QImage &reconstruction, const QPointF &cursor);
    // Beside the cursor (a pixel of the parent), flipped to stay inside the parent.
    void placeBeside(const QPointF &cursor);
    // Audio data: spectrograms in colour and a play line ("P plays the clip").
    void setSpectrograms(bool on) { m_spectrograms = on; }

private:
    bool m_spectrograms = false;
};
