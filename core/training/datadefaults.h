#pragma once
// Defaults that follow the data: the latent size, the convolutional stages, the batch size, the
// number of epochs and the learning-rate schedule chosen from the images' size, channels and
// count, for the options the user left alone (the CLI's unset flags, the GUI's untouched
// fields). The rule, measured on photos, icons, faces, digits and Fashion-MNIST
// (docs/PERFORMANCE.md, "Defaults across data"):
//   latent   16 up to 1024 values per image (C x H x W), 32 up to 4096, else 64
//   widths   convolutional kinds: one stride-2 stage per halving until the longer side is at
//            most 16 (at least 2 stages, at most 4), channels 8, 16, 32, 64
//   batch    16 below 10,000 training images, else 32
//   epochs   enough to show the model 20,000 images, at least 10, at most 30
//   schedule cosine (plateau with early stopping, whose length is not known in advance)
// Threads: plain functions of values; any thread. Torch-free: ui/ includes it.

#include "model/modeloptions.h"
#include "training/trainoptions.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

namespace aes {

struct DataShape {
    int channels = 1;
    int height = 0;
    int width = 0;
    qint64 trainImages = 0;     // after the validation split
};

// Which options follow the data; false = the user chose it.
struct AutoOptions {
    bool latent = true;
    bool widths = true;
    bool batchSize = true;
    bool epochs = true;
    bool schedule = true;
    static AutoOptions none() { return {false, false, false, false, false}; }
};

// {"latent": true, "widths": false, ...}; a missing key reads as automatic.
QJsonObject toJson(const AutoOptions &options);
AutoOptions autoOptionsFromJson(const QJsonObject &json);

struct DataDefaults {
    int latent = 16;
    QVector<int> convWidths;     // for the convolutional kinds (dense and keras-conv keep theirs)
    int batchSize = 32;
    int epochs = 10;
    ScheduleKind schedule = ScheduleKind::Cosine;
};

DataDefaults dataDefaults(const DataShape &shape, bool earlyStopping);

// Sets the options `which` marks automatic to the data's defaults (widths only for the
// convolutional kinds that use them; epochs only without early stopping). Returns what it chose,
// for the log: "for 48x48x3, 897 training images: latent 64, widths 8,16,32, batch 16, 23 epochs,
// cosine schedule"; empty when nothing was automatic.
QString applyDataDefaults(const DataShape &shape, const AutoOptions &which, ModelOptions *model,
                          TrainOptions *train);

} // namespace aes
