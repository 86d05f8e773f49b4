#pragma once
// SIGTERM (logout, `kill`, a service manager) and SIGINT close the desktop app as the
// window's close button does: settings saved, the training worker stopped after its batch and
// waited for.
//
// The handler only writes a byte to a pipe (async-signal-safe); the GUI thread reads it
// through a QSocketNotifier once its event loop runs, so a signal that arrives during
// start-up is handled too.
// Threads: installTerminateHandler() once from main() before any other thread starts;
// closeOnTerminateSignal() from the GUI thread. Failure: installTerminateHandler() returns
// false (the signals then keep their default action).

class QObject;

// Routes SIGTERM and SIGINT to the pipe.
bool installTerminateHandler();
// Closes every window (a modal dialog first, so its own event loop ends), then leaves the
// main loop even if a window refused to close. The notifier belongs to context.
void closeOnTerminateSignal(QObject *context);
