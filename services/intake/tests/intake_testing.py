"""Stand-ins and data shared by intake's tests: a producer that keeps what it is sent, DOJ rows."""

from __future__ import annotations

from kafka.future import Future

from clearway import topics
from clearway.ca_doj import columns as col
from clearway.ca_doj.columns import NUM_COLUMNS
from clearway.v1 import batch_pb2, case_pb2, dead_letter_pb2, intake_request_pb2

DECODERS = {topics.CASES: case_pb2.CaseSubmitted, topics.INTAKE_REJECTED: dead_letter_pb2.DeadLetter,
            topics.INTAKE_REQUESTS: intake_request_pb2.IntakeRequestAnswered,
            topics.BATCHES: batch_pb2.BatchClosed}


class StandInProducer:
    """KafkaProducer's send/flush/close: keeps what was sent; acknowledges it, or
    fails it or raises as ``trouble`` (a callable of the topic) says."""

    def __init__(self):
        self.sent: list[tuple[str, bytes, object]] = []
        self.trouble = None

    def send(self, topic, key, value, headers):
        future = Future()
        problem = self.trouble(topic) if self.trouble else None
        if isinstance(problem, type) and issubclass(problem, BaseException):
            raise problem("DOE,JANE record 18675309")  # text that must not reach a client
        if problem is not None:
            return future.failure(problem)
        self.sent.append((topic, key, DECODERS[topic].FromString(value)))
        return future.success(None)

    def flush(self, timeout=None):
        pass

    def close(self, timeout=None):
        pass

    def of(self, topic: str) -> list:
        return [message for sent_topic, _, message in self.sent if sent_topic == topic]


def gogen_shaped_fields(index: int, subject_id: str = "10000001") -> list[str]:
    """One person's DOJ row as gogen's generator writes it: the filler in every other column."""
    fields = ["  -  "] * NUM_COLUMNS
    fields[col.SUBJECT_ID] = subject_id
    fields[col.PRI_NAME] = "QUILLFEATHER,ZEPHYRA Q"
    fields[col.PRI_DOB] = "19600314"
    fields[col.CII_NUMBER] = "1008675309"
    fields[col.CYC_DATE], fields[col.STP_EVENT_DATE] = "19900101", "19900201"
    fields[col.STP_TYPE_DESCR] = "COURT ACTION" if index % 2 else "ARREST/DETAINED/CITED"
    fields[col.STP_ORI_CNTY_NAME] = "SACRAMENTO"
    fields[col.CNT_ORDER] = f"{101 + index // 10 % 899:03d}{1 + index % 2:03d}{index % 5 + 1:03d}000"
    fields[col.OFFENSE_DESCR] = "11357(A)HS-POSSESS CONCENTRATED CANNABIS"
    fields[col.OFFENSE_TOC], fields[col.CONV_STAT_DESCR] = "F", "FELONY"
    fields[col.DISP_DESCR] = "CONVICTED" if index % 2 else ""
    fields[col.COMMENT_TEXT] = "THIS IS A COMMENT"
    return fields
