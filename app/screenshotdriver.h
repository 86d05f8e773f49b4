#pragma once
// `aestudio --screenshots DIR`: once the data is loaded (or, with --train, once training has
// finished and the final latent map has arrived), saves every tab of the window as shown to
// DIR/<tab>.png (loss, reconstructions, metrics, latent, anomalies) and the reconstructions with the
// error heatmap as reconstructions-error.png (for audio data also audio-detail.png: the first
// clip's large view with axes, waveforms and play buttons), then quits. After training the Latent tab
// shows a hovered point and an image decoded between the first two classes, and three more
// pictures show its tools: latent-interpolation.png (two classes' first images as the ends,
// B pinned), latent-replay.png (the map of the first epoch) and latent-traversal.png (the
// 12 x 12 traversal grid of the whole map, each image at twice its size); then UMAP is chosen
// in the map's panel: umap-live.png at its first intermediate layout, umap.png at the final
// map. Last, the Anomalies
// tab scores the loaded dataset and anomalies.png is saved again with the result. Finally the
// Runs tab (its folder: --runs-folder, else the current run's) ticks up to four runs for
// runs.png and compares the two best for runs-compare.png.
//
// Threads: GUI thread. Failure: the application exits with 1 when the data does not load,
// training fails, the map cannot be made or a file cannot be written (named on stderr).

class MainWindow;
class QString;

// Watches window's controller; the window must outlive the event loop. noData: nothing will
// be loaded, so the screenshots are taken at once.
void takeScreenshotsWhenReady(MainWindow &window, const QString &dir, bool afterTraining, bool noData);
