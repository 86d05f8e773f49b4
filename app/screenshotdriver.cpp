#include "screenshotdriver.h"

#include "latentmap.h"
#include "mainwindow.h"
#include "reconstructionview.h"

#include <QApplication>
#include <QDir>
#include <QMouseEvent>
#include <QTimer>

#include <cstdio>
#include <functional>

namespace {

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
    return ok;
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
            const int c = data.labels.value(i, -1);
            if (c == 0 || c == 1) {
                cx[c] += data.x[i];
                cy[c] += data.y[i];
                ++count[c];
            }
        }
        if (count[0] > 0 && count[1] > 0)
            window.controller()->decodeAt((cx[0] / count[0] + cx[1] / count[1]) / 2,
                                          (cy[0] / count[0] + cy[1] / count[1]) / 2);
        if (!data.x.isEmpty()) {
            QWidget *plot = map->plotWidget();
            const QPointF pos = map->pixelOf(data.x.size() / 3);
            QMouseEvent move(QEvent::MouseMove, pos, plot->mapToGlobal(pos), Qt::NoButton, Qt::NoButton, Qt::NoModifier);
            QApplication::sendEvent(plot, &move);
        }
        QTimer::singleShot(800, &window, done);
    });
}

} // namespace

void takeScreenshotsWhenReady(MainWindow &window, const QString &dir, bool afterTraining, bool noData)
{
    const auto shoot = [&window, dir](int exitCode) {
        // A moment for the queued replot and the last repaint.
        QTimer::singleShot(300, &window, [&window, dir, exitCode] {
            const bool saved = saveScreenshots(window, dir);
            if (!saved)
                std::fprintf(stderr, "aestudio: cannot write %s\n", qPrintable(dir));
            QApplication::exit(saved ? exitCode : 1);
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
