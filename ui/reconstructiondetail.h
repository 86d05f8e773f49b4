#pragma once
// One validation image large: input, reconstruction and absolute-error heatmap side by
// side, with its class, MSE and PSNR at the current step. A non-modal window that follows
// the live snapshots; arrows step through the images.
//
// Ownership: a dialog parented to the reconstruction view. Threads: GUI thread only.

#include "controller/trainingcontroller.h"

#include <QDialog>

class QLabel;

class ReconstructionDetail final : public QDialog {
    Q_OBJECT
public:
    explicit ReconstructionDetail(QWidget *parent = nullptr);

    void setSnapshot(const aes::ReconstructionSnapshot &snapshot);
    void setIndex(int index);
    int index() const { return m_index; }
    // The line with the class, MSE and PSNR (for tests and screen readers).
    QString errorText() const;

private:
    void refresh();

    aes::ReconstructionSnapshot m_snapshot;
    int m_index = 0;
    QLabel *m_images[3] = {nullptr, nullptr, nullptr};
    QLabel *m_text = nullptr;
};
