"""Progress on a terminal for work that can take a while (validate, site, export, ...).

A tqdm bar on stderr naming the stage, its elapsed time kept moving by a ticker thread
while the library works (library calls report no counts). Silent when stderr is not a
terminal (piped output and logs stay clean) or with --quiet. tqdm is used because it is one
small pure-Python package with no dependencies, imported here only when a bar is shown, and
widely maintained; rich would bring a whole rendering stack for one line.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import threading
from collections.abc import Iterator

import click

TICK_SECONDS = 0.2


def quiet_option(function):
    """Declare --quiet the same way for every command that shows progress."""
    return click.option(
        "--quiet", "-q", is_flag=True, help="Show no progress on the terminal (stderr)."
    )(function)


class Writer:
    """Hands tqdm the terminal as a plain writer: tqdm treats sys.stderr itself specially,
    and on a pseudo-terminal (tqdm 4.70) that printed nothing."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


@contextlib.contextmanager
def progress(stage: str, *, quiet: bool) -> Iterator[None]:
    """Show `stage` with its elapsed time on stderr while the block runs, on a terminal only."""
    stream = sys.stderr
    if quiet or not stream.isatty():
        yield
        return
    from tqdm import tqdm

    # A terminal that reports no width (0 columns) would truncate the bar to nothing.
    width = shutil.get_terminal_size().columns
    bar = tqdm(
        total=None,
        desc=stage,
        file=Writer(stream),
        leave=False,
        ncols=width,
        bar_format="{desc} {elapsed}",
    )
    done = threading.Event()

    def tick() -> None:
        while not done.wait(TICK_SECONDS):
            bar.refresh()

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield
    finally:
        done.set()
        ticker.join()
        bar.close()
