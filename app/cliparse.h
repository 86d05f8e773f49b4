#pragma once
// Parsing of aestudio-cli's options into the engine's option structs. No torch here.
// Threads: the main thread (pure functions of the parser).
// Failure: returns false with a one-line reason in *error.

#include "data/loadoptions.h"
#include "model/modeloptions.h"
#include "training/distoptions.h"
#include "training/trainoptions.h"

#include <QCommandLineParser>
#include <QString>

namespace aes::cli {

// "aestudio-cli: <message>" on standard error; returns 2 (the usage-error exit code).
int fail(const QString &message);
void printErr(const QString &text);
// Parses args (the command's own, after the command name) or prints help / an error; false
// with *exitCode set when the command should end.
bool parse(QCommandLineParser &parser, const QStringList &args, int *exitCode);

void addLoadOptions(QCommandLineParser &parser);
void addModelOptions(QCommandLineParser &parser);
void addTrainOptions(QCommandLineParser &parser);

bool readLoadOptions(const QCommandLineParser &parser, LoadOptions *out, QString *error);
bool readModelOptions(const QCommandLineParser &parser, ModelOptions *out, QString *error);
bool readTrainOptions(const QCommandLineParser &parser, TrainOptions *out, QString *error);

// --device for the commands that run a model (train adds it with its training options).
void addDeviceOption(QCommandLineParser &parser);
// The device given (default auto), refused when this process cannot use it.
bool readDevice(const QCommandLineParser &parser, QString *device, QString *error);
// train's --nproc, --dist-backend, --dist-timeout; the rank variables come from the
// environment (torchrun's, or those the --nproc launcher sets).
void addDistributedOptions(QCommandLineParser &parser);
bool readDistributedOptions(const QCommandLineParser &parser, DistributedOptions *out, int *nproc, QString *error);

} // namespace aes::cli
