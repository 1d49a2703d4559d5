"""Atomic output files: a reader (or a crash) never sees a half-written file.

Each file is written to a temporary name in the same folder, flushed and fsynced, then
renamed over the target; ``os.replace`` is atomic on POSIX. Re-running a node after a
crash therefore either finds the old complete file or writes the new complete one.
"""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A process killed mid-write leaves its temporary file behind; the node that re-runs
    # on resume is the only writer of this path, so it sweeps them up.
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        stale.unlink(missing_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600 files; outputs are shared documents, so honour the umask.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
