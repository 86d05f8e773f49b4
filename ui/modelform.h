#pragma once
// The architecture half of the training panel: every field of aes::ModelOptions.
// Kind and latent size up front; the option of the chosen kind (noise for denoising,
// beta for vae, sparsity weight for sparse) right below them and only for that kind;
// widths, activation, dropout and batch norm in a folded "Advanced" section.
//
// Ownership: a plain widget. Threads: GUI thread only.

#include "model/modeloptions.h"
#include "training/datadefaults.h"

#include <QWidget>

#include <optional>

class CollapsibleSection;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLineEdit;
class QSpinBox;

class ModelForm final : public QWidget {
    Q_OBJECT
public:
    explicit ModelForm(QWidget *parent = nullptr);

    // The form's values; channels and image size are left at their defaults (the
    // trainer takes them from the dataset).
    aes::ModelOptions options() const;
    // Explicit values: a project's or run's options (nothing left automatic).
    void setOptions(const aes::ModelOptions &options);
    // The latent size and widths left automatic ("auto (64)", an empty widths field) follow
    // this data (training/datadefaults.h); before any data they are the engine's defaults.
    void setDataShape(const aes::DataShape &shape);
    // The fields `which` marks (latent, widths) back to automatic; which of them are.
    void setAutomatic(const aes::AutoOptions &which);
    aes::AutoOptions automatic() const;
    // "" when the widths field parses, else why not.
    QString widthsProblem() const;
    CollapsibleSection *advancedSection() const { return m_advanced; }

Q_SIGNALS:
    void kindChanged(aes::ModelKind kind);

private:
    void updateKindRows();
    void updateAutomaticTexts();
    std::optional<aes::DataShape> m_shape;

    QFormLayout *m_form = nullptr;
    QComboBox *m_kind = nullptr;
    QSpinBox *m_latent = nullptr;
    QComboBox *m_noise = nullptr;
    QDoubleSpinBox *m_noiseLevel = nullptr;
    QDoubleSpinBox *m_beta = nullptr;
    QDoubleSpinBox *m_sparsity = nullptr;
    CollapsibleSection *m_advanced = nullptr;
    QLineEdit *m_widths = nullptr;
    QComboBox *m_activation = nullptr;
    QDoubleSpinBox *m_dropout = nullptr;
    QCheckBox *m_batchNorm = nullptr;
};
