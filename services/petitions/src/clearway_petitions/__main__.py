"""Run the petitions service: ``python -m clearway_petitions``.

Consumes clearway.determinations.v1, writes PDFs to the document store and
publishes clearway.petitions.v1. Beside that, in a consumer group of its own, it
follows clearway.determinations.v1 and clearway.batches.v1 and writes each batch's
gogen result bundle once its last determination is in, however many PDFs are
still to render. SIGTERM: finish the batch in hand, commit, exit.
"""

from __future__ import annotations

from clearway import topics
from clearway.bus import Ledger, TransactionalProcessor, run_side_by_side
from clearway.runner import run_service
from clearway.v1 import batch_pb2, determination_pb2, petition_pb2

from clearway_petitions import service
from clearway_petitions.batch_bundle import BatchBundles
from clearway_petitions.config import PetitionSettings
from clearway_petitions.domain.store import DocumentStore

FILINGS_GROUP = "clearway-petitions"
BUNDLES_GROUP = "clearway-petitions-bundles"


def main() -> None:
    settings = PetitionSettings.from_env()

    def work(stop, ready):
        ledger = Ledger.from_topic(settings.bus.bootstrap_servers, topics.PETITIONS,
                                   petition_pb2.PetitionGenerated,
                                   key_of=lambda p: p.determination_event_id)
        common = dict(bootstrap_servers=settings.bus.bootstrap_servers,
                      dead_letter_topic=topics.PETITIONS_REJECTED)
        run_side_by_side([
            TransactionalProcessor(
                service="petitions", group_id=FILINGS_GROUP,
                inputs={topics.DETERMINATIONS: determination_pb2.DeterminationMade},
                handle=service.filings(DocumentStore(settings.documents_dir)),
                ledger=ledger, **common),
            # Its own idempotency: the bundle spool names each determination it holds.
            # A record that cannot be decoded is dead-lettered by both groups, each
            # under its own name (source "petitions" and "petitions-bundles").
            TransactionalProcessor(
                service="petitions-bundles", group_id=BUNDLES_GROUP,
                inputs={topics.DETERMINATIONS: determination_pb2.DeterminationMade,
                        topics.BATCHES: batch_pb2.BatchClosed},
                handle=service.bundle_lines(BatchBundles(settings.bundles_dir)), **common),
        ], stop, ready)

    run_service("petitions", settings.bus, settings.health_port, work)


if __name__ == "__main__":
    main()
