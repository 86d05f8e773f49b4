#include "runstablemodel.h"

#include <QBrush>
#include <QDir>
#include <QFileInfo>
#include <QFont>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

#include <cmath>
#include <limits>

namespace {

QString figure(double v, int decimals)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("\u2013");
}

// A missing figure sorts after every number in ascending order.
QVariant sortNumber(double v)
{
    return std::isfinite(v) ? v : std::numeric_limits<double>::infinity();
}

QString duration(double seconds)
{
    if (!(seconds > 0))
        return QStringLiteral("\u2013");
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(seconds, 0, 'f', seconds < 10 ? 1 : 0);
    const qint64 s = qint64(std::round(seconds));
    if (s < 3600)
        return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QString statusOf(const aes::RunEntry &run)
{
    if (!run.ok())
        return QObject::tr("damaged");
    // A GUI run has no summary.json: it is saved after every epoch, however it ended.
    return run.status.isEmpty() ? QObject::tr("saved") : run.status;
}

} // namespace

RunsTableModel::RunsTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void RunsTableModel::setRuns(const QVector<aes::RunEntry> &runs)
{
    beginResetModel();
    m_runs = runs;
    QSet<QString> kept;
    for (const aes::RunEntry &run : m_runs)
        if (run.ok() && m_ticked.contains(run.dir))
            kept.insert(run.dir);
    const bool changed = kept != m_ticked;
    m_ticked = kept;
    endResetModel();
    if (changed)
        Q_EMIT tickedChanged();
}

int RunsTableModel::rowOf(const QString &dir) const
{
    const QString wanted = QDir::cleanPath(dir);
    for (int i = 0; i < m_runs.size(); ++i)
        if (QDir::cleanPath(m_runs[i].dir) == wanted)
            return i;
    return -1;
}

void RunsTableModel::setCurrentRun(const QString &dir)
{
    const QString clean = dir.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(dir).absoluteFilePath());
    if (clean == m_current)
        return;
    m_current = clean;
    if (!m_runs.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {Qt::FontRole});
}

QVector<aes::RunEntry> RunsTableModel::tickedRuns() const
{
    QVector<aes::RunEntry> out;
    for (const aes::RunEntry &run : m_runs)
        if (m_ticked.contains(run.dir))
            out.append(run);
    return out;
}

void RunsTableModel::setTicked(int row, bool ticked)
{
    if (row < 0 || row >= m_runs.size() || !m_runs[row].ok() || isTicked(row) == ticked)
        return;
    if (ticked)
        m_ticked.insert(m_runs[row].dir);
    else
        m_ticked.remove(m_runs[row].dir);
    Q_EMIT dataChanged(index(row, Name), index(row, Name), {Qt::CheckStateRole});
    Q_EMIT tickedChanged();
}

bool RunsTableModel::isTicked(int row) const
{
    return row >= 0 && row < m_runs.size() && m_ticked.contains(m_runs[row].dir);
}

int RunsTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int RunsTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunsTableModel::display(const aes::RunEntry &run, int column) const
{
    if (column == Name)
        return QFileInfo(run.dir).fileName();
    if (column == Status)
        return statusOf(run);
    if (column == Modified)
        return QLocale().toString(run.modified, QLocale::ShortFormat);
    if (!run.ok())
        return column == Model ? QVariant(run.problem) : QVariant();
    const aes::EpochReport kept = run.kept();
    switch (column) {
    case Model: return aes::toString(run.model.kind);
    case Latent: return run.model.latent;
    case Epochs:
        if (run.keptEarlier())
            return tr("%1 of %2").arg(run.keptEpoch).arg(run.history.last().epoch);
        return QString::number(run.history.size());
    case ValMse: return figure(kept.valMse, 5);
    case Psnr: return figure(kept.valPsnr, 2);
    case Ssim: return figure(kept.valSsim, 3);
    case Knn: return std::isfinite(kept.knnAccuracy) ? QStringLiteral("%1%").arg(kept.knnAccuracy * 100.0, 0, 'f', 1)
                                                     : QStringLiteral("\u2013");
    case Time: return duration(run.trainSeconds);
    default: return {};
    }
}

QVariant RunsTableModel::sortValue(const aes::RunEntry &run, int column) const
{
    const aes::EpochReport kept = run.kept();
    const double missing = std::numeric_limits<double>::quiet_NaN();
    switch (column) {
    case Name: return QFileInfo(run.dir).fileName().toLower();
    case Status: return statusOf(run);
    case Model: return run.ok() ? aes::toString(run.model.kind) : QStringLiteral("\uffff");
    case Latent: return sortNumber(run.ok() ? run.model.latent : missing);
    case Epochs: return sortNumber(run.ok() ? run.keptEpoch : missing);
    case ValMse: return sortNumber(run.ok() ? kept.valMse : missing);
    case Psnr: return sortNumber(run.ok() ? kept.valPsnr : missing);
    case Ssim: return sortNumber(run.ok() ? kept.valSsim : missing);
    case Knn: return sortNumber(run.ok() ? kept.knnAccuracy : missing);
    case Time: return sortNumber(run.ok() && run.trainSeconds > 0 ? run.trainSeconds : missing);
    case Modified: return run.modified;
    default: return {};
    }
}

QString RunsTableModel::tooltip(const aes::RunEntry &run) const
{
    if (!run.ok())
        return tr("%1\ncannot be read: %2").arg(QDir::toNativeSeparators(run.dir), run.problem);
    QString text = QDir::toNativeSeparators(run.dir);
    if (!run.dataset.isEmpty())
        text += tr("\ntrained on %1").arg(QDir::toNativeSeparators(run.dataset));
    text += tr("\n%1, latent %2, lr %3, batch %4, %5 steps")
                .arg(aes::toString(run.model.kind)).arg(run.model.latent).arg(run.train.learningRate, 0, 'g', 4)
                .arg(run.train.batchSize).arg(run.steps);
    if (run.keptEarlier())
        text += tr("\nearly stopping kept epoch %1 of %2: the figures are epoch %1's")
                    .arg(run.keptEpoch).arg(run.history.last().epoch);
    return text;
}

QVariant RunsTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_runs.size())
        return {};
    const aes::RunEntry &run = m_runs.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return display(run, index.column());
    case kSortRole: return sortValue(run, index.column());
    case Qt::ToolTipRole: return tooltip(run);
    case Qt::CheckStateRole:
        if (index.column() == Name && run.ok())
            return m_ticked.contains(run.dir) ? Qt::Checked : Qt::Unchecked;
        return {};
    case Qt::ForegroundRole:
        if (!run.ok())
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::FontRole:
        if (!m_current.isEmpty() && QDir::cleanPath(run.dir) == m_current) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= Latent && index.column() <= Time && run.ok())
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    default: return {};
    }
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        static const char *const kTitles[ColumnCount] = {
            QT_TR_NOOP("Run"), QT_TR_NOOP("Status"), QT_TR_NOOP("Model"), QT_TR_NOOP("Latent"), QT_TR_NOOP("Epochs"),
            QT_TR_NOOP("Val MSE"), QT_TR_NOOP("PSNR dB"), QT_TR_NOOP("SSIM"), QT_TR_NOOP("kNN"), QT_TR_NOOP("Time"),
            QT_TR_NOOP("Modified")};
        return section >= 0 && section < ColumnCount ? tr(kTitles[section]) : QVariant();
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Name: return tr("The run directory; tick runs to draw their curves together");
        case Epochs: return tr("Epochs trained; \"3 of 5\": early stopping kept epoch 3's weights");
        case ValMse: return tr("Validation MSE of the weights the run keeps");
        case Knn: return tr("kNN accuracy of the validation codes (labelled data)");
        case Time: return tr("Training time, validation included");
        default: return {};
        }
    }
    return {};
}

Qt::ItemFlags RunsTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == Name && m_runs.at(index.row()).ok())
        f |= Qt::ItemIsUserCheckable;
    return f;
}

bool RunsTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || index.column() != Name || role != Qt::CheckStateRole)
        return false;
    setTicked(index.row(), value.toInt() == Qt::Checked);
    return true;
}
