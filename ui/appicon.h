#pragma once
// The application icon (resources/aestudio.svg, drawn with QPainter so that no SVG plugin
// is needed): a wide input narrows to a small code and widens again.
//
// Ownership: returns a value; the caller owns the icon. Threads: GUI thread only (QPixmap).

#include <QIcon>

QIcon appIcon();
