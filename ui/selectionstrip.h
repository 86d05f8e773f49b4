#pragma once
// The Latent tab's selection page: what is selected on the map (a count with the classes,
// or "the 10 images nearest to X"), a strip of the selected images (the first kMaxShown,
// with their distances after a search), and the actions: export the file list (CSV), copy
// the images to a folder (class subfolders kept), open them as a new dataset, hide the
// selected points or show the hidden ones, clear.
//
// It does not touch files or the map: actions leave as signals (the explorer asks for a
// file name and does them), images are asked for with imagesWanted() and arrive through
// setImages().
// Ownership: a plain QWidget. Threads: GUI thread only. Failure: none.

#include "controller/controllertypes.h"

#include <QVector>
#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;

class SelectionStrip final : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxShown = 100;  // thumbnails in the strip

    explicit SelectionStrip(QWidget *parent = nullptr);

    // The selection of map: rows (nearest first after a search: distances parallel, query
    // the searched row), hidden: points hidden on the map.
    void setSelection(const aes::LatentSnapshot &map, const QVector<qint64> &rows, const QVector<float> &distances,
                      qint64 query, qint64 hidden);
    // Thumbnails of rows asked for (others are ignored).
    void setImages(const aes::ImageSet &images);

    QLabel *summary() const { return m_summary; }
    QListWidget *list() const { return m_list; }

Q_SIGNALS:
    void imagesWanted(const QVector<qint64> &rows);
    void pointSelected(qint64 row);
    void exportListRequested();
    void copyRequested();
    void openAsDatasetRequested();
    void hideRequested();
    void showHiddenRequested();
    void clearRequested();

private:
    QLabel *m_summary = nullptr;
    QListWidget *m_list = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_copy = nullptr;
    QPushButton *m_open = nullptr;
    QPushButton *m_hide = nullptr;
    QPushButton *m_showHidden = nullptr;
    QPushButton *m_clear = nullptr;
};
