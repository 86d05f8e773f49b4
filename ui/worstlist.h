#pragma once
// The latent explorer's worst reconstructions: the images of the newest map with the
// largest reconstruction error, largest first, each as a thumbnail with its error and
// class. Selecting one emits pointSelected() (the explorer rings it on the map).
//
// Ownership: a plain QWidget. Threads: GUI thread only. Failure: none; a map without
// errors (an intermediate t-SNE layout) leaves the list as it was.

#include "controller/trainingcontroller.h"

#include <QVector>
#include <QWidget>

class QListWidget;

class WorstList final : public QWidget {
    Q_OBJECT
public:
    explicit WorstList(QWidget *parent = nullptr);

    void setMap(const aes::LatentSnapshot &map);
    void clear();
    // The rows of the map in the order shown (largest error first).
    QVector<qint64> rows() const;
    void select(int position);

Q_SIGNALS:
    void pointSelected(qint64 index);

private:
    QListWidget *m_list = nullptr;
};
