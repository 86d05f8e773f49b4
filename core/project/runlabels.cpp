#include "project/runlabels.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QSet>

#include <functional>

namespace aes {

namespace {

QString number(double v)
{
    return QString::number(v, 'g', 4);
}

// One option as a label shows it, and whether it applies to a run.
struct OptionLabel {
    QString key;  // its name in the options' JSON
    std::function<bool(const ModelOptions &, const TrainOptions &)> applies;
    std::function<QString(const ModelOptions &, const TrainOptions &)> text;
};

bool always(const ModelOptions &, const TrainOptions &)
{
    return true;
}

const QVector<OptionLabel> &modelLabels()
{
    static const QVector<OptionLabel> labels{
        {QStringLiteral("kind"), always, [](const ModelOptions &m, const TrainOptions &) { return toString(m.kind); }},
        {QStringLiteral("latent"), always,
         [](const ModelOptions &m, const TrainOptions &) { return QStringLiteral("latent %1").arg(m.latent); }},
        // The kind's default widths and dropout go with the kind: only set ones are told apart.
        {QStringLiteral("widths"), always,
         [](const ModelOptions &m, const TrainOptions &) {
             QStringList w;
             for (int v : m.widths)
                 w << QString::number(v);
             return m.widths.isEmpty() ? QStringLiteral("default widths")
                                       : QStringLiteral("widths %1").arg(w.join(QLatin1Char(',')));
         }},
        {QStringLiteral("activation"), always,
         [](const ModelOptions &m, const TrainOptions &) { return toString(m.activation); }},
        {QStringLiteral("dropout"), always,
         [](const ModelOptions &m, const TrainOptions &) {
             return m.dropout < 0 ? QStringLiteral("default dropout") : QStringLiteral("dropout %1").arg(number(m.dropout));
         }},
        {QStringLiteral("batch_norm"), always,
         [](const ModelOptions &m, const TrainOptions &) {
             return m.batchNorm ? QStringLiteral("batch norm") : QStringLiteral("no batch norm");
         }},
        {QStringLiteral("noise"), [](const ModelOptions &m, const TrainOptions &) { return m.kind == ModelKind::Denoising; },
         [](const ModelOptions &m, const TrainOptions &) { return QStringLiteral("%1 noise").arg(toString(m.noise)); }},
        {QStringLiteral("noise_level"),
         [](const ModelOptions &m, const TrainOptions &) { return m.kind == ModelKind::Denoising; },
         [](const ModelOptions &m, const TrainOptions &) { return QStringLiteral("noise %1").arg(number(m.noiseLevel)); }},
        {QStringLiteral("beta"), [](const ModelOptions &m, const TrainOptions &) { return m.kind == ModelKind::Vae; },
         [](const ModelOptions &m, const TrainOptions &) { return QStringLiteral("beta %1").arg(number(m.beta)); }},
        {QStringLiteral("sparsity"), [](const ModelOptions &m, const TrainOptions &) { return m.kind == ModelKind::Sparse; },
         [](const ModelOptions &m, const TrainOptions &) { return QStringLiteral("sparsity %1").arg(number(m.sparsity)); }},
    };
    return labels;
}

const QVector<OptionLabel> &trainLabels()
{
    const auto early = [](const ModelOptions &, const TrainOptions &t) { return t.earlyStopping; };
    static const QVector<OptionLabel> labels{
        {QStringLiteral("loss"), always,
         [](const ModelOptions &, const TrainOptions &t) { return QStringLiteral("%1 loss").arg(toString(t.loss)); }},
        {QStringLiteral("optimizer"), always,
         [](const ModelOptions &, const TrainOptions &t) { return toString(t.optimizer); }},
        {QStringLiteral("lr"), always,
         [](const ModelOptions &, const TrainOptions &t) { return QStringLiteral("lr %1").arg(number(t.learningRate)); }},
        {QStringLiteral("schedule"), always,
         [](const ModelOptions &, const TrainOptions &t) { return toString(t.schedule); }},
        {QStringLiteral("batch"), always,
         [](const ModelOptions &, const TrainOptions &t) { return QStringLiteral("batch %1").arg(t.batchSize); }},
        {QStringLiteral("epochs"), always,
         [](const ModelOptions &, const TrainOptions &t) {
             return t.earlyStopping ? QStringLiteral("epochs auto") : QStringLiteral("epochs %1").arg(t.epochs);
         }},
        {QStringLiteral("patience"), early,
         [](const ModelOptions &, const TrainOptions &t) { return QStringLiteral("patience %1").arg(t.patience); }},
        {QStringLiteral("min_delta"), early,
         [](const ModelOptions &, const TrainOptions &t) { return QStringLiteral("min delta %1").arg(number(t.minDelta)); }},
        {QStringLiteral("weight_decay"), always,
         [](const ModelOptions &, const TrainOptions &t) { return QStringLiteral("decay %1").arg(number(t.weightDecay)); }},
        {QStringLiteral("momentum"),
         [](const ModelOptions &, const TrainOptions &t) { return t.optimizer == OptimizerKind::Sgd; },
         [](const ModelOptions &, const TrainOptions &t) { return QStringLiteral("momentum %1").arg(number(t.momentum)); }},
        {QStringLiteral("augment"), always,
         [](const ModelOptions &, const TrainOptions &t) {
             return t.augment ? QStringLiteral("augmented") : QStringLiteral("not augmented");
         }},
        {QStringLiteral("val_split"), always,
         [](const ModelOptions &, const TrainOptions &t) { return QStringLiteral("val %1").arg(number(t.valFraction)); }},
        {QStringLiteral("seed"), always,
         [](const ModelOptions &, const TrainOptions &t) { return QStringLiteral("seed %1").arg(t.seed); }},
    };
    return labels;
}

// Keys that change neither what is learned nor how: never shown. The image size comes with
// the data ("channels", "height", "width" as one "size" label below); "epochs auto" says early
// stopping.
const QSet<QString> &ignoredKeys()
{
    static const QSet<QString> keys{QStringLiteral("threads"), QStringLiteral("knn"), QStringLiteral("channels"),
                                    QStringLiteral("height"), QStringLiteral("width"), QStringLiteral("early_stopping")};
    return keys;
}

// Adds, to each run's list, the option's text when the runs' texts differ (among the runs it
// applies to).
void addWhereDifferent(const QVector<RunOptions> &runs, const OptionLabel &option, QVector<QStringList> *out)
{
    QSet<QString> texts;
    for (const RunOptions &r : runs)
        if (option.applies(r.model, r.train))
            texts.insert(option.text(r.model, r.train));
    if (texts.size() < 2)
        return;
    for (int i = 0; i < runs.size(); ++i)
        if (option.applies(runs[i].model, runs[i].train))
            (*out)[i] << option.text(runs[i].model, runs[i].train);
}

// Options that the labels above do not know (added to the JSON since): "key value".
void addUnknownKeys(const QVector<RunOptions> &runs, const QVector<QJsonObject> &json, const QVector<OptionLabel> &known,
                    QVector<QStringList> *out)
{
    QSet<QString> knownKeys = ignoredKeys();
    for (const OptionLabel &o : known)
        knownKeys.insert(o.key);
    QStringList keys;
    for (const QJsonObject &o : json)
        for (const QString &k : o.keys())
            if (!knownKeys.contains(k) && !keys.contains(k))
                keys << k;
    for (const QString &key : keys) {
        QSet<QString> texts;
        QStringList perRun;
        for (const QJsonObject &o : json) {
            const QJsonValue v = o.value(key);
            const QString text = v.isDouble() ? number(v.toDouble())
                                 : v.isBool() ? (v.toBool() ? QStringLiteral("on") : QStringLiteral("off"))
                                              : v.toVariant().toString();
            perRun << QStringLiteral("%1 %2").arg(QString(key).replace(QLatin1Char('_'), QLatin1Char(' ')), text);
            texts.insert(perRun.last());
        }
        if (texts.size() < 2)
            continue;
        for (int i = 0; i < runs.size(); ++i)
            (*out)[i] << perRun[i];
    }
}

} // namespace

QVector<QStringList> differingOptions(const QVector<RunOptions> &runs)
{
    QVector<QStringList> out(runs.size());
    if (runs.size() < 2)
        return out;
    addWhereDifferent(runs,
                      {QStringLiteral("size"), always,
                       [](const ModelOptions &m, const TrainOptions &) {
                           return QStringLiteral("%1\u00d7%2\u00d7%3").arg(m.channels).arg(m.height).arg(m.width);
                       }},
                      &out);
    QVector<QJsonObject> modelJson, trainJson;
    for (const RunOptions &r : runs) {
        modelJson << r.model.toJson();
        trainJson << r.train.toJson();
    }
    for (const OptionLabel &o : modelLabels())
        addWhereDifferent(runs, o, &out);
    addUnknownKeys(runs, modelJson, modelLabels(), &out);
    for (const OptionLabel &o : trainLabels())
        addWhereDifferent(runs, o, &out);
    addUnknownKeys(runs, trainJson, trainLabels(), &out);
    return out;
}

QStringList runLabels(const QVector<RunOptions> &runs)
{
    const QVector<QStringList> options = differingOptions(runs);
    QStringList labels;
    for (int i = 0; i < runs.size(); ++i)
        labels << (QStringList{runs[i].name} + options[i]).join(QStringLiteral(" \u00b7 "));
    return labels;
}

} // namespace aes
