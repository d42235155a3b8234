"""Standard output and error, guarded: a write error on them is an OutputError naming them.

Kept apart from nephrokb.output (and its imports) so that `nephrokb --help` stays fast.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys

from nephrokb.errors import OutputError

STANDARD_OUTPUT_NAME = "standard output"
STANDARD_ERROR_NAME = "standard error"


class GuardedStream(io.BufferedIOBase):
    """A binary stream whose write errors become OutputErrors naming it.

    Closing it leaves the stream it wraps open: it only guards, it does not own.
    """

    def __init__(self, stream, name: str):
        super().__init__()
        self.stream = stream
        self.name = name

    def write(self, data) -> int:
        """Write all of `data`: an unbuffered stream (PYTHONUNBUFFERED) may take only part."""
        view = memoryview(data).cast("B")
        size = view.nbytes
        try:
            while view:
                view = view[self.stream.write(view) :]
        except OSError as error:
            raise OutputError.from_os_error(error, self.name, self.descriptor()) from None
        return size

    def flush(self) -> None:
        try:
            self.stream.flush()
        except OSError as error:
            raise OutputError.from_os_error(error, self.name, self.descriptor()) from None

    def descriptor(self) -> int | None:
        try:
            return self.stream.fileno()
        except (OSError, ValueError):
            return None

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        """Leave the wrapped stream open (the interpreter owns it)."""


def guard(stream, name: str):
    """Return a text stream over `stream` whose write errors are OutputErrors naming it."""
    binary = getattr(stream, "buffer", None)
    if binary is None:
        return stream
    return io.TextIOWrapper(
        GuardedStream(binary, name),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
        write_through=True,
    )


@contextlib.contextmanager
def guarded_streams():
    """Guard sys.stdout and sys.stderr while the command runs, then put the originals back."""
    originals = sys.stdout, sys.stderr
    sys.stdout = guard(sys.stdout, STANDARD_OUTPUT_NAME)
    sys.stderr = guard(sys.stderr, STANDARD_ERROR_NAME)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = originals


def settle(stream) -> None:
    """Flush `stream`; if it cannot be written, point its descriptor at /dev/null.

    What it could not write is dropped, so the interpreter's own flush at exit stays quiet.
    """
    try:
        stream.flush()
    except (OSError, OutputError):
        with contextlib.suppress(OSError, ValueError):
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, stream.fileno())
            os.close(null)


def die_of_closed_pipe() -> None:
    """End the process the way `yes | head -1` ends `yes`: by SIGPIPE, silently.

    Returns only where there is no SIGPIPE (Windows).
    """
    settle(sys.stderr)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGPIPE)
