"""The impact report: one self-contained HTML page per Prop 64 run.

Why this exists: B.E.A.R. showed district attorneys what their eligibility
choices did with charts, not with a JSON file. This page does the same from
gogen's summary (``gogen.json``, shared/domain/ca-doj-prop64.md §4.3–§4.4) plus
a few figures Clearway knows and gogen does not (``facts``).

The page is a single file: inline CSS, inline SVG, no scripts, no external URLs
and no fonts to fetch, so it can be mailed, archived or printed as it is. Only
aggregates appear; no names, ids or case numbers are ever passed in or shown.
Every chart's numbers are also in a table, and every string is HTML-escaped.

``facts`` keys (every one optional; a missing number counts as 0)::

    rulePack               {"id": str, "version": str}
    policyName             str
    computeDate            "YYYY-MM-DD"
    generatedFor           [input file names]
    subjects               people in the file
    subjectsWithConviction people with at least one conviction (any county, any offence)
    subjectsWithFelony     people with at least one felony conviction
    outcomes               {"dismiss", "reduce", "not_eligible", "needs_review"}:
                           in-county Prop 64 convictions by determination
    rowsRejected           data rows that could not be read
"""

from __future__ import annotations

import html
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

__all__ = ["render_impact_report", "write_impact_report"]


# --------------------------------------------------------------------------- #
# Reading the inputs defensively
# --------------------------------------------------------------------------- #


def _e(value: Any) -> str:
    """Escape anything for HTML text or a double-quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def _int(value: Any) -> int:
    """A count from JSON: None, junk, NaN and the like become 0."""
    if value is None or isinstance(value, bool):
        return int(bool(value))
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    if math.isnan(number) or math.isinf(number):
        return 0
    return int(round(number))


def _counts(value: Any) -> dict[str, int]:
    """A {key: count} map from JSON; anything else is an empty map."""
    if not isinstance(value, Mapping):
        return {}
    return {str(key): _int(count) for key, count in value.items()}


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _fmt(number: int) -> str:
    return f"{number:,}".replace("-", "\u2212")


def _pct(part: int, whole: int) -> str:
    if whole <= 0:
        return "\u2013"
    return f"{round(100 * part / whole)}%"


def _share(part: int, whole: int) -> str:
    """A bar's "(n%)" suffix; nothing when there is no whole to share."""
    return f"({_pct(part, whole)})" if whole > 0 else ""


def _section_key(section: str) -> tuple[int, str]:
    digits = "".join(ch for ch in section if ch.isdigit())
    return (int(digits) if digits else 1 << 62, section)


def _section_label(section: str) -> str:
    return f"HS {section}" if section.isdigit() else section


def _date_part(value: Any) -> str | None:
    """The YYYY-MM-DD of an RFC 3339 time, or None if there is none."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    day = value[:10]
    if not (day[:4].isdigit() and day[4] == "-" and day[7] == "-"):
        return None
    return day


# --------------------------------------------------------------------------- #
# Horizontal bar charts as inline SVG
# --------------------------------------------------------------------------- #

_WIDTH = 720
_ROW_H = 26
_BAR_H = 16
_GROUP_H = 28
_PAD = 6
_VALUE_W = 96
_CHAR_W = 7.0  # rough width of one 13px character of the system sans stack
_MAX_LABEL_CHARS = 44


@dataclass(frozen=True, slots=True)
class _Bar:
    label: str
    value: int
    tone: str = "accent"  # accent | tint | neutral
    suffix: str = ""  # shown after the number, e.g. "(94%)"
    group: str | None = None


def _clip(label: str) -> str:
    if len(label) <= _MAX_LABEL_CHARS:
        return label
    return label[: _MAX_LABEL_CHARS - 1].rstrip() + "\u2026"


def _bar_chart(chart_id: str, title: str, bars: list[_Bar]) -> str:
    """Horizontal bars on one shared scale; a group header starts each new group."""
    if not bars:
        return '<p class="empty">Nothing to chart for this run.</p>'

    longest = max(len(_clip(bar.label)) for bar in bars)
    label_w = int(min(_MAX_LABEL_CHARS * _CHAR_W, max(72, longest * _CHAR_W))) + 16
    plot_w = _WIDTH - label_w - _VALUE_W
    top = max(0, max(bar.value for bar in bars))

    parts: list[str] = []
    y = _PAD
    group: str | None = None
    for bar in bars:
        if bar.group is not None and bar.group != group:
            group = bar.group
            parts.append(
                f'<text class="group" x="0" y="{y + 18}">{_e(_clip(bar.group))}</text>'
            )
            y += _GROUP_H
        value = max(0, bar.value)
        width = plot_w * value / top if top > 0 else 0.0
        if value > 0:
            width = max(width, 2.0)  # a tiny non-zero count stays visible
        bar_y = y + (_ROW_H - _BAR_H) / 2
        text_y = y + _ROW_H / 2 + 4.5
        number = _fmt(bar.value) + (f" {bar.suffix}" if bar.suffix else "")
        tip = f"{bar.group}: " if bar.group else ""
        parts.append(
            f"<g><title>{_e(tip + bar.label)}: {_e(number)}</title>"
            f'<text class="label" x="{label_w - 10}" y="{text_y:.1f}">{_e(_clip(bar.label))}</text>'
            f'<rect class="bar {_e(bar.tone)}" x="{label_w}" y="{bar_y:.1f}" width="{width:.1f}" '
            f'height="{_BAR_H}" data-value="{bar.value}"></rect>'
            f'<text class="value" x="{label_w + width + 6:.1f}" y="{text_y:.1f}">{_e(number)}</text></g>'
            # The axis runs beside bars only, so group headings never cross it.
            f'<line class="axis" x1="{label_w}" y1="{y}" x2="{label_w}" y2="{y + _ROW_H}"></line>'
        )
        y += _ROW_H
    height = y + _PAD
    description = "; ".join(
        (f"{bar.group}, " if bar.group else "") + f"{bar.label}: {bar.value}" for bar in bars
    )
    return (
        f'<svg class="chart" id="{_e(chart_id)}" viewBox="0 0 {_WIDTH} {height}" '
        f'width="{_WIDTH}" height="{height}" role="img" aria-label="{_e(title)}" '
        f'aria-describedby="{_e(chart_id)}-desc">'
        f"<title>{_e(title)}</title>"
        f'<desc id="{_e(chart_id)}-desc">{_e(description)}</desc>'
        + "".join(parts)
        + "</svg>"
    )


_NUM = ' class="num"'


def _table(caption: str, head: list[str], rows: Iterable[list[str]], foot: list[str] | None = None) -> str:
    """A numbers table; every column after the first is right-aligned."""

    def row(cells: list[str], tag: str) -> str:
        return "<tr>" + "".join(
            f"<{tag}{_NUM if i else ''}>{_e(cell)}</{tag}>" for i, cell in enumerate(cells)
        ) + "</tr>"

    head_html = "<tr>" + "".join(
        f'<th scope="col"{_NUM if i else ""}>{_e(cell)}</th>' for i, cell in enumerate(head)
    ) + "</tr>"
    body = "".join(
        "<tr>"
        + f'<th scope="row">{_e(cells[0])}</th>'
        + "".join(f'<td class="num">{_e(cell)}</td>' for cell in cells[1:])
        + "</tr>"
        for cells in rows
    )
    foot_html = f"<tfoot>{row(foot, 'td')}</tfoot>" if foot else ""
    return (
        f'<table><caption>{_e(caption)}</caption><thead>{head_html}</thead>'
        f"<tbody>{body}</tbody>{foot_html}</table>"
    )


# --------------------------------------------------------------------------- #
# The page
# --------------------------------------------------------------------------- #

_CSS = """
:root{--accent:#1f5c99;--tint:#a8c1dc;--neutral:#a3abb5;--ink:#1b1f24;--muted:#5a6470;--rule:#d9dee4;--paper:#fff}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--paper);color:var(--ink);
 font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif;
 font-size:16px;line-height:1.5}
main{max-width:880px;margin:0 auto;padding:32px 24px 48px}
header{border-bottom:3px solid var(--accent);padding-bottom:16px;margin-bottom:24px}
.kicker{margin:0;color:var(--accent);font-weight:600;font-size:.85rem;letter-spacing:.06em;text-transform:uppercase}
h1{margin:.15rem 0 .5rem;font-size:2rem;line-height:1.2}
h2{margin:0 0 .25rem;font-size:1.3rem}
.meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:4px 24px;margin:0;font-size:.875rem}
.meta div{display:flex;flex-direction:column}
.meta dt{color:var(--muted)}
.meta dd{margin:0;font-weight:600;overflow-wrap:anywhere}
.headline{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin:0 0 32px;padding:0;list-style:none}
.headline li{border:1px solid var(--rule);border-top:4px solid var(--accent);border-radius:4px;padding:12px 14px}
.headline .figure{display:block;font-size:2.2rem;font-weight:700;line-height:1.1;font-variant-numeric:tabular-nums}
.headline .what{display:block;font-weight:600}
.headline .sub{display:block;color:var(--muted);font-size:.85rem}
section{margin:0 0 36px;break-inside:avoid;page-break-inside:avoid}
.lede{margin:0 0 12px;color:var(--muted)}
figure{margin:0 0 12px}
svg.chart{display:block;width:100%;max-width:720px;height:auto}
svg text{font-family:inherit;font-size:13px;fill:var(--ink)}
svg text.label{text-anchor:end}
svg text.group{font-weight:700;font-size:13px}
svg text.value{font-variant-numeric:tabular-nums}
svg .axis{stroke:var(--ink);stroke-width:1}
svg .bar.accent{fill:var(--accent)}
svg .bar.tint{fill:var(--tint)}
svg .bar.neutral{fill:var(--neutral)}
.key{display:flex;flex-wrap:wrap;gap:4px 18px;margin:0 0 8px;padding:0;list-style:none;font-size:.85rem;color:var(--muted)}
.key span{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px;border-radius:2px}
.key .accent{background:var(--accent)}.key .tint{background:var(--tint)}.key .neutral{background:var(--neutral)}
.tables{display:flex;flex-wrap:wrap;gap:12px 32px;align-items:flex-start}
table{border-collapse:collapse;font-size:.875rem;margin:0;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding-bottom:4px;color:var(--muted)}
th,td{padding:3px 10px 3px 0;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
th{font-weight:600}
thead th{border-bottom:2px solid var(--ink)}
tbody th{font-weight:400}
tfoot td{font-weight:700;border-bottom:0}
.num{text-align:right;padding-left:14px}
.callout{border-left:4px solid var(--accent);padding:8px 12px;margin:12px 0 0;background:#f3f6fa}
.note,.empty{color:var(--muted);font-size:.85rem}
footer{border-top:1px solid var(--rule);padding-top:12px;color:var(--muted);font-size:.8rem}
@media (max-width:720px){.headline{grid-template-columns:repeat(2,1fr)}h1{font-size:1.6rem}}
@media print{
 @page{margin:14mm}
 body{font-size:10.5pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
 main{max-width:none;padding:0}
 .headline{grid-template-columns:repeat(4,1fr)}
 .headline li,section,figure,table{break-inside:avoid;page-break-inside:avoid}
 h2{break-after:avoid;page-break-after:avoid}
 .callout{background:none}
}
"""


def _files(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value if item is not None and str(item)]
    return []


def render_impact_report(summary: Mapping[str, Any], facts: Mapping[str, Any]) -> str:
    """A self-contained HTML page (inline CSS and inline SVG, no scripts, no external URLs, no fonts to fetch)."""
    summary = _mapping(summary)
    facts = _mapping(facts)

    county_raw = str(summary.get("county") or "").strip()
    county = f"{county_raw} County" if county_raw else "County not given"
    compute_date = str(facts.get("computeDate") or "").strip() or "not given"
    pack = _mapping(facts.get("rulePack"))
    pack_id = str(pack.get("id") or "").strip() or "unknown"
    pack_version = str(pack.get("version") or "").strip()
    pack_text = f"{pack_id} {pack_version}".strip()
    policy = str(facts.get("policyName") or "").strip()
    files = _files(facts.get("generatedFor"))

    # --- gogen's figures ---
    by_section = _counts(summary.get("prop64ConvictionsCountInCountyByCodeSection"))
    felony = _int(summary.get("prop64FelonyConvictionsCountInCounty"))
    non_felony = _int(summary.get("prop64NonFelonyConvictionsCountInCounty"))
    convictions = sum(by_section.values()) if by_section else felony + non_felony
    people_p64 = _int(summary.get("subjectsWithProp64ConvictionCountInCounty"))
    people_relief = _int(summary.get("subjectsWithSomeReliefCount"))
    dismissed_by_section = _counts(summary.get("convictionDismissalCountByCodeSection"))
    reduced_by_section = _counts(summary.get("convictionReductionCountByCodeSection"))
    additional = _counts(summary.get("convictionDismissalCountByAdditionalRelief"))
    current = _counts(summary.get("reliefWithCurrentEligibilityChoices"))
    dismiss_all = _counts(summary.get("reliefWithDismissAllProp64"))
    line_count = _int(summary.get("lineCount"))

    # --- Clearway's figures ---
    outcomes_raw = facts.get("outcomes")
    have_outcomes = isinstance(outcomes_raw, Mapping)
    outcomes = _counts(outcomes_raw)
    itemised_dismissals = sum(dismissed_by_section.values()) + sum(additional.values())
    dismissals = outcomes.get("dismiss", 0) if have_outcomes and "dismiss" in outcomes else itemised_dismissals
    reductions = (
        outcomes.get("reduce", 0)
        if have_outcomes and "reduce" in outcomes
        else sum(reduced_by_section.values())
    )
    subjects = _int(facts.get("subjects"))
    with_conviction = _int(facts.get("subjectsWithConviction"))
    with_felony = _int(facts.get("subjectsWithFelony"))
    rejected = _int(facts.get("rowsRejected"))

    earliest = _date_part(summary.get("earliestConviction"))
    if convictions <= 0 or earliest is None:
        # With no in-county conviction gogen writes the wall-clock time: meaningless here.
        earliest_text = "\u2013"
    elif earliest.startswith("0001-01-01"):
        earliest_text = "unknown (a conviction has no valid date)"
    else:
        earliest_text = earliest

    # ------------------------------------------------------------------ head
    meta_items = [
        ("Computed as of", compute_date),
        ("Rule pack", pack_text),
        ("Eligibility choices", policy or "not given"),
        ("Input", ", ".join(files) if files else "not given"),
        ("DOJ rows read", _fmt(line_count) + (f" ({_fmt(rejected)} rejected)" if rejected else "")),
        ("People in the file", _fmt(subjects)),
        ("Earliest in-county Prop 64 conviction", earliest_text),
    ]
    meta = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in meta_items)

    headline_items = [
        (people_relief, "People with some relief", f"of {_fmt(people_p64)} with a Prop 64 conviction in the county"),
        (convictions, "Prop 64 convictions in the county", f"{_fmt(felony)} felony, {_fmt(non_felony)} non-felony"),
        (dismissals, "Dismissals", f"{_pct(dismissals, convictions)} of those convictions" if convictions else "none in this run"),
        (reductions, "Reductions", f"{_pct(reductions, convictions)} of those convictions" if convictions else "none in this run"),
    ]
    headline = "".join(
        f'<li><span class="figure">{_e(_fmt(n))}</span><span class="what">{_e(what)}</span>'
        f'<span class="sub">{_e(sub)}</span></li>'
        for n, what, sub in headline_items
    )

    # ----------------------------------------- 1. convictions by code section
    sections = sorted(by_section, key=_section_key)
    chart1_bars = [
        _Bar(_section_label(s), by_section[s], "accent", _share(by_section[s], convictions), "By code section")
        for s in sections
    ]
    chart1_bars += [
        _Bar("Felony", felony, "accent", _share(felony, felony + non_felony), "By level"),
        _Bar("Not a felony", non_felony, "neutral", _share(non_felony, felony + non_felony), "By level"),
    ]
    chart1 = _bar_chart("chart-sections", f"Prop 64 convictions in {county} by code section and level", chart1_bars)
    table1 = _table(
        "Convictions by code section",
        ["Code section", "Convictions", "Share"],
        [[_section_label(s), _fmt(by_section[s]), _pct(by_section[s], convictions)] for s in sections],
        ["Total", _fmt(convictions), _pct(convictions, convictions) if convictions else "\u2013"],
    )
    table1b = _table(
        "Convictions by level",
        ["Level", "Convictions", "Share"],
        [
            ["Felony", _fmt(felony), _pct(felony, felony + non_felony)],
            ["Not a felony", _fmt(non_felony), _pct(non_felony, felony + non_felony)],
        ],
    )
    if convictions > 0:
        lede1 = _e(
            f"{_fmt(convictions)} Prop 64 conviction{'' if convictions == 1 else 's'} in {county} across "
            f"{_fmt(len(by_section))} code section{'' if len(by_section) == 1 else 's'}, held by "
            f"{_fmt(people_p64)} {'person' if people_p64 == 1 else 'people'}."
        )
    else:
        lede1 = _e(f"No Prop 64 convictions in {county} in this run.")
    section1 = (
        '<section aria-labelledby="h-sections"><h2 id="h-sections">Prop 64 convictions by code section</h2>'
        f'<p class="lede">{lede1}</p>'
        f"<figure>{chart1}</figure><div class=\"tables\">{table1}{table1b}</div></section>"
    )

    # ----------------------------------------------------------- 2. outcomes
    outcome_rows = [
        ("Dismissed", outcomes.get("dismiss", 0), "accent"),
        ("Reduced", outcomes.get("reduce", 0), "tint"),
        ("No relief", outcomes.get("not_eligible", 0), "neutral"),
        ("Needs review", outcomes.get("needs_review", 0), "neutral"),
    ]
    decided = sum(n for _, n, _ in outcome_rows)
    chart2 = _bar_chart(
        "chart-outcomes",
        "Outcomes for Prop 64 convictions in the county",
        [_Bar(label, n, tone, _share(n, decided)) for label, n, tone in outcome_rows],
    )
    table2 = _table(
        "Outcomes",
        ["Outcome", "Convictions", "Share"],
        [[label, _fmt(n), _pct(n, decided)] for label, n, _ in outcome_rows],
        ["Total", _fmt(decided), _pct(decided, decided) if decided else "\u2013"],
    )
    outcome_note = "" if have_outcomes else '<p class="note">Outcome counts were not supplied for this run.</p>'
    section2 = (
        '<section aria-labelledby="h-outcomes"><h2 id="h-outcomes">Outcomes</h2>'
        f'<p class="lede">What the rule pack decided for each of the {_e(_fmt(decided))} Prop 64 '
        "convictions in the county.</p>"
        f"<figure>{chart2}</figure>{outcome_note}<div class=\"tables\">{table2}</div></section>"
    )

    # ------------------------------------------------------ 3. before/after
    def after(before: int, cleared: int) -> int:
        return max(0, before - cleared)

    conv_now = after(with_conviction, current.get("CountSubjectsNoConviction", 0))
    conv_all = after(with_conviction, dismiss_all.get("CountSubjectsNoConviction", 0))
    fel_now = after(with_felony, current.get("CountSubjectsNoFelony", 0))
    fel_all = after(with_felony, dismiss_all.get("CountSubjectsNoFelony", 0))

    def change(before: int, later: int) -> str:
        if before <= 0:
            return ""
        return "(no change)" if later == before else f"({_fmt(later - before)})"

    groups = [
        ("People with any conviction", with_conviction, conv_now, conv_all),
        ("People with a felony conviction", with_felony, fel_now, fel_all),
    ]
    chart3_bars: list[_Bar] = []
    for name, before, now, alt in groups:
        chart3_bars += [
            _Bar("Before", before, "neutral", "", name),
            _Bar("After, current choices", now, "accent", change(before, now), name),
            _Bar("After, dismiss all Prop 64", alt, "tint", change(before, alt), name),
        ]
    chart3 = _bar_chart("chart-people", "People left with a conviction or a felony, before and after relief", chart3_bars)
    table3 = _table(
        "People before and after",
        ["People", "Before", "After, current choices", "After, dismiss all Prop 64", "Left on the table"],
        [[name, _fmt(b), _fmt(n), _fmt(a), _fmt(max(0, n - a))] for name, b, n, a in groups],
    )
    gap_conv, gap_fel = max(0, conv_now - conv_all), max(0, fel_now - fel_all)
    if gap_conv or gap_fel:
        callout = (
            f"Dismissing all Prop 64 convictions would leave {_fmt(gap_conv)} fewer "
            f"{'person' if gap_conv == 1 else 'people'} with a conviction and {_fmt(gap_fel)} fewer with "
            "a felony than the current choices do."
        )
    else:
        callout = (
            "The current choices clear as many people as dismissing all Prop 64 convictions would: "
            "nothing is left on the table."
        )
    last7_now = current.get("CountSubjectsNoConvictionLast7Years", 0)
    last7_all = dismiss_all.get("CountSubjectsNoConvictionLast7Years", 0)
    section3 = (
        '<section aria-labelledby="h-people"><h2 id="h-people">People, before and after</h2>'
        '<p class="lede">People in the file with any conviction (any county, any offence) and with a '
        "felony conviction, before relief and after it: with the current eligibility choices, and if "
        "every Prop 64 conviction were dismissed instead.</p>"
        '<ul class="key" aria-hidden="true"><li><span class="neutral"></span>Before</li>'
        '<li><span class="accent"></span>After, current choices</li>'
        '<li><span class="tint"></span>After, dismiss all Prop 64</li></ul>'
        f'<figure>{chart3}</figure><div class="tables">{table3}</div>'
        f'<p class="callout">{_e(callout)}</p>'
        f'<p class="note">People left with no conviction in the last 7 years: {_e(_fmt(last7_now))} with the '
        f"current choices, {_e(_fmt(last7_all))} if all Prop 64 convictions were dismissed. gogen counts "
        "those 7 years back from the day it ran, not from the compute date.</p></section>"
    )

    # ----------------------------------------------- 4. dismissals by reason
    reason_rows = [
        (f"Dismiss all HS {s} convictions" if s.isdigit() else s, n) for s, n in dismissed_by_section.items()
    ] + list(additional.items())
    reason_rows.sort(key=lambda item: (-item[1], item[0]))
    remainder = dismissals - itemised_dismissals if have_outcomes else 0
    chart4_bars = [_Bar(label, n, "accent") for label, n in reason_rows]
    if remainder > 0:
        chart4_bars.append(_Bar("Misdemeanor or Infraction *", remainder, "neutral"))
    chart4 = _bar_chart("chart-reasons", "Dismissals by reason", chart4_bars)
    table4_rows = [[label, _fmt(n)] for label, n in reason_rows]
    if remainder > 0:
        table4_rows.append(["Misdemeanor or Infraction *", _fmt(remainder)])
    table4 = _table(
        "Dismissals by reason",
        ["Reason", "Convictions"],
        table4_rows,
        ["Total", _fmt(itemised_dismissals + max(0, remainder))],
    )
    reductions_sorted = sorted(reduced_by_section, key=_section_key)
    table4b = _table(
        "Reductions by code section",
        ["Reason", "Convictions"],
        [[f"Reduce all HS {s} convictions" if s.isdigit() else s, _fmt(reduced_by_section[s])] for s in reductions_sorted],
        ["Total", _fmt(sum(reduced_by_section.values()))],
    )
    remainder_note = (
        f'<p class="note">* gogen.json does not itemise dismissals for "Misdemeanor or Infraction": this is '
        f"the {_e(_fmt(dismissals))} dismissals in total minus the {_e(_fmt(itemised_dismissals))} itemised.</p>"
        if remainder > 0
        else ""
    )
    section4 = (
        '<section aria-labelledby="h-reasons"><h2 id="h-reasons">Dismissals by reason</h2>'
        '<p class="lede">Why convictions were dismissed: a whole code section the choices dismiss, or '
        "one of the additional relief rules.</p>"
        f'<figure>{chart4}</figure>{remainder_note}<div class="tables">{table4}{table4b}</div></section>'
    )

    title = f"Prop 64 impact report: {county}, {compute_date}"
    footer = (
        "<footer><p>Aggregates only: this report holds no names, identifiers or case numbers. "
        f"Figures come from gogen&#8217;s run summary (gogen.json) and Clearway&#8217;s run facts; "
        f"rule pack {_e(pack_text)}.</p></footer>"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        "<body><main>"
        f'<header><p class="kicker">Prop 64 impact report</p><h1>{_e(county)}</h1>'
        f"<dl class=\"meta\">{meta}</dl></header>"
        f'<ul class="headline" aria-label="Headline figures">{headline}</ul>'
        f"{section1}{section2}{section3}{section4}{footer}"
        "</main></body></html>\n"
    )


def write_impact_report(
    path: str | os.PathLike[str], summary: Mapping[str, Any], facts: Mapping[str, Any]
) -> Path:
    """Render the report and write it to ``path`` as UTF-8; returns the path."""
    target = Path(path)
    target.write_text(render_impact_report(summary, facts), encoding="utf-8")
    return target
