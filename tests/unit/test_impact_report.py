"""The impact report: a self-contained HTML page of charts for one Prop 64 run."""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from clearway.ca_doj.impact import render_impact_report, write_impact_report

GOGEN_JSON = (
    Path(__file__).resolve().parents[1] / "fixtures" / "gogen" / "configurable_flow" / "expected" / "gogen.json"
)

FACTS = {
    "rulePack": {"id": "ca-prop64", "version": "2026.11"},
    "policyName": "eligibility_options.json",
    "computeDate": "2019-11-11",
    "generatedFor": ["input.csv"],
    "subjects": 19,
    "subjectsWithConviction": 17,
    "subjectsWithFelony": 12,
    "outcomes": {"dismiss": 17, "reduce": 1, "not_eligible": 0, "needs_review": 0},
    "rowsRejected": 0,
}

EMPTY_SUMMARY = {
    "county": "ALPINE",
    "earliestConviction": None,
    "lineCount": 0,
    "processingTimeInSeconds": 0,
    "reliefWithCurrentEligibilityChoices": {
        "CountSubjectsNoConviction": 0,
        "CountSubjectsNoConvictionLast7Years": 0,
        "CountSubjectsNoFelony": 0,
    },
    "reliefWithDismissAllProp64": {
        "CountSubjectsNoConviction": 0,
        "CountSubjectsNoConvictionLast7Years": 0,
        "CountSubjectsNoFelony": 0,
    },
    "prop64ConvictionsCountInCountyByCodeSection": {},
    "subjectsWithProp64ConvictionCountInCounty": 0,
    "prop64FelonyConvictionsCountInCounty": 0,
    "prop64NonFelonyConvictionsCountInCounty": 0,
    "subjectsWithSomeReliefCount": 0,
    "convictionDismissalCountByCodeSection": {},
    "convictionReductionCountByCodeSection": {},
    "convictionDismissalCountByAdditionalRelief": {},
}

EMPTY_FACTS = {
    "rulePack": {"id": "ca-prop64", "version": "2026.11"},
    "computeDate": "2019-11-11",
    "subjects": 0,
    "subjectsWithConviction": 0,
    "subjectsWithFelony": 0,
    "outcomes": {"dismiss": 0, "reduce": 0, "not_eligible": 0, "needs_review": 0},
    "rowsRejected": 0,
}


class Page(HTMLParser):
    """Collects what the assertions need: tags, attributes, svg parts, table cells, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.svgs: list[dict] = []
        self.tables: list[list[list[str]]] = []
        self.text: list[str] = []
        self._svg: dict | None = None
        self._in_svg_title = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_style = False
        self.style = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "svg":
            self._svg = {"attrs": attributes, "rects": [], "title": None}
            self.svgs.append(self._svg)
        elif tag == "rect" and self._svg is not None:
            self._svg["rects"].append(attributes)
        elif tag == "title" and self._svg is not None and self._svg["title"] is None:
            self._in_svg_title = True
            self._svg["title"] = ""
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None
        elif tag == "title":
            self._in_svg_title = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_svg_title and self._svg is not None:
            self._svg["title"] += data
        if self._cell is not None:
            self._cell.append(data)
        if self._in_style:
            self.style += data

    def row(self, first_cell: str) -> list[str]:
        for table in self.tables:
            for row in table:
                if row and row[0] == first_cell:
                    return row
        raise AssertionError(f"no table row starting with {first_cell!r}")

    def table(self, caption_first_header: str) -> list[list[str]]:
        for table in self.tables:
            if table and table[0] and table[0][0] == caption_first_header:
                return table
        raise AssertionError(f"no table headed {caption_first_header!r}")

    def svg(self, svg_id: str) -> dict:
        for svg in self.svgs:
            if svg["attrs"].get("id") == svg_id:
                return svg
        raise AssertionError(f"no svg {svg_id!r}")


def parse(markup: str) -> Page:
    page = Page()
    page.feed(markup)
    page.close()
    return page


def bars(svg: dict) -> list[tuple[int, float]]:
    """(value, width) of every bar in a chart."""
    return [
        (int(r["data-value"]), float(r["width"]))
        for r in svg["rects"]
        if "bar" in (r.get("class") or "").split()
    ]


@pytest.fixture(scope="module")
def summary() -> dict:
    return json.loads(GOGEN_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def markup(summary) -> str:
    return render_impact_report(summary, FACTS)


@pytest.fixture(scope="module")
def page(markup) -> Page:
    return parse(markup)


def test_it_parses_as_one_html_document_with_charts(markup, page):
    assert markup.startswith("<!DOCTYPE html>")
    assert [tag for tag, _ in page.tags].count("html") == 1
    assert len(page.svgs) >= 3
    assert {"chart-sections", "chart-outcomes", "chart-people", "chart-reasons"} <= {
        svg["attrs"].get("id") for svg in page.svgs
    }


def test_it_is_self_contained(markup, page):
    tags = [tag for tag, _ in page.tags]
    assert "script" not in tags
    assert "link" not in tags and "img" not in tags and "iframe" not in tags
    for _, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), name
            if name in ("src", "href", "xlink:href", "style"):
                assert not re.search(r"https?://", value or ""), (name, value)
    assert not re.search(r"url\(", page.style)
    assert "@import" not in page.style and "@font-face" not in page.style
    # Stronger than the brief: no absolute URL anywhere (not even an SVG namespace).
    assert "http://" not in markup and "https://" not in markup


def test_it_names_the_run(markup, page):
    assert "<title>Prop 64 impact report: SACRAMENTO County, 2019-11-11</title>" in markup
    text = " ".join(page.text)
    assert "SACRAMENTO County" in text
    assert "2019-11-11" in text
    assert "ca-prop64 2026.11" in text
    assert "eligibility_options.json" in text
    assert "1979-06-01" in text


def test_headline_figures(page):
    figures = {}
    text = page.text
    for what in ("People with some relief", "Prop 64 convictions in the county", "Dismissals", "Reductions"):
        i = text.index(what)
        figures[what] = text[i - 1]
    assert figures == {
        "People with some relief": "12",
        "Prop 64 convictions in the county": "18",
        "Dismissals": "17",
        "Reductions": "1",
    }


def test_convictions_by_section_and_level_in_text(page):
    assert page.row("HS 11357")[:2] == ["HS 11357", "3"]
    assert page.row("HS 11358")[:2] == ["HS 11358", "7"]
    assert page.row("HS 11359")[:2] == ["HS 11359", "8"]
    assert page.row("Felony")[:2] == ["Felony", "15"]
    assert page.row("Not a felony")[:2] == ["Not a felony", "3"]
    sections = page.table("Code section")
    assert sections[-1][:2] == ["Total", "18"]


def test_outcomes_in_text(page):
    assert page.row("Dismissed")[:2] == ["Dismissed", "17"]
    assert page.row("Reduced")[:2] == ["Reduced", "1"]
    assert page.row("No relief")[:2] == ["No relief", "0"]
    assert page.row("Needs review")[:2] == ["Needs review", "0"]


def test_people_before_and_after_both_flows(page):
    header = page.table("People")[0]
    assert header == [
        "People",
        "Before",
        "After, current choices",
        "After, dismiss all Prop 64",
        "Left on the table",
    ]
    # 17 − 4 and 12 − 5; the example's two flows agree, so nothing is left on the table.
    assert page.row("People with any conviction") == ["People with any conviction", "17", "13", "13", "0"]
    assert page.row("People with a felony conviction") == ["People with a felony conviction", "12", "7", "7", "0"]
    assert "nothing is left on the table" in " ".join(page.text)
    people = bars(page.svg("chart-people"))
    assert [value for value, _ in people] == [17, 13, 13, 12, 7, 7]


def test_choices_that_leave_people_on_the_table_say_so(summary):
    generous = copy.deepcopy(summary)
    generous["reliefWithDismissAllProp64"] = {
        "CountSubjectsNoConviction": 6,
        "CountSubjectsNoConvictionLast7Years": 0,
        "CountSubjectsNoFelony": 8,
    }
    page = parse(render_impact_report(generous, FACTS))
    assert page.row("People with any conviction") == ["People with any conviction", "17", "13", "11", "2"]
    assert page.row("People with a felony conviction") == ["People with a felony conviction", "12", "7", "4", "3"]
    text = " ".join(page.text)
    assert "2 fewer people with a conviction and 3 fewer with a felony" in text


def test_dismissals_by_reason_in_text(page):
    assert page.row("Dismiss all HS 11358 convictions") == ["Dismiss all HS 11358 convictions", "6"]
    assert page.row("Dismiss all HS 11357 convictions") == ["Dismiss all HS 11357 convictions", "2"]
    assert page.row("57 years or older") == ["57 years or older", "2"]
    assert page.row("Individual is deceased") == ["Individual is deceased", "1"]
    # 17 dismissals in all, 14 itemised in gogen.json: the rest is shown and explained.
    assert page.row("Misdemeanor or Infraction *") == ["Misdemeanor or Infraction *", "3"]
    assert page.table("Reason")[-1] == ["Total", "17"]
    assert page.row("Reduce all HS 11359 convictions") == ["Reduce all HS 11359 convictions", "1"]
    assert page.row("Reduce all HS 11360 convictions") == ["Reduce all HS 11360 convictions", "0"]


def test_every_chart_is_labelled(page):
    for svg in page.svgs:
        attrs = svg["attrs"]
        assert attrs.get("role") == "img"
        assert attrs.get("aria-label")
        assert svg["title"] and svg["title"] == attrs["aria-label"]
        assert attrs.get("viewbox")  # html.parser lower-cases attribute names


def test_bar_lengths_follow_the_values(page):
    sections = bars(page.svg("chart-sections"))
    by_value = dict(sections)
    # The longest bar belongs to the largest value (15 felony convictions).
    longest = max(sections, key=lambda bar: bar[1])
    assert longest[0] == max(value for value, _ in sections) == 15
    # One scale per chart: widths are proportional to the values.
    assert by_value[8] / by_value[3] == pytest.approx(8 / 3, rel=0.01)
    assert by_value[15] > by_value[8] > by_value[7] > by_value[3]

    outcomes = bars(page.svg("chart-outcomes"))
    assert max(outcomes, key=lambda bar: bar[1])[0] == 17
    assert [width for value, width in outcomes if value == 0] == [0.0, 0.0]

    reasons = bars(page.svg("chart-reasons"))
    assert max(reasons, key=lambda bar: bar[1])[0] == 6

    for svg in page.svgs:
        view_width = float(svg["attrs"]["viewbox"].split()[2])
        for rect in svg["rects"]:
            assert float(rect["x"]) + float(rect["width"]) <= view_width


def test_an_empty_run_renders():
    markup = render_impact_report(EMPTY_SUMMARY, EMPTY_FACTS)
    page = parse(markup)
    assert len(page.svgs) >= 3
    assert "ALPINE County" in " ".join(page.text)
    for svg in page.svgs:
        assert all(width == 0.0 for _, width in bars(svg))
    assert page.row("People with any conviction") == ["People with any conviction", "0", "0", "0", "0"]
    assert page.row("Dismissed") == ["Dismissed", "0", "\u2013"]
    assert not re.search(r"\bnan\b|\binf\b", markup, re.IGNORECASE)


def test_missing_keys_and_odd_values_are_tolerated():
    for summary, facts in [
        ({}, {}),
        ({"county": None, "earliestConviction": "0001-01-01T00:00:00Z"}, {"rulePack": None, "outcomes": None}),
        (
            {"prop64ConvictionsCountInCountyByCodeSection": {"11357": "2", "11358": None}, "lineCount": 3.0},
            {"subjects": "x", "generatedFor": "one.csv"},
        ),
    ]:
        page = parse(render_impact_report(summary, facts))
        assert len(page.svgs) >= 3
    page = parse(render_impact_report({"county": "X", "earliestConviction": None}, {}))
    assert "Outcome counts were not supplied for this run." in " ".join(page.text)


def test_strings_are_escaped():
    hostile = copy.deepcopy(EMPTY_SUMMARY)
    hostile["county"] = '<script>alert("x")</script>'
    hostile["convictionDismissalCountByAdditionalRelief"] = {"<img src=x onerror=alert(1)>": 1}
    facts = dict(EMPTY_FACTS, rulePack={"id": "<b>pack</b>", "version": '"><svg onload=alert(1)>'})
    markup = render_impact_report(hostile, facts)
    page = parse(markup)
    tags = [tag for tag, _ in page.tags]
    assert "script" not in tags and "img" not in tags and "b" not in tags
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)
    assert "&lt;script&gt;" in markup
    assert '<script>alert("x")</script> County' in " ".join(page.text)
    assert page.row("<img src=x onerror=alert(1)>") == ["<img src=x onerror=alert(1)>", "1"]


def test_print_friendly_and_plain_fonts(page):
    assert "@media print" in page.style
    assert "system-ui" in page.style
    assert "gradient" not in page.style


def test_write_impact_report(tmp_path, summary):
    target = tmp_path / "impact.html"
    written = write_impact_report(target, summary, FACTS)
    assert written == target
    assert target.read_bytes().decode("utf-8") == render_impact_report(summary, FACTS)
    assert write_impact_report(str(tmp_path / "again.html"), summary, FACTS) == tmp_path / "again.html"
