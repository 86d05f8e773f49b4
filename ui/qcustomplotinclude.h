#pragma once
// Include qcustomplot.h through this header only, and only from .cpp files.
//
// qcustomplot.h uses Qt's keywords (signals, slots, emit, foreach), but every target that
// links aes_core compiles with QT_NO_KEYWORDS (torch headers use "slots" as an identifier).
// The keywords are lent to qcustomplot.h here and withdrawn afterwards, so the rest of ui/
// uses Q_SIGNALS / Q_SLOTS / Q_EMIT like core/. No file includes both this and torch.
//
// Ownership: declares nothing of its own. Threads: QCustomPlot's widgets belong to the GUI
// thread.

#include <QtGlobal>

#if defined(QT_NO_KEYWORDS)
#  define signals Q_SIGNALS
#  define slots Q_SLOTS
#  define emit Q_EMIT
#  define foreach Q_FOREACH
#  include <qcustomplot.h>
#  undef signals
#  undef slots
#  undef emit
#  undef foreach
#else
#  include <qcustomplot.h>
#endif
