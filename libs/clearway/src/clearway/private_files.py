"""Files that hold personal data, readable by the service's own user only.

Why: petitions, orders, result bundles, emails, letters, text messages, spools and
the notifications sent-log name people and what the law did for them. Under the
usual umask (022) a new file is 0644 and any user of the machine could read it.
Every Clearway process restricts what it creates as it starts
(``restrict_new_files``: umask 077), and these helpers make folders 0700 and files
0600 whatever the umask, and write whole files atomically (a reader never sees half).
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def restrict_new_files() -> None:
    """From now on this process creates files 0600 and folders 0700, whoever writes them."""
    os.umask(0o077)


def private_dir(path: Path) -> Path:
    """``path`` as a folder only its owner can enter; missing parents are made 0700 too.

    Folders above it that already exist are left as they are (they may be shared), and
    so is ``path`` itself when it exists and belongs to another user (a mounted volume).
    """
    path = Path(path)
    missing = []
    at = path
    while not at.exists():
        missing.append(at)
        at = at.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            pass
        os.chmod(folder, DIR_MODE)  # mkdir's mode is cut by the umask
    if not missing and path.stat().st_uid == os.geteuid():
        os.chmod(path, DIR_MODE)  # ours from before, perhaps 0755
    return path


def write_private(path: Path, data: bytes, *, durable: bool = True) -> Path:
    """Write ``data`` to ``path`` (0600) atomically: a temporary file, then a rename.

    ``durable``: flushed to disk before the rename, for files that report a delivery.
    """
    path = Path(path)
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return path


def open_private_append(path: Path) -> int:
    """A file descriptor appending to ``path`` (created 0600; an existing file is made 0600)."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return fd
