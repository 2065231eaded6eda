"""WeasyPrint imported without searching for its native libraries: import this module
before WeasyPrint.

WeasyPrint loads each native library (GObject, Pango, HarfBuzz, Fontconfig...) by
trying the names it has on Windows, macOS and Linux in turn. For each name that does
not load, cffi asks `ctypes.util.find_library`, which on Linux runs `ldconfig` and a
compiler in subprocesses: about 10 ms a name, 15 names, a fifth of a second of every
worker process's start (the third of WeasyPrint's import). On Linux the libraries'
file names are among the names tried, and the dynamic loader finds those by itself, so
the search is skipped while WeasyPrint is imported. Elsewhere WeasyPrint is imported
as usual.
"""

from __future__ import annotations

import ctypes.util
import sys


def _import_weasyprint() -> None:
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        import weasyprint  # noqa: F401
    finally:
        ctypes.util.find_library = find_library


_import_weasyprint()
