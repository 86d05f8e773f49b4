#pragma once
// The application icon (resources/aestudio.svg, drawn with QPainter so that no SVG plugin
// is needed): a wide input narrows to a small code and widens again.
//
// Threads: GUI thread only (QPixmap).

#include <QIcon>

QIcon appIcon();
