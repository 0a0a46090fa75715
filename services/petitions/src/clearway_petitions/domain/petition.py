"""Court papers for relief under California Health and Safety Code § 11361.8 (Prop 64).

The petition and the proposed order follow the content of Judicial Council form
CR-400 but are drawn by Clearway and say so on every page: they are a filing
prepared from a rule-pack determination, not the official Judicial Council form.

Both documents are rendered with reportlab in invariant mode, so the same inputs
always give the same bytes; the document store is content-addressed and a
replayed determination must land on the same document.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from clearway import jurisdictions
from clearway.determinations import eligible_convictions
from clearway.v1 import case_pb2, determination_pb2, envelope_pb2

__all__ = [
    "PETITION_TITLE",
    "ORDER_TITLE",
    "NotFileable",
    "court_for",
    "petitioner_name",
    "render_order",
    "render_petition",
]

Outcome = determination_pb2.Outcome

RELIEF_REQUESTED: dict[int, str] = {
    Outcome.OUTCOME_DISMISS: "Dismissal",
    Outcome.OUTCOME_REDUCE: "Redesignation (reduction)",
    Outcome.OUTCOME_SEAL: "Sealing",
}

PETITION_TITLE = (
    "Petition/Application for Dismissal, Sealing or Redesignation "
    "(Health and Safety Code \u00a7 11361.8)"
)
ORDER_TITLE = (
    "[Proposed] Order on Petition/Application for Dismissal, Sealing or Redesignation "
    "(Health and Safety Code \u00a7 11361.8)"
)
GENERATED_NOTICE = (
    "Clearway-generated filing, styled after Judicial Council form CR-400. "
    "This is not an official Judicial Council form."
)

_PAGE_SIZE = LETTER
_MARGIN = 0.75 * inch
_FOOTER_FONT = ("Helvetica", 7.5)
# Case number(s), code section, conviction date, relief requested, statute: 7.0 in.
_COLUMN_WIDTHS = [1.25 * inch, 1.0 * inch, 0.95 * inch, 1.3 * inch, 2.5 * inch]
_TABLE_HEADER = ["Case number(s)", "Code section", "Conviction date", "Relief requested", "Statute"]


# What a filing prints for a date that is not a real calendar date.
NOT_A_DATE = "not a valid date in the record"
NOT_RECORDED = "(not recorded)"


class NotFileable(ValueError):
    """A determination that must not become a filing; ``field`` names what is missing or wrong.

    The message names the field and never quotes its value.
    """

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def court_for(jurisdiction: str) -> str:
    """The superior court of a jurisdiction path, e.g. ``ca/san-joaquin``.

    The catalogue (clearway.jurisdictions) is the one source: eligibility names
    the same court on the determination and its court feed. Raises NotFileable
    for a jurisdiction it does not know.
    """
    try:
        return jurisdictions.parse(jurisdiction).court
    except jurisdictions.UnknownJurisdiction:
        raise NotFileable("envelope.jurisdiction",
                          "not a known jurisdiction, so no court to file with") from None


def petitioner_name(person: case_pb2.Person) -> str:
    """The name as the record holds it, so the clerk can match the filing to the record."""
    recorded = person.name.recorded.strip()
    if recorded:
        return recorded
    return " ".join(
        part for part in (person.name.given_names.strip(), person.name.family_name.strip()) if part
    )


def render_petition(
    person: case_pb2.Person,
    determination: determination_pb2.DeterminationMade,
    court: str,
    prepared_on: datetime.date,
) -> bytes:
    """The petition/application asking the court for relief on every eligible conviction.

    Raises NotFileable when there is nothing to file or nobody named to file for.
    """
    convictions = _require_fileable(person, determination)
    styles = _styles()
    story: list[Flowable] = [
        *_heading(court, PETITION_TITLE, styles),
        *_parties(person, styles),
        Paragraph(
            "The petitioner asks the court to grant the relief shown below for each listed "
            "conviction under Health and Safety Code section 11361.8, because the conduct is "
            "now legal or punished less severely under the Control, Regulate and Tax Adult Use "
            "of Marijuana Act (Proposition 64).",
            styles["body"],
        ),
        Spacer(1, 8),
        _convictions_table(convictions, styles),
        Spacer(1, 10),
        Paragraph(_rule_pack_sentence(determination.rule_pack), styles["small"]),
        Spacer(1, 24),
        *_signature_block(
            prepared_on, "Signature of petitioner or attorney for petitioner", styles
        ),
    ]
    return _build_pdf(story, PETITION_TITLE, determination.rule_pack)


def render_order(
    person: case_pb2.Person,
    determination: determination_pb2.DeterminationMade,
    court: str,
    prepared_on: datetime.date,
) -> bytes:
    """The proposed order the judicial officer signs to grant the petition as filed."""
    convictions = _require_fileable(person, determination)
    styles = _styles()
    story: list[Flowable] = [
        *_heading(court, "Order", styles),
        Paragraph(escape(ORDER_TITLE), styles["subtitle"]),
        Spacer(1, 6),
        *_parties(person, styles),
        Paragraph(
            "The court, having considered the petition/application under Health and Safety "
            "Code section 11361.8, finds that the petitioner is eligible and ORDERS the relief "
            "shown below for each listed conviction.",
            styles["body"],
        ),
        Spacer(1, 8),
        _convictions_table(convictions, styles),
        Spacer(1, 10),
        Paragraph(
            f"Proposed order prepared {escape(_us_date(prepared_on))}. "
            + _rule_pack_sentence(determination.rule_pack),
            styles["small"],
        ),
        Spacer(1, 30),
        *_signature_block(None, "Judicial officer", styles),
    ]
    return _build_pdf(story, ORDER_TITLE, determination.rule_pack)


def _require_fileable(
    person: case_pb2.Person,
    determination: determination_pb2.DeterminationMade,
) -> list[determination_pb2.ConvictionDetermination]:
    convictions = eligible_convictions(determination)
    if not convictions:
        raise NotFileable("convictions", "no eligible conviction: there is nothing to file")
    if not petitioner_name(person):
        # A filing "for (name not recorded)" asks a court to relieve nobody in particular.
        raise NotFileable("person.name", "the person has no name: a petition must name the petitioner")
    return convictions


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=10, leading=13)
    return {
        "court": ParagraphStyle(
            "court", parent=body, fontName="Helvetica-Bold", fontSize=12, leading=15, alignment=TA_CENTER
        ),
        "title": ParagraphStyle(
            "title", parent=body, fontName="Helvetica-Bold", fontSize=13, leading=16, alignment=TA_CENTER
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontName="Helvetica-Bold", fontSize=10, leading=13, alignment=TA_CENTER
        ),
        "notice": ParagraphStyle(
            "notice", parent=body, fontName="Helvetica-Oblique", fontSize=8, leading=10,
            alignment=TA_CENTER, textColor=colors.HexColor("#444444"),
        ),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "cell_header": ParagraphStyle("cell_header", parent=body, fontName="Helvetica-Bold", fontSize=8.5, leading=10.5),
    }


def _heading(court: str, title: str, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    return [
        Paragraph(escape(court.upper()), styles["court"]),
        Spacer(1, 8),
        Paragraph(escape(title), styles["title"]),
        Spacer(1, 4),
        Paragraph(escape(GENERATED_NOTICE), styles["notice"]),
        Spacer(1, 12),
    ]


def _parties(person: case_pb2.Person, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    name = escape(petitioner_name(person))
    birth = escape(_source_date_text(person.date_of_birth))
    return [
        Paragraph("<b>People of the State of California</b> v.", styles["body"]),
        Paragraph(f"<b>Petitioner/defendant:</b> {name}", styles["body"]),
        Paragraph(f"<b>Date of birth:</b> {birth}", styles["body"]),
        Spacer(1, 10),
    ]


def _convictions_table(
    convictions: Sequence[determination_pb2.ConvictionDetermination],
    styles: dict[str, ParagraphStyle],
) -> Table:
    """One row per conviction with its reason and deciding rule on a spanning row beneath it."""
    cell, header = styles["cell"], styles["cell_header"]
    rows: list[list[Flowable | str]] = [[Paragraph(text, header) for text in _TABLE_HEADER]]
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("REPEATROWS", (0, 0), (-1, 0)),
    ]
    for conviction in convictions:
        rows.append(
            [
                Paragraph(escape(", ".join(conviction.case_numbers) or "(not recorded)"), cell),
                Paragraph(escape(conviction.code_section), cell),
                Paragraph(escape(_source_date_text(conviction.conviction_date)), cell),
                Paragraph(escape(RELIEF_REQUESTED[conviction.outcome]), cell),
                Paragraph(escape(conviction.statute_citation), cell),
            ]
        )
        reason = f"<b>Reason:</b> {escape(conviction.reason)}"
        if conviction.rule_id:
            reason += f" (rule {escape(conviction.rule_id)})"
        rows.append([Paragraph(reason, styles["small"]), "", "", "", ""])
        reason_row = len(rows) - 1
        commands.append(("SPAN", (0, reason_row), (-1, reason_row)))
    table = Table(rows, colWidths=_COLUMN_WIDTHS, repeatRows=1)
    table.setStyle(TableStyle(commands))
    return table


def _signature_block(
    dated: datetime.date | None, signer: str, styles: dict[str, ParagraphStyle]
) -> list[Flowable]:
    date_text = _us_date(dated) if dated else "____________________"
    line = "_" * 48
    return [
        Table(
            [
                [Paragraph(f"Date: {escape(date_text)}", styles["body"]), Paragraph(line, styles["body"])],
                ["", Paragraph(escape(signer), styles["small"])],
            ],
            colWidths=[2.6 * inch, 4.4 * inch],
            style=TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]),
        )
    ]


def _rule_pack_sentence(rule_pack: determination_pb2.RulePack) -> str:
    text = f"Determined by rule pack {escape(rule_pack.id)} version {escape(rule_pack.version)}"
    if rule_pack.policy_id:
        text += f", county policy {escape(rule_pack.policy_id)}"
    return text + "."


def _footer(rule_pack: determination_pb2.RulePack) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """Every page carries the generated-filing mark and the rule pack, so a loose page still says where it came from."""
    left = f"Clearway-generated filing \u2014 Determined by rule pack {rule_pack.id} version {rule_pack.version}"

    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(*_FOOTER_FONT)
        canvas.drawString(_MARGIN, 0.5 * inch, left)
        canvas.drawRightString(_PAGE_SIZE[0] - _MARGIN, 0.5 * inch, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def _build_pdf(story: list[Flowable], title: str, rule_pack: determination_pb2.RulePack) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=_PAGE_SIZE,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
        title=title,
        author="Clearway",
        creator="Clearway",
        subject=f"Determined by rule pack {rule_pack.id} version {rule_pack.version}",
        # Fixed creation date and document id: same inputs, same bytes.
        invariant=True,
    )
    footer = _footer(rule_pack)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _source_date_text(date: envelope_pb2.SourceDate) -> str:
    """MM/DD/YYYY as California courts write dates, only for a real calendar date.

    A date marked valid is checked too: whatever sent it, month 13 or 00000000
    must not reach a court as "13/04/1990". Nor does the text of an invalid
    date, which may be anything: the filing says the record has no valid date.
    """
    if date.valid:
        try:
            return _us_date(datetime.date(date.year, date.month, date.day))
        except ValueError:
            return NOT_A_DATE
    return NOT_A_DATE if date.raw.strip() else NOT_RECORDED


def _us_date(date: datetime.date) -> str:
    # Not strftime: it does not pad years before 1000 on every platform.
    return f"{date.month:02d}/{date.day:02d}/{date.year:04d}"
