"""Write files atomically: a temp file in the same folder, fsync, then rename over the target."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from nephrokb.errors import InputError


def write_atomic(path: str | Path, content: bytes) -> None:
    """Replace `path` with `content` so that readers see the old file or the new, never half."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~current_umask()
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise InputError(f"cannot write: {error.strerror}", path=str(target)) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise InputError(f"cannot write: {error.strerror}", path=str(target)) from None
        raise


def current_umask() -> int:
    """Return the process umask (reading it means setting it, so set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
