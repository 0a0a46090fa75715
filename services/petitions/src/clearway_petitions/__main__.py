"""Run the petitions service: ``python -m clearway_petitions``.

Consumes clearway.determinations.v1, writes PDFs to the document store and
publishes clearway.petitions.v1; with clearway.batches.v1, writes each batch's
gogen result bundle once its last determination is in. SIGTERM: finish the batch, commit, exit.
"""

from __future__ import annotations

from clearway import topics
from clearway.bus import Ledger, TransactionalProcessor
from clearway.runner import run_service
from clearway.v1 import batch_pb2, determination_pb2, petition_pb2

from clearway_petitions import service
from clearway_petitions.batch_bundle import BatchBundles
from clearway_petitions.config import PetitionSettings
from clearway_petitions.domain.store import DocumentStore


def main() -> None:
    settings = PetitionSettings.from_env()

    def work(stop, ready):
        ledger = Ledger.from_topic(settings.bus.bootstrap_servers, topics.PETITIONS,
                                   petition_pb2.PetitionGenerated,
                                   key_of=lambda p: p.determination_event_id)
        TransactionalProcessor(
            service="petitions",
            bootstrap_servers=settings.bus.bootstrap_servers,
            group_id="clearway-petitions",
            inputs={topics.DETERMINATIONS: determination_pb2.DeterminationMade,
                    topics.BATCHES: batch_pb2.BatchClosed},
            handle=service.handle(DocumentStore(settings.documents_dir),
                                  BatchBundles(settings.bundles_dir)),
            dead_letter_topic=topics.PETITIONS_REJECTED,
            ledger=ledger,
        ).run(stop, ready)

    run_service("petitions", settings.bus, settings.health_port, work)


if __name__ == "__main__":
    main()
