"""Files that hold personal data are readable by their owner only.

Why: petitions, orders, result bundles, emails, letters and spools hold names,
dates of birth and records. Every Clearway process restricts the files it
creates to its own user (umask 077: files 0600, folders 0700) as it starts, and
the folders that gather such files are made 0700 themselves, so a file written
by a library that asks for 0644 is still out of other users' reach.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def restrict_new_files() -> None:
    """From now on this process creates files 0600 and folders 0700."""
    os.umask(0o077)


def private_dir(path: Path) -> Path:
    """``path`` (and missing parents) as a folder only its owner can enter."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(path, DIR_MODE)
    return path
