"""A structured case for the gRPC tests: one fabricated person, one Prop 64 conviction."""

from __future__ import annotations

from clearway.v1 import case_pb2, envelope_pb2, intake_service_pb2


def a_case(source_key: str) -> intake_service_pb2.CaseInput:
    """One fabricated person with one misdemeanour HS 11357 conviction in Sacramento."""
    record = case_pb2.CriminalRecord(source_format="ca-doj-research-file")
    step = record.cycles.add(cycle_order="101").steps.add(
        step_order="002", type_description="COURT ACTION")
    step.event_date.CopyFrom(envelope_pb2.SourceDate(year=2001, month=4, day=11, raw="20010411",
                                                     valid=True))
    step.agency.county_name = "SACRAMENTO"
    step.counts.add(count_order="101002001000", case_number="140194",
                    offense=case_pb2.Offense(description="11357(A) HS-POSSESS MARIJUANA",
                                             type_of_charge="M"),
                    disposition=case_pb2.Disposition(description="CONVICTED-PROBATION",
                                                     conviction_status="MISDEMEANOR"))
    person = case_pb2.Person(name=case_pb2.Name(recorded="QUILLFEATHER,ZEPHYRA", given_names="ZEPHYRA",
                                                family_name="QUILLFEATHER"),
                             preferred_language="es",
                             contact=case_pb2.Contact(email="zephyra@example.org"),
                             consent=case_pb2.Consent(email=True))
    return intake_service_pb2.CaseInput(person=person, record=record, source_person_key=source_key)
