#pragma once
// File > Export: which formats to write and where. One destination folder; each format has
// a fixed file or folder name inside it (shown beside its check box), so an export is one
// choice of folder and a few ticks.
//
// Ownership: a plain QDialog. Threads: GUI thread only. Failure: none (it only collects).

#include <QDialog>
#include <QString>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

// What the user asked to export.
struct ExportChoice {
    QString folder;
    bool torchscript = true;     // model.pt
    bool onnx = true;            // onnx/encoder.onnx, onnx/decoder.onnx
    bool embeddings = true;      // projector/ (vectors.tsv, metadata.tsv, sprite.png, config)
    bool images = false;         // images/ (reconstructions.png and per-image PNGs)
    int imageCount = 64;
    bool mapCsv = true;          // latent-map.csv
    bool reconstructionsPng = true;  // reconstructions.png
    bool lossPng = true;         // loss.png
    bool lossPdf = false;        // loss.pdf
    bool historyCsv = true;      // history.csv
    bool anyModelFormat() const { return torchscript || onnx || embeddings || images; }

    static QString torchscriptName() { return QStringLiteral("model.pt"); }
    static QString onnxName() { return QStringLiteral("onnx"); }
    static QString embeddingsName() { return QStringLiteral("projector"); }
    static QString imagesName() { return QStringLiteral("images"); }
    static QString mapCsvName() { return QStringLiteral("latent-map.csv"); }
    static QString reconstructionsName() { return QStringLiteral("reconstructions.png"); }
    static QString lossPngName() { return QStringLiteral("loss.png"); }
    static QString lossPdfName() { return QStringLiteral("loss.pdf"); }
    static QString historyName() { return QStringLiteral("history.csv"); }
};

class ExportDialog final : public QDialog {
    Q_OBJECT
public:
    // modelNote: where the model comes from ("the checkpoint of epoch 3"), shown above the
    // model formats; hasModel, hasMap: a model, a latent map exist (else their boxes are off).
    ExportDialog(const ExportChoice &initial, const QString &modelNote, bool hasModel, bool hasMap,
                 QWidget *parent = nullptr);

    ExportChoice choice() const;

private:
    void browse();
    void updateButtons();

    QLineEdit *m_folder = nullptr;
    QCheckBox *m_torchscript = nullptr;
    QCheckBox *m_onnx = nullptr;
    QCheckBox *m_embeddings = nullptr;
    QCheckBox *m_images = nullptr;
    QSpinBox *m_imageCount = nullptr;
    QCheckBox *m_mapCsv = nullptr;
    QCheckBox *m_reconstructions = nullptr;
    QCheckBox *m_lossPng = nullptr;
    QCheckBox *m_lossPdf = nullptr;
    QCheckBox *m_history = nullptr;
    QPushButton *m_ok = nullptr;
};
