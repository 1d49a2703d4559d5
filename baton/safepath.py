"""Open input files the way hostile folders require: regular files, inside the named folder.

Why one helper for every scenario loader and ``baton ingest``: each loader used to call
``open()`` on whatever a folder contained, so a named pipe blocked the run forever, a
directory where a file belongs crashed with ``IsADirectoryError``, and a symlink such
as ``receipts/r1.txt -> /proc/self/environ`` copied the process environment (API key
included) into the checkpoint database. The rules, in one place:

* an input must stay inside the folder the user named: a symlink whose target leaves
  it is skipped with a warning when found while listing a folder, and an error when
  the loader asked for that file by name;
* only regular files are read. The check is done on the open descriptor (``fstat``)
  after a non-blocking open, so a FIFO is refused without ever blocking, and a swap
  between check and read cannot slip one in;
* reads are capped in bytes, so a huge file is one clear error instead of a stalled run.

Every refusal is an :class:`~baton.errors.InputError` (one line naming the path).
"""

from __future__ import annotations

import os
import stat
import warnings
from collections.abc import Iterable
from pathlib import Path

from baton.errors import InputError

DEFAULT_MAX_BYTES = 50_000_000
"""Largest input file read by default (50 MB): well above any month's CSV or document."""


class InputWarning(UserWarning):
    """An input that was skipped (not an error): shown on stderr by the CLI."""


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def escapes(path: Path, root: Path) -> bool:
    """True when ``path`` (after following every symlink) lies outside ``root``."""
    try:
        return not path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop counts as leaving
        return True


def check_file(path: Path, *, root: Path | None = None, what: str = "file") -> Path:
    """Refuse, without opening it, anything but a regular file inside ``root``.

    ``root`` defaults to the file's own folder, so a file the user named on the command
    line may be a link only to a neighbour. Returns ``path`` for chaining.
    """
    root = path.parent if root is None else root
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError(path, f"{what} is a broken symbolic link") from None
        raise InputError(path, f"{what} not found") from None
    except OSError as exc:
        raise InputError(path, f"cannot read {what}: {exc.strerror or exc}") from None
    if path.is_symlink() and escapes(path, root):
        raise InputError(path, f"{what} is a symbolic link leading outside {root}; not read")
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, f"expected a {what}, found a directory")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, f"{what} is {_kind(info.st_mode)}, not a regular file; not read")
    return path


def read_bytes(
    path: Path,
    *,
    root: Path | None = None,
    what: str = "file",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> bytes:
    """The bytes of a regular file inside ``root``, at most ``max_bytes`` of them.

    The descriptor is opened non-blocking and checked with ``fstat`` before the first
    read: a FIFO swapped in after :func:`check_file` still cannot block.
    """
    check_file(path, root=root, what=what)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise InputError(path, f"cannot read {what}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(path, f"{what} is {_kind(mode)}, not a regular file; not read")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(
            path, f"{what} is larger than {max_bytes // 1_000_000} MB; split it or trim it"
        )
    return data


def read_text(
    path: Path,
    *,
    root: Path | None = None,
    what: str = "file",
    max_bytes: int = DEFAULT_MAX_BYTES,
    encoding: str = "utf-8-sig",
) -> str:
    """:func:`read_bytes` decoded (UTF-8 with an optional BOM by default)."""
    data = read_bytes(path, root=root, what=what, max_bytes=max_bytes)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not valid UTF-8 text (byte {exc.start})") from None


def _skip(path: Path, why: str) -> None:
    warnings.warn(InputWarning(f"skipped {path}: {why}"), stacklevel=3)


def list_files(
    folder: Path,
    *,
    suffixes: Iterable[str] | None = None,
    recursive: bool = False,
    root: Path | None = None,
    hidden: bool = True,
) -> list[Path]:
    """Regular files of ``folder`` (sorted), skipping with a warning what may not be read.

    Skipped: symlinks whose target leaves ``root`` (default ``folder``), and named pipes,
    sockets and devices. Symlinked sub-folders are never descended into, so a link to
    ``/`` cannot make a walk endless. ``hidden=False`` also drops dot-files and files
    under dot-folders silently (editor and VCS litter).
    """
    root = folder if root is None else root
    wanted = None if suffixes is None else {s.lower() for s in suffixes}
    found: list[Path] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            children = sorted(current.iterdir())
        except OSError as exc:
            raise InputError(current, f"cannot list folder: {exc.strerror or exc}") from None
        for child in children:
            if not hidden and child.name.startswith("."):
                continue
            link = child.is_symlink()
            if link and escapes(child, root):
                _skip(child, f"symbolic link leading outside {root}")
                continue
            try:
                mode = child.stat().st_mode
            except OSError:
                _skip(child, "broken symbolic link" if link else "cannot be read")
                continue
            if stat.S_ISDIR(mode):
                if recursive and not link:
                    pending.append(child)
                continue
            if wanted is not None and child.suffix.lower() not in wanted:
                continue
            if not stat.S_ISREG(mode):
                _skip(child, f"{_kind(mode)}, not a regular file")
                continue
            found.append(child)
    return sorted(found)


_OTHER_SCRIPTS = ("cp1251", "koi8", "cp1253", "cp1255", "cp1256", "iso8859_5", "iso8859_7", "cp866")
"""Single-byte codecs of non-Latin scripts: a detection of one of these is trusted."""


def _single_byte_is_latin(encoding: str) -> bool:
    multi = encoding.startswith(("utf", "big5", "gb", "euc", "shift", "cp9", "iso2022", "hz"))
    return not multi and not encoding.startswith(_OTHER_SCRIPTS)


def decode(data: bytes, path: Path, *, what: str = "file") -> str:
    """Text of ``data`` as people's tools export it: UTF-8 (BOM or not), UTF-16, Windows-1252.

    Why not just UTF-8: Excel on Windows saves "CSV" as Windows-1252 and "Unicode text"
    as UTF-16, and a bank's export may be either. UTF-8 is tried first (it is strict, so
    a success is almost surely right), then ``charset-normalizer`` detects the codec.
    Short Western text does not tell Windows-1252 from its neighbours (``£`` or ``Ł``,
    ``€`` or ``Ç``), so any single-byte Latin guess is read as Windows-1252, the codec
    such files are written in; a detected Cyrillic, Greek, Hebrew, Arabic or CJK codec
    is trusted. Text in which more than one character in a hundred is NUL is binary, not text (a
    stray NUL is left for the file's own parser to report).
    """
    from charset_normalizer import from_bytes

    text: str | None = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            text = None
    if text is None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            best = from_bytes(data).best()
            if best is None:
                raise InputError(path, f"{what} is not text in a known encoding") from None
            if _single_byte_is_latin(best.encoding):
                try:
                    text = data.decode("cp1252")
                except UnicodeDecodeError:
                    text = str(best)
            else:
                text = str(best)
    if text.count("\x00") > len(text) // 100:
        raise InputError(path, f"{what} looks like a binary file, not text")
    return text
