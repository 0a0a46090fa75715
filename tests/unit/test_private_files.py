"""Files holding personal data are 0600 in 0700 folders, whatever the umask."""

from __future__ import annotations

import os
import stat

import pytest

from clearway.private_files import open_private_append, private_dir, write_private


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o000, 0o022, 0o002])
def umask(request):
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def test_written_files_and_the_folders_made_for_them_are_private(tmp_path, umask):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    path = write_private(shared / "a" / "b" / "letter.txt", b"Hello")
    assert path.read_bytes() == b"Hello"
    assert _mode(path) == 0o600
    assert _mode(shared / "a") == 0o700 and _mode(shared / "a" / "b") == 0o700
    assert _mode(shared) == 0o755, "a folder above that was there is left as it was"


def test_rewriting_replaces_the_whole_file_and_leaves_no_temporary(tmp_path, umask):
    path = tmp_path / "letter.txt"
    path.write_text("old and longer")
    path.chmod(0o644)
    write_private(path, b"new")
    assert path.read_bytes() == b"new" and _mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["letter.txt"]


def test_appending_makes_an_existing_file_private(tmp_path, umask):
    path = tmp_path / "log"
    path.write_text("x\n")
    path.chmod(0o644)
    fd = open_private_append(path)
    os.write(fd, b"y\n")
    os.close(fd)
    assert path.read_text() == "x\ny\n" and _mode(path) == 0o600


def test_an_own_folder_from_before_is_made_private(tmp_path, umask):
    folder = tmp_path / "outbox"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    assert _mode(private_dir(folder)) == 0o700
