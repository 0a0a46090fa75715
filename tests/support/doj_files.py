"""Test data shared across services: DOJ files that cannot be DOJ files at all.

Why here: `clearway evaluate` (eligibility) and `clearway submit` (intake) must
refuse the same files with the same reason, so their tests build them once.
"""

from __future__ import annotations

import csv
from pathlib import Path

from clearway.ca_doj import bundle
from clearway.ca_doj.columns import COLUMNS


def unusable_doj_files(folder: Path, good: bytes) -> dict[str, tuple[Path, str]]:
    """Variants of ``good`` (a DOJ file with its header) that are not DOJ files, each with
    the reason both commands give: {name: (path, reason)}."""
    header, _, _ = good.partition(b"\n")
    disp_date = COLUMNS.index("DISP_DATE")

    def without_disp_date(line: bytes) -> bytes:
        fields = next(csv.reader([line.decode()]))
        del fields[disp_date]
        return bundle.LineEncoder().line(fields).encode()

    contents = {
        "semicolons": (good.replace(b",", b";"), "it is delimited by semicolons, not commas"),
        "tabs": (good.replace(b",", b"\t"), "it is delimited by tabs, not commas"),
        "no-DISP_DATE": (b"".join(without_disp_date(line) for line in good.splitlines()),
                         "its header lacks the column DISP_DATE"),
        "empty": (b"", "it is empty"),
        "header-only": (header + b"\n", "it has a header but no data rows"),
        "random-bytes": (bytes(range(256)) * 64, "it holds binary data"),
    }
    files = {}
    for name, (content, reason) in contents.items():
        path = folder / f"{name}.csv"
        path.write_bytes(content)
        files[name] = path, reason
    return files
