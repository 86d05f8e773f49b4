#include "screenshotdriver.h"

#include "anomalyexplorer.h"
#include "collapsiblesection.h"
#include "datasetpanel.h"
#include "latentexplorer.h"
#include "latentmap.h"
#include "mainwindow.h"
#include "modelform.h"
#include "reconstructiondetail.h"
#include "reconstructionview.h"
#include "runcompareview.h"
#include "runsoverlay.h"
#include "runspanel.h"
#include "runstablemodel.h"
#include "trainform.h"
#include "trainingpanel.h"
#include "traversalgrid.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QMouseEvent>
#include <QTableView>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <tuple>
#include <memory>

namespace {

// The training panel with its advanced sections open and augmentation ticked: the options the
// data chose ("auto (64)") and the augmentation preview.
bool saveTrainingPanel(MainWindow &window, const QDir &dir)
{
    TrainingPanel *panel = window.trainingPanel();
    TrainForm *form = panel->trainForm();
    QCheckBox *augment = nullptr;
    for (QCheckBox *box : form->findChildren<QCheckBox *>())
        if (box->text().startsWith(QStringLiteral("Augment")))
            augment = box;
    if (!augment)
        return false;
    const bool ticked = augment->isChecked();
    const bool trainOpen = form->advancedSection()->isExpanded();
    const bool modelOpen = panel->modelForm()->advancedSection()->isExpanded();
    form->advancedSection()->setExpanded(true);
    panel->modelForm()->advancedSection()->setExpanded(true);
    augment->setChecked(true);
    panel->resize(panel->width(), panel->sizeHint().height());
    QCoreApplication::processEvents();
    const bool ok = panel->grab().save(dir.filePath(QStringLiteral("training-panel.png")), "PNG", 0);
    augment->setChecked(ticked);
    form->advancedSection()->setExpanded(trainOpen);
    panel->modelForm()->advancedSection()->setExpanded(modelOpen);
    return ok;
}

// The dataset panel with its load options open: where the pixels are (the dataset cache's file
// and size, or memory), Clear cache, and the cache option.
bool saveDatasetPanel(MainWindow &window, const QDir &dir)
{
    DatasetPanel *panel = window.datasetPanel();
    const bool open = panel->loadOptionsSection()->isExpanded();
    panel->loadOptionsSection()->setExpanded(true);
    const QSize size = panel->size();
    panel->resize(std::max(panel->width(), 340), panel->sizeHint().height());
    QCoreApplication::processEvents();
    const bool ok = panel->grab().save(dir.filePath(QStringLiteral("dataset-panel.png")), "PNG", 0);
    panel->loadOptionsSection()->setExpanded(open);
    panel->resize(size);
    return ok;
}

bool saveScreenshots(MainWindow &window, const QString &dirPath)
{
    QDir dir(dirPath);
    if (!dir.mkpath(QStringLiteral(".")))
        return false;
    bool ok = true;
    for (int tab = 0; tab < MainWindow::TabCount; ++tab)
        ok = window.renderTab(tab).save(dir.filePath(MainWindow::tabFileName(tab) + QStringLiteral(".png")), "PNG", 0) && ok;
    ReconstructionView *view = window.reconstructionView();
    const bool showed = view->showsError();
    view->setShowError(true);
    ok = window.renderTab(MainWindow::ReconstructionsTab).save(dir.filePath(QStringLiteral("reconstructions-error.png")), "PNG", 0) && ok;
    view->setShowError(showed);
    window.showTab(MainWindow::LossTab);
    ok = saveDatasetPanel(window, dir) && ok;
    return saveTrainingPanel(window, dir) && ok;
}

// Audio data: audio-detail.png, the large view of the first clip (spectrograms with axes,
// waveforms, play buttons) once its waveforms have been rendered; then done(ok). Images: done(true).
void saveAudioDetail(MainWindow &window, const QString &dirPath, const std::function<void(bool)> &done)
{
    if (!window.controller()->datasetSummary().audio) {
        done(true);
        return;
    }
    window.showTab(MainWindow::ReconstructionsTab);
    ReconstructionDetail *detail = window.reconstructionView()->showDetail(0);
    detail->resize(900, 560);
    // Griffin-Lim runs on the player's thread: a moment for both waveforms.
    QTimer::singleShot(2500, &window, [detail, dirPath, done] {
        const bool ok = detail->grab().save(QDir(dirPath).filePath(QStringLiteral("audio-detail.png")), "PNG", 0);
        detail->hide();
        done(ok);
    });
}

// Hovers a point of the map and decodes a point halfway between the centres of the first
// two classes, then calls done once the answers have arrived.
void showLatentExample(MainWindow &window, const std::function<void()> &done)
{
    window.showTab(MainWindow::LatentTab);
    LatentMap *map = window.latentMap();
    QTimer::singleShot(300, &window, [&window, map, done] {
        const aes::LatentSnapshot &data = map->map();
        double cx[2] = {0, 0}, cy[2] = {0, 0};
        int count[2] = {0, 0};
        for (int i = 0; i < data.x.size(); ++i) {
            const int c = data.labels.value(data.rowOf(i), -1);
            if (c == 0 || c == 1) {
                cx[c] += data.x[i];
                cy[c] += data.y[i];
                ++count[c];
            }
        }
        if (count[0] > 0 && count[1] > 0)
            window.controller()->decodeAt((cx[0] / count[0] + cx[1] / count[1]) / 2,
                                          (cy[0] / count[0] + cy[1] / count[1]) / 2);
        else if (!data.x.isEmpty())  // no two classes: the middle of the map's region
            window.controller()->decodeAt(map->visibleRegion().center().x(), map->visibleRegion().center().y());
        if (!data.x.isEmpty()) {
            QWidget *plot = map->plotWidget();
            const QPointF pos = map->pixelOf(data.rowOf(data.x.size() / 3));
            QMouseEvent move(QEvent::MouseMove, pos, plot->mapToGlobal(pos), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
            QApplication::sendEvent(plot, &move);
        }
        QTimer::singleShot(800, &window, done);
    });
}

// The first row of class c in the map, -1 when there is none.
qint64 firstOfClass(const aes::LatentSnapshot &map, int c)
{
    const qsizetype row = map.labels.indexOf(c);
    return row < map.rowCount() ? qint64(row) : -1;
}

// latent-lasso.png (a lasso drawn around one class's middle, the selection's images below),
// latent-similar.png (the 10 images nearest a point) and latent-clusters.png (k-means, k = 8,
// colouring the map), then done(ok).
void saveLatentSelections(MainWindow &window, const QString &dirPath, const std::function<void(bool)> &done)
{
    const QDir dir(dirPath);
    LatentExplorer *explorer = window.latentExplorer();
    LatentMap *map = explorer->map();
    window.showTab(MainWindow::LatentTab);
    QWidget *plot = map->plotWidget();
    const aes::LatentSnapshot &data = map->map();
    // The lasso: a wobbly loop around the middle of class 1's points, as a hand draws it.
    QPointF centre;
    int count = 0;
    for (qint64 i = 0; i < data.x.size(); ++i)
        if (data.labels.value(data.rowOf(i)) == std::min<int>(1, int(data.classNames.size()) - 1)) {
            centre += map->pixelOf(data.rowOf(i));
            ++count;
        }
    centre = count > 0 ? centre / count : QPointF(plot->width() / 2.0, plot->height() / 2.0);
    map->setTool(LatentMap::Tool::Lasso);
    QVector<QPointF> path;
    for (int i = 0; i <= 48; ++i) {
        const double a = 2.0 * M_PI * i / 48.0, r = 55.0 + 14.0 * std::sin(3.0 * a);
        path << centre + QPointF(1.3 * r * std::cos(a), r * std::sin(a));
    }
    const auto send = [plot](QEvent::Type type, const QPointF &p, Qt::MouseButton button, Qt::MouseButtons buttons) {
        QMouseEvent event(type, p, plot->mapToGlobal(p), button, buttons, Qt::NoModifier);
        QApplication::sendEvent(plot, &event);
    };
    send(QEvent::MouseButtonPress, path.first(), Qt::LeftButton, Qt::LeftButton);
    for (const QPointF &p : path.mid(0, 40))
        send(QEvent::MouseMove, p, Qt::NoButton, Qt::LeftButton);
    // Half-way drawn first (the outline on the map), then closed.
    QCoreApplication::processEvents();
    bool ok = window.grab().save(dir.filePath(QStringLiteral("latent-lasso-drawing.png")), "PNG", 0);
    for (const QPointF &p : path.mid(40))
        send(QEvent::MouseMove, p, Qt::NoButton, Qt::LeftButton);
    send(QEvent::MouseButtonRelease, path.last(), Qt::LeftButton, Qt::NoButton);
    map->setTool(LatentMap::Tool::Pan);
    // The strip's images come from the worker.
    QTimer::singleShot(800, &window, [&window, explorer, map, dir, done, ok]() mutable {
        ok = window.grab().save(dir.filePath(QStringLiteral("latent-lasso.png")), "PNG", 0) && ok;
        const qint64 query = map->selection().isEmpty() ? 0 : map->selection().first();
        map->highlightPoint(query);
        map->findSimilar(query, 10);
        QTimer::singleShot(800, &window, [&window, explorer, map, dir, done, ok]() mutable {
            ok = window.grab().save(dir.filePath(QStringLiteral("latent-similar.png")), "PNG", 0) && ok;
            map->clearSelection();
            // k-means answers from its thread; the shot waits for it (or gives up after 20 s).
            auto shot = std::make_shared<QMetaObject::Connection>();
            auto take = [&window, map, dir, done, ok, shot]() mutable {
                if (!*shot)
                    return;  // taken already
                QObject::disconnect(*shot);
                *shot = {};
                // After the plot's queued replot: the points in their clusters' colours.
                QTimer::singleShot(300, &window, [&window, map, dir, done, ok] {
                    const bool saved = window.grab().save(dir.filePath(QStringLiteral("latent-clusters.png")), "PNG", 0);
                    map->setColourByCluster(false);
                    done(ok && saved);
                });
            };
            *shot = QObject::connect(map, &LatentMap::clustersChanged, &window, take);
            if (!map->cluster(8, 1))
                take();
            else
                QTimer::singleShot(20000, &window, take);
        });
    });
}

// latent-sample.png: the map's point cap set to a third of the images, the sampled map with
// its statement and the images like one of its points (most of them not drawn); then the cap
// as it was, and done(ok).
void saveLatentSample(MainWindow &window, const QString &dirPath, const std::function<void(bool)> &done)
{
    LatentMap *map = window.latentMap();
    aes::TrainingController *controller = window.controller();
    const qint64 images = map->map().rowCount(), cap = map->pointCap();
    if (images < 30) {
        done(true);
        return;
    }
    window.showTab(MainWindow::LatentTab);
    QObject::connect(controller, &aes::TrainingController::latentMapReady, &window,
                     [&window, map, dirPath, done, cap](const aes::LatentSnapshot &sampled) {
        if (!sampled.sampled()) {
            done(false);
            return;
        }
        QTimer::singleShot(300, &window, [&window, map, dirPath, done, cap] {
            const qint64 query = map->map().rowOf(map->map().pointCount() / 2);
            map->highlightPoint(query);
            map->findSimilar(query, 12);
            QTimer::singleShot(800, &window, [&window, map, dirPath, done, cap] {
                const bool ok = window.grab().save(QDir(dirPath).filePath(QStringLiteral("latent-sample.png")), "PNG", 0);
                map->clearSelection();
                QObject::connect(window.controller(), &aes::TrainingController::latentMapReady, &window,
                                 [done, ok] { done(ok); }, Qt::SingleShotConnection);
                map->setPointCap(cap);  // asks for the map of every image again
            });
        });
    }, Qt::SingleShotConnection);
    map->setPointCap(images / 3);
}

// latent-interpolation.png, latent-replay.png and latent-traversal.png, then done(ok).
void saveLatentTools(MainWindow &window, const QString &dirPath, const std::function<void(bool)> &done)
{
    const QDir dir(dirPath);
    LatentExplorer *explorer = window.latentExplorer();
    aes::TrainingController *controller = window.controller();
    const aes::LatentSnapshot map = explorer->map()->map();
    const qint64 a = firstOfClass(map, 1), b = firstOfClass(map, map.classNames.size() - 1);
    if (a < 0 || b < 0 || a == b) {
        done(true);  // a dataset without two classes has nothing to interpolate between
        return;
    }
    // The answers come from the worker; one that never comes must not keep the app open.
    QTimer::singleShot(60000, &window, [] {
        std::fprintf(stderr, "aestudio: no interpolation or traversal grid within a minute\n");
        QApplication::exit(1);
    });
    window.showTab(MainWindow::LatentTab);
    // The cursor leaves the map: the hover card would cover the interpolation's ends.
    QWidget *plot = explorer->map()->plotWidget();
    QMouseEvent away(QEvent::MouseMove, QPointF(1, 1), plot->mapToGlobal(QPointF(1, 1)), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QApplication::sendEvent(plot, &away);
    explorer->map()->highlightPoint(b);
    explorer->setInterpolationEnd(0, a);
    explorer->setInterpolationEnd(1, b);
    QObject::connect(controller, &aes::TrainingController::interpolationReady, &window, [&window, explorer, controller, dir, done] {
        // The strip and the pinned point's details are drawn; then the replay and the grid.
        QTimer::singleShot(500, &window, [&window, explorer, controller, dir, done] {
            bool ok = window.grab().save(dir.filePath(QStringLiteral("latent-interpolation.png")), "PNG", 0);
            const int newest = int(explorer->history().size()) - 1;
            explorer->showHistory(0);
            QCoreApplication::processEvents();
            ok = window.grab().save(dir.filePath(QStringLiteral("latent-replay.png")), "PNG", 0) && ok;
            explorer->showHistory(newest);
            QObject::connect(controller, &aes::TrainingController::traversalReady, &window, [&window, explorer, dir, done, ok] {
                const QImage grid = explorer->traversalDialog()->image();
                const bool saved = grid.scaled(grid.size() * 2, Qt::IgnoreAspectRatio, Qt::FastTransformation)
                                       .save(dir.filePath(QStringLiteral("latent-traversal.png")), "PNG", 0);
                explorer->traversalDialog()->hide();
                done(ok && saved);
            }, Qt::SingleShotConnection);
            explorer->requestTraversal();
        });
    }, Qt::SingleShotConnection);
}

// Chooses UMAP in the map's panel as a user would and saves umap-live.png at its first
// intermediate layout and umap.png at the final map, then done(ok).
void saveUmap(MainWindow &window, const QString &dirPath, const std::function<void(bool)> &done)
{
    const QDir dir(dirPath);
    QComboBox *method = nullptr;  // the projection's (the class list has a combo too): the one offering t-SNE
    for (QComboBox *combo : window.latentMap()->findChildren<QComboBox *>())
        if (combo->findText(QStringLiteral("t-SNE")) >= 0)
            method = combo;
    const int umap = method ? method->findData(int(aes::ProjectionMethod::Umap)) : -1;
    if (umap < 0) {
        done(false);
        return;
    }
    window.showTab(MainWindow::LatentTab);
    aes::TrainingController *controller = window.controller();
    auto seenLive = std::make_shared<bool>(false);
    auto ready = std::make_shared<QMetaObject::Connection>(), failed = std::make_shared<QMetaObject::Connection>();
    // Connected after the explorer: by the time this runs, the map shows the layout.
    *ready = QObject::connect(controller, &aes::TrainingController::latentMapReady, &window,
                              [&window, dir, done, seenLive, ready, failed](const aes::LatentSnapshot &map) {
        if (map.method != aes::ProjectionMethod::Umap)
            return;
        if (map.partial) {
            if (!*seenLive) {
                *seenLive = true;
                // After the queued replot; the final map is seconds away.
                QTimer::singleShot(300, &window, [&window, dir, seenLive] {
                    *seenLive = window.grab().save(dir.filePath(QStringLiteral("umap-live.png")), "PNG", 0);
                });
            }
            return;
        }
        QObject::disconnect(*ready);
        QObject::disconnect(*failed);
        QTimer::singleShot(300, &window, [&window, dir, done, seenLive] {
            done(window.grab().save(dir.filePath(QStringLiteral("umap.png")), "PNG", 0) && *seenLive);
        });
    });
    *failed = QObject::connect(controller, &aes::TrainingController::latentMapFailed, &window, [done, ready, failed] {
        QObject::disconnect(*ready);
        QObject::disconnect(*failed);
        done(false);
    });
    method->setCurrentIndex(umap);
    Q_EMIT method->activated(umap);
}

// Scores the loaded dataset on the Anomalies tab and saves anomalies.png once the list's
// visible pictures have arrived, then done(ok).
void saveAnomalies(MainWindow &window, const QString &dirPath, const std::function<void(bool)> &done)
{
    AnomalyExplorer *explorer = window.anomalyExplorer();
    window.showTab(MainWindow::AnomaliesTab);
    QObject::connect(explorer, &AnomalyExplorer::scored, &window, [&window, dirPath, done](bool ok) {
        if (!ok) {
            std::fprintf(stderr, "aestudio: the Anomalies tab could not score the data\n");
            done(false);
            return;
        }
        QTimer::singleShot(2000, &window, [&window, dirPath, done] {
            done(window.renderTab(MainWindow::AnomaliesTab)
                     .save(QDir(dirPath).filePath(QStringLiteral("anomalies.png")), "PNG", 0));
        });
    }, Qt::SingleShotConnection);
    if (!explorer->score())
        done(false);
}

// The Runs tab: its folder listed, up to four runs ticked (the best validation MSE first) for
// runs.png, then the two best compared side by side for runs-compare.png; done(ok). A folder
// with fewer than two readable runs leaves the tab as the loop over the tabs saved it.
void saveRuns(MainWindow &window, const QString &dirPath, const std::function<void(bool)> &done)
{
    RunsPanel *panel = window.runsPanel();
    QObject::connect(panel, &RunsPanel::listed, &window, [&window, panel, dirPath, done] {
        RunsTableModel *model = panel->model();
        QVector<int> rows;
        for (int row = 0; row < model->rowCount(); ++row)
            if (model->run(row).ok() && !model->run(row).history.isEmpty())
                rows << row;
        if (rows.size() < 2) {
            done(true);
            return;
        }
        std::sort(rows.begin(), rows.end(), [model](int a, int b) {
            return model->run(a).kept().valMse < model->run(b).kept().valMse;
        });
        // The best run and the best other one of its image shape go side by side.
        const auto shapeOf = [model](int row) {
            const aes::ModelOptions &m = model->run(row).model;
            return std::make_tuple(m.channels, m.height, m.width);
        };
        const auto partner = std::find_if(rows.begin() + 1, rows.end(),
                                          [&](int row) { return shapeOf(row) == shapeOf(rows[0]); });
        if (partner == rows.end()) {
            done(true);
            return;
        }
        std::rotate(rows.begin() + 1, partner, partner + 1);
        rows.resize(std::min<qsizetype>(rows.size(), 4));
        for (int row : rows)
            model->setTicked(row, true);
        panel->table()->sortByColumn(RunsTableModel::ValMse, Qt::AscendingOrder);
        panel->selectRuns({model->run(rows[0]).dir, model->run(rows[1]).dir});
        panel->showOverlay();
        QTimer::singleShot(300, &window, [&window, panel, model, rows, dirPath, done] {
            const QDir dir(dirPath);
            const bool ok = window.renderTab(MainWindow::RunsTab).save(dir.filePath(QStringLiteral("runs.png")), "PNG", 0);
            QObject::connect(panel, &RunsPanel::compared, &window, [&window, dir, done, ok](bool compared) {
                // Runs whose data is gone cannot be compared: no runs-compare.png, said, not a failure.
                if (!compared) {
                    std::fprintf(stderr, "aestudio: the Runs tab could not compare two runs (is their data still there?)\n");
                    done(ok);
                    return;
                }
                QTimer::singleShot(300, &window, [&window, dir, done, ok] {
                    done(ok && window.renderTab(MainWindow::RunsTab).save(dir.filePath(QStringLiteral("runs-compare.png")), "PNG", 0));
                });
            }, Qt::SingleShotConnection);
            if (!panel->compare(model->run(rows[0]).dir, model->run(rows[1]).dir))
                done(false);
        });
    }, Qt::SingleShotConnection);
    window.showTab(MainWindow::RunsTab);  // lists the folder
}

} // namespace

void takeScreenshotsWhenReady(MainWindow &window, const QString &dir, bool afterTraining, bool noData)
{
    const auto shoot = [&window, dir, afterTraining](int exitCode) {
        // A moment for the queued replot and the last repaint.
        QTimer::singleShot(300, &window, [&window, dir, exitCode, afterTraining] {
            const auto quit = [dir, exitCode](bool saved) {
                if (!saved)
                    std::fprintf(stderr, "aestudio: cannot write %s\n", qPrintable(dir));
                QApplication::exit(saved ? exitCode : 1);
            };
            const bool shot = saveScreenshots(window, dir);
            // Last, the Runs tab: its folder's runs overlaid and two of them compared.
            const auto runsThenQuit = [&window, dir, quit](bool ok) {
                if (!ok)
                    quit(false);
                else
                    saveRuns(window, dir, quit);
            };
            saveAudioDetail(window, dir, [&window, dir, exitCode, afterTraining, quit, runsThenQuit, shot](bool audioOk) {
                const bool saved = shot && audioOk;
                if (saved && afterTraining && exitCode == 0)
                    saveLatentTools(window, dir, [&window, dir, runsThenQuit](bool ok) {
                        if (!ok) {
                            runsThenQuit(false);
                            return;
                        }
                        saveLatentSelections(window, dir, [&window, dir, runsThenQuit](bool selectionsOk) {
                            if (!selectionsOk) {
                                runsThenQuit(false);
                                return;
                            }
                            saveLatentSample(window, dir, [&window, dir, runsThenQuit](bool sampleOk) {
                                if (!sampleOk) {
                                    runsThenQuit(false);
                                    return;
                                }
                                saveUmap(window, dir, [&window, dir, runsThenQuit](bool umapOk) {
                                    if (!umapOk)
                                        runsThenQuit(false);
                                    else
                                        saveAnomalies(window, dir, runsThenQuit);
                                });
                            });
                        });
                    });
                else if (saved && exitCode == 0)
                    runsThenQuit(true);
                else
                    quit(saved);
            });
        });
    };
    aes::TrainingController *controller = window.controller();
    QObject::connect(controller, &aes::TrainingController::loadFailed, &window, [shoot] { shoot(1); });
    if (afterTraining)
        QObject::connect(controller, &aes::TrainingController::finished, &window,
                         [shoot, &window, controller](const aes::TrainOutcome &outcome) {
                             if (outcome.status == aes::TrainStatus::Failed || !controller->requestLatentMap()) {
                                 shoot(outcome.status == aes::TrainStatus::Failed ? 1 : 0);
                                 return;
                             }
                             // The final map, then a hover and a decode to show what the tab does.
                             QObject::connect(controller, &aes::TrainingController::latentMapReady, &window,
                                              [shoot, &window] { showLatentExample(window, [shoot] { shoot(0); }); },
                                              Qt::SingleShotConnection);
                             QObject::connect(controller, &aes::TrainingController::latentMapFailed, &window,
                                              [shoot] { shoot(1); }, Qt::SingleShotConnection);
                         });
    else
        QObject::connect(controller, &aes::TrainingController::datasetLoaded, &window, [shoot] { shoot(0); });
    if (noData)
        shoot(0);
}
