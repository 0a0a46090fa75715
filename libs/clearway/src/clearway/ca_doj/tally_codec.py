"""A Tally in events: DeterminationMade.prop64_report.tally (Prop64Tally), both ways.

Kept apart from summary so that the offline command, which only adds tallies
up, does not load protobuf.
"""

from __future__ import annotations

from collections import Counter

from clearway.ca_doj.summary import ReliefCounts, Tally
from clearway.v1 import determination_pb2, envelope_pb2


def to_proto(tally: Tally) -> determination_pb2.Prop64Tally:
    message = determination_pb2.Prop64Tally(
        subjects_with_prop64_conviction_in_county=tally.subjects_with_prop64,
        prop64_felony_convictions_in_county=tally.felony_convictions,
        prop64_non_felony_convictions_in_county=tally.non_felony_convictions,
        subjects_with_some_relief=tally.subjects_with_some_relief,
        relief_current=_relief_to_proto(tally.relief_current),
        relief_dismiss_all=_relief_to_proto(tally.relief_dismiss_all),
        subjects=tally.subjects,
        subjects_with_conviction=tally.subjects_with_conviction,
        subjects_with_felony=tally.subjects_with_felony,
    )
    message.prop64_convictions_in_county_by_section.update(tally.convictions_by_section)
    message.dismissal_by_section.update(tally.dismissal_by_section)
    message.reduction_by_section.update(tally.reduction_by_section)
    message.dismissal_by_additional_relief.update(tally.dismissal_by_additional_relief)
    message.outcomes.update(tally.outcomes)
    if tally.earliest_conviction is not None:
        year, month, day = tally.earliest_conviction
        message.earliest_conviction.CopyFrom(envelope_pb2.SourceDate(
            year=year, month=month, day=day, raw=f"{year:04d}{month:02d}{day:02d}", valid=True))
    return message


def from_proto(message: determination_pb2.Prop64Tally) -> Tally:
    tally = Tally(
        convictions_by_section=Counter(dict(message.prop64_convictions_in_county_by_section)),
        subjects_with_prop64=message.subjects_with_prop64_conviction_in_county,
        felony_convictions=message.prop64_felony_convictions_in_county,
        non_felony_convictions=message.prop64_non_felony_convictions_in_county,
        subjects_with_some_relief=message.subjects_with_some_relief,
        dismissal_by_section=Counter(dict(message.dismissal_by_section)),
        reduction_by_section=Counter(dict(message.reduction_by_section)),
        dismissal_by_additional_relief=Counter(dict(message.dismissal_by_additional_relief)),
        relief_current=_relief_from_proto(message.relief_current),
        relief_dismiss_all=_relief_from_proto(message.relief_dismiss_all),
        subjects=message.subjects,
        subjects_with_conviction=message.subjects_with_conviction,
        subjects_with_felony=message.subjects_with_felony,
        outcomes=Counter(dict(message.outcomes)),
    )
    if message.HasField("earliest_conviction"):
        date = message.earliest_conviction
        tally.earliest_conviction = (date.year, date.month, date.day)
    return tally


def _relief_to_proto(counts: ReliefCounts) -> determination_pb2.ReliefCounts:
    return determination_pb2.ReliefCounts(
        subjects_no_conviction=counts.no_conviction,
        subjects_no_conviction_last_7_years=counts.no_conviction_last_7_years,
        subjects_no_felony=counts.no_felony,
    )


def _relief_from_proto(message: determination_pb2.ReliefCounts) -> ReliefCounts:
    return ReliefCounts(message.subjects_no_conviction,
                        message.subjects_no_conviction_last_7_years, message.subjects_no_felony)
