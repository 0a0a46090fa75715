"""Exit statuses of the ``clearway`` command, the same for every subcommand.

Why: scripts and the demo act on them (retry, fix the input, report a bug), so
each cause has its own and none is reused for another.
"""

OK = 0
# A file was rejected whole as gogen rejects one (gogen.err, BatchClosed.file_errors,
# e.g. ``--on-bad-row reject-file``, or a missing input of ``evaluate``); the
# other files were judged or published.
FILE_REJECTED = 1
# Bad arguments or settings: an unknown jurisdiction, county or rule version, an
# unusable policy, a missing file for ``submit``. Nothing was done (argparse uses it too).
USAGE = 2
# An input file, or the contacts file, cannot be its format at all (empty,
# binary, another delimiter, columns missing, a bad contacts line). Nothing was
# published or written.
UNUSABLE_INPUT = 3
# Kafka could not be reached, or did not acknowledge in time.
UNAVAILABLE = 4
# A file could not be read or written (disk full, permission denied).
IO_ERROR = 74
# A bug in Clearway (sysexits' EX_SOFTWARE): one line on stderr, details in a crash file.
INTERNAL_ERROR = 70
# Stopped by Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130
