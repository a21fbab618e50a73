"""Uploaded files on disk, for as long as their import needs them — never longer.

An upload holds customer data. The page copies each uploaded file into a folder of its session (in
chunks: the bytes are not kept in the session), and that folder is deleted when the import ends, when
the session ends (the folder object goes with the session's state), and at start-up for any folder a
server that stopped left behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import BinaryIO

from ka.importing.read import SourceFile

ROOT = Path(tempfile.gettempdir()) / "ka-radar-uploads"
CHUNK_BYTES = 8 * 1024 * 1024


class UploadFolder:
    """A folder of one session's uploads, removed with the object (or explicitly)."""

    def __init__(self, root: Path = ROOT):
        root.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root))
        self._remove = weakref.finalize(self, shutil.rmtree, self.path, True)

    def save(self, files: list[tuple[str, BinaryIO]]) -> list[SourceFile]:
        """The files (name, readable stream) copied in, replacing what the folder held, in name order.
        The user's name is only a label: on disk a file is its number and its lower-case suffix."""
        self.clear()
        sources = []
        for index, (name, stream) in enumerate(sorted(files, key=lambda item: item[0])):
            path = self.path / f"{index}{Path(name).suffix.lower()}"
            stream.seek(0)
            with path.open("wb") as out:
                shutil.copyfileobj(stream, out, CHUNK_BYTES)
            sources.append(SourceFile(path, name))
        return sources

    def clear(self) -> None:
        """Delete the files (and the batch's scratch files), keep the folder for the next upload."""
        if not self.path.exists():
            self.path.mkdir(parents=True)
        for child in self.path.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)

    def remove(self) -> None:
        self._remove()

    @property
    def removed(self) -> bool:
        return not self._remove.alive


def remove_leftovers(root: Path = ROOT) -> list[Path]:
    """Delete the upload folders of servers that no longer run (a folder is named after its process)."""
    removed = []
    if not root.exists():
        return removed
    for child in root.iterdir():
        owner = child.name.split("-", 1)[0]
        if child.is_dir() and not (owner.isdigit() and _running(int(owner))):
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it runs
        return True
    return True
