"""Turn an eligible determination into court filings: DeterminationMade in, PetitionGenerated out,
and gather each batch's determinations into its result bundle.

A person with no eligible conviction gets no filing (notifications tells them so),
nor do rows that cannot be tied to one person (names_one_person). A determination
that cannot make a true filing (no name, no known court, no valid compute date)
is dead-lettered with the field that is missing, never filed half-blank.
The documents are rendered deterministically and stored by content hash, so a
replayed determination produces the very same files and event.
"""

from __future__ import annotations

import datetime as dt
import logging

from clearway import events, topics
from clearway.determinations import eligible_convictions, names_one_person
from clearway.bus import Outgoing, Rejected
from clearway.v1 import determination_pb2, petition_pb2

from clearway_petitions.batch_bundle import BatchBundles
from clearway_petitions.domain.petition import NotFileable, court_for, render_order, render_petition
from clearway_petitions.domain.store import DocumentStore

log = logging.getLogger(__name__)


def file_petition(made: determination_pb2.DeterminationMade,
                  store: DocumentStore) -> petition_pb2.PetitionGenerated | None:
    """The filing for a determination with eligible convictions, or None when there is none to make.

    Raises bus.Rejected (dead-lettered, naming the field) when the determination
    cannot be filed truthfully.
    """
    if not eligible_convictions(made):
        return None
    if not made.person_id:
        raise Rejected("no petition: the determination names no person_id", field="person_id")
    if not names_one_person(made):
        log.warning("no petition: the determination's rows are not one person's (conflicting "
                    "identities, or gogen's empty-SUBJECT_ID subject)",
                    extra={"case_id": made.envelope.case_id})
        return None
    try:
        return _filing(made, store)
    except NotFileable as refused:
        raise Rejected(f"no petition: {refused}", field=refused.field) from None


def _filing(made: determination_pb2.DeterminationMade,
            store: DocumentStore) -> petition_pb2.PetitionGenerated:
    court = court_for(made.envelope.jurisdiction)
    date = made.compute_date
    try:
        prepared_on = dt.date(date.year, date.month, date.day)
    except ValueError:
        raise NotFileable("compute_date", "not a valid date: the filing would be misdated") from None
    event = petition_pb2.PetitionGenerated(
        envelope=events.follow_on_envelope(made.envelope, "petition"),
        person_id=made.person_id,
        determination_event_id=made.envelope.event_id,
        court=court,
        determination=made,
    )
    event.envelope.occurred_at.CopyFrom(made.envelope.occurred_at)
    for kind, render in ((petition_pb2.DOCUMENT_KIND_PETITION, render_petition),
                         (petition_pb2.DOCUMENT_KIND_ORDER, render_order)):
        stored = store.put(render(made.person, made, court, prepared_on), suffix=".pdf")
        event.documents.add(kind=kind, media_type="application/pdf", sha256=stored.sha256,
                            location=stored.location, size_bytes=stored.size_bytes)
    return event


def filings(store: DocumentStore):
    """Determinations become filings: a PetitionGenerated for each one with eligible convictions."""

    def on_event(_topic: str, made: determination_pb2.DeterminationMade) -> list[Outgoing]:
        event = file_petition(made, store)
        return [Outgoing(topics.PETITIONS, made.person_id, event)] if event else []

    return on_event


def bundle_lines(bundles: BatchBundles):
    """Determinations' report lines are spooled by batch; BatchClosed may complete a bundle.

    Runs in a consumer group of its own, beside filings: spooling takes a fraction
    of a millisecond a determination, rendering two PDFs about 14 ms, so a batch's
    bundle follows its last determination instead of its last PDF.
    """

    def on_event(topic: str, message) -> list[Outgoing]:
        if topic == topics.BATCHES:
            bundles.close(message)
        else:
            bundles.add(message)
        return []

    return on_event
