#pragma once
// The latent map's side panel: what the map shows (image count, or the sample's and the
// dataset's, epoch, projection, a replay note), the most points a map draws (0: all), the projection choice (automatic, two latent dimensions, PCA, t-SNE or UMAP) with
// the two dimensions' spin boxes or UMAP's n_neighbors and min_dist, a short help text, and the point in focus: a pinned image
// (with its reconstruction once known) or the image decoded at the probe.
//
// It does not talk to the controller: a choice of projection leaves as projectionRequested().
// Ownership: a plain QWidget, owned by the LatentMap it sits beside.
// Threads: GUI thread only. Failure: none.

#include "controller/trainingcontroller.h"

#include <QImage>
#include <QString>
#include <QWidget>

#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QPushButton;
class QLabel;
class QSpinBox;

class LatentMapPanel final : public QWidget {
    Q_OBJECT
public:
    static constexpr int kImageSize = 168;  // the focus image's box, pixels a side

    explicit LatentMapPanel(QWidget *parent = nullptr);

    // The map shown: the info line and the projection choice follow it (also when another
    // part of the app asked for the projection).
    void setMap(const aes::LatentSnapshot &map);
    // Replaying an older epoch: the info line adds note.
    void setReplay(bool replay, const QString &note);

    // The point in focus. A pinned point: its caption at once, its image when it arrives,
    // then image and reconstruction side by side (file: the full path, as a tooltip).
    void showPinned(const QString &caption);
    void showPinnedImage(const QImage &image, const QString &caption);
    void showPinnedDetails(const QImage &image, const QImage &reconstruction, const QString &caption,
                           const QString &file);
    // The image decoded at (x, y) of the map; exact: from the projection's inverse.
    void showDecoded(const QImage &image, double x, double y, bool exact);
    void clearPoint();
    // Audio data: images are spectrograms (in colour) and a Play button plays the one shown
    // (the pinned clip's reconstruction, or the decoded probe).
    // canPlay false (no audio output): the button stays disabled, with reason as its tooltip.
    void setSpectrograms(bool on, bool canPlay = true, const QString &reason = {});
    // The point cap's box (0: every image); setPointCap emits pointCapChanged() when it changes.
    void setPointCap(qint64 cap);
    qint64 pointCap() const;
    // Shows the point cap's box with its text selected, to be typed over.
    void focusPointCap();

Q_SIGNALS:
    // The user (or setPointCap) changed the point cap; a new map of the projection chosen
    // follows through projectionRequested() when there is a map.
    void pointCapChanged(qint64 cap);
    void playRequested(const QImage &spectrogram, const QString &what);
    // The user picked a projection: none (automatic), Dims (dimX, dimY), Pca, Tsne or Umap (umap).
    void projectionRequested(std::optional<aes::ProjectionMethod> method, int dimX, int dimY,
                             const aes::UmapParameters &umap);
    // "Find images like this" for the pinned point: its k nearest images in latent space.
    void similarRequested(int k);

private:
    void updateInfo();
    void updateProjectionChoice();
    void requestProjection();

    QLabel *m_info = nullptr;
    QComboBox *m_method = nullptr;
    QWidget *m_dimsRow = nullptr;
    QSpinBox *m_dimX = nullptr;
    QSpinBox *m_dimY = nullptr;
    QWidget *m_umapRow = nullptr;
    QSpinBox *m_umapNeighbours = nullptr;
    QDoubleSpinBox *m_umapMinDist = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_image = nullptr;
    QLabel *m_caption = nullptr;
    QWidget *m_similarRow = nullptr;   // shown while a point is pinned
    QPushButton *m_play = nullptr;     // audio only, while an image is shown
    bool m_spectrograms = false;
    bool m_canPlay = true;
    QImage m_playImage;
    QString m_playWhat;
    QImage shown(const QImage &image) const;
    void setPlayable(const QImage &image, const QString &what);
    QSpinBox *m_similarK = nullptr;
    QSpinBox *m_pointCap = nullptr;
    aes::LatentSnapshot m_map;     // shares the points with the map's copy
    bool m_replay = false;
    QString m_replayNote;
};
