"""The largest record the pipeline promises to carry, through every service: one person with
10,000 DOJ rows (topics.MAX_MESSAGE_BYTES is set for broker, topics, producers and consumers)."""

from __future__ import annotations

import csv
import io

import pytest

from clearway import topics
from clearway.ca_doj import columns as col
from clearway.devstack import BatchWatcher
from clearway.v1 import determination_pb2

pytestmark = pytest.mark.broker

# Blank unless set, as in gogen's generated rows (dates, dispositions, sentences, OFN): every
# other column not set holds the filler.
BLANK = {col.COLUMNS.index(name) for name in (
    "DISP_DATE", "DISP_DESCR", "CONV_STAT_DESCR", "OFN", "SENT_ORDER", "SENT_LOC_CODE",
    "SENT_LOC_DESCR", "SENT_LENGTH", "SENT_TIME_CODE", "SENT_TIME_DESCR", "FE_NUM_CRT_CASE")}
SEPARATORS = {i for i, name in enumerate(col.COLUMNS) if name.endswith("_SEP")} | {col.END_OF_REC}
# gogen's generator writes this into every other column, quoted.
FILLER = '"  -  "'


def csv_field(value: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([value])
    return out.getvalue()


def row(cycle: int, count: int, court: bool, offense: str, county: str = "SACRAMENTO",
        convicted: bool = True) -> str:
    """One DOJ row of the one person, shaped like gogen's generated rows (~700 bytes)."""
    values = {col.SUBJECT_ID: "10000001", col.CII_NUMBER: "2417776317",
              col.PRI_NAME: "QUILLFEATHER,ZEPHYRA N", col.GENDER: "F", col.PRI_DOB: "19801028",
              col.PRI_CDL: "A7439150", col.RACE_CODE: "W", col.RACE_DESCR: "WHITE",
              col.CYC_DATE: "20050622", col.CYC_AGE: "24",
              col.STP_EVENT_DATE: "20050722" if court else "20050622",
              col.STP_TYPE_DESCR: "COURT ACTION" if court else "ARREST/DETAINED/CITED",
              col.STP_ORI_DESCR: ("CASC" if court else "CASO") + county,
              col.STP_ORI_CNTY_CODE: "34" if county == "SACRAMENTO" else "19",
              col.STP_ORI_CNTY_NAME: county,
              col.CNT_ORDER: f"{cycle:03d}{2 if court else 1:03d}{count:03d}000",
              col.OFFENSE_DESCR: offense, col.OFFENSE_TOC: "M", col.COMMENT_TEXT: "THIS IS A COMMENT"}
    if court:
        values.update({col.DISP_DATE: "20050722", col.OFN: f"{cycle:04d}{count:04d}",
                       col.DISP_DESCR: "CONVICTED" if convicted else "DISMISSED"})
        if convicted:
            values[col.CONV_STAT_DESCR] = "MISDEMEANOR"
    fields = []
    for i in range(col.NUM_COLUMNS):
        if i in SEPARATORS:
            fields.append("#")
        elif i in values:
            fields.append(csv_field(values[i]))
        else:
            fields.append("" if i in BLANK else FILLER)
    return ",".join(fields) + "\n"


def a_person_with_rows(path, rows: int) -> int:
    """Write a DOJ file of one person with ``rows`` rows; one Prop 64 conviction in the county."""
    header = ",".join(csv_field(name) for name in col.COLUMNS) + "\n"
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(header)
        out.write(row(101, 1, False, "11357(A) HS-POSSESS MARIJUANA"))
        out.write(row(101, 1, True, "11357(A) HS-POSSESS MARIJUANA"))
        written = 2
        cycle, count = 102, 1
        while written < rows:
            convicted = count % 3 == 0
            county = "SACRAMENTO" if count % 4 else "LOS ANGELES"
            out.write(row(cycle, count, False, "459 PC-BURGLARY", county))
            out.write(row(cycle, count, True, "459 PC-BURGLARY", county, convicted))
            written += 2
            count += 1
            if count > 20:
                cycle, count = cycle + 1, 1
    return written


@pytest.mark.timeout(600)
def test_a_person_with_10000_doj_rows_gets_a_determination_and_a_petition(stack, tmp_path):
    doj = tmp_path / "one_person.csv"
    rows = a_person_with_rows(doj, 10_000)
    size = doj.stat().st_size
    assert rows == 10_000 and 650 < size / rows < 900  # gogen-shaped rows

    submitted = stack.submit(doj)
    assert (submitted.rows, submitted.cases, submitted.rejected_rows) == (10_000, 1, 0)
    watcher = BatchWatcher(stack.broker.bootstrap, submitted.batch_id)
    try:
        out = watcher.wait(1, timeout_s=420)
    finally:
        watcher.close()
    ((made,),) = out.determinations.values()
    ((petition,),) = out.petitions.values()
    print(f"\n{rows:,} rows, {size / 1e6:.1f} MB of CSV: determination {made.ByteSize() / 1e6:.1f} MB, "
          f"petition event {petition.ByteSize() / 1e6:.1f} MB (records up to "
          f"{topics.MAX_MESSAGE_BYTES / 2**20:.0f} MiB)")
    assert made.ByteSize() > 4 * 1024 * 1024  # larger than any default fetch or request size
    eligible = [c for c in made.convictions
                if c.outcome in (determination_pb2.OUTCOME_DISMISS, determination_pb2.OUTCOME_REDUCE)]
    assert [c.code_section.strip()[:5] for c in eligible] == ["11357"]
    assert {d.kind for d in petition.documents} == {1, 2}  # petition and order
