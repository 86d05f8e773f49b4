#pragma once
// A row of images decoded between two points of the latent map (an interpolation), the
// first marked "A" and the last "B", scaled to the widget's height in whole-number steps.
//
// Ownership: a plain QWidget. Threads: GUI thread only. Failure: none; without images it
// shows a hint.

#include <QImage>
#include <QVector>
#include <QWidget>

class InterpolationStrip final : public QWidget {
    Q_OBJECT
public:
    explicit InterpolationStrip(QWidget *parent = nullptr);

    void setImages(const QVector<QImage> &images);
    const QVector<QImage> &images() const { return m_images; }
    void setHint(const QString &hint);
    // Audio data: spectrograms drawn in colour.
    void setSpectrograms(bool on) { m_spectrograms = on; update(); }

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QVector<QImage> m_images;
    QString m_hint;
    bool m_spectrograms = false;
};
