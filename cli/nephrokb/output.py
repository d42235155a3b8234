"""Write every output so that nothing is lost, whatever the output is.

A regular file (or a new one) is replaced atomically: a temporary file in the folder that
really holds it (symlinks resolved, so a link stays a link and its target is replaced), with
the old file's mode, then a rename. Anything else (a device such as /dev/full or /dev/null,
a FIFO, a socket, /dev/stdout, /dev/fd/N) is written directly and never renamed over. A
folder such as the site is built beside its target and renamed into place. Every write error
becomes an OutputError naming the output and the reason. Temporary files and folders are
named `.NAME.nephrokb-HEX.tmp` (or `.old`); ones left by a killed run are removed by the next
write into the same folder once they are an hour old, and logged on the `nephrokb` logger.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import logging
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from nephrokb.errors import OutputError

LOG = logging.getLogger("nephrokb")
STALE_AFTER_SECONDS = 3600
TEMPORARY_NAME = re.compile(r"\..*\.nephrokb-[0-9a-f]{12}\.(?:tmp|old)", re.DOTALL)
# Names the kernel resolves to one of this process's descriptors: written to that descriptor,
# since renaming over what /proc/self/fd/N points to would change someone else's file.
DESCRIPTOR_PATH = re.compile(r"/(?:dev/fd|proc/self/fd|proc/(\d+)/fd)/(\d+)")
DESCRIPTOR_NAMES = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
MAX_SYMLINKS = 40
AT_CURRENT_FOLDER = -100  # AT_FDCWD: paths relative to the working folder
EXCHANGE = 2  # RENAME_EXCHANGE for renameat2(2)


@dataclass(frozen=True)
class FileSnapshot:
    """What a file was when it was read: its identity, size, modification time, content hash."""

    device: int
    inode: int
    mtime_ns: int
    size: int
    sha256: str


def snapshot_file(path: str | Path) -> FileSnapshot:
    """Return the snapshot of the file at `path` now (its content read in full)."""
    with open(path, "rb") as stream:
        status = os.fstat(stream.fileno())
        digest = hashlib.sha256(stream.read()).hexdigest()
    return FileSnapshot(
        status.st_dev, status.st_ino, status.st_mtime_ns, status.st_size, sha256=digest
    )


def write_output(
    path: str | Path, content: bytes, *, unchanged_since: FileSnapshot | None = None
) -> None:
    """Write `content` to the output named `path`, in the way that suits what `path` is.

    With `unchanged_since`, the file is replaced only if it is still what that snapshot
    recorded (another editor may have saved it meanwhile).
    """
    shown = str(path)
    target = resolve_output(path)
    if isinstance(target, int):
        write_descriptor(target, content, shown)
        return
    try:
        status = os.stat(target)
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise OutputError.from_os_error(error, shown) from None
    if status is None or stat.S_ISREG(status.st_mode):
        replace_file(target, content, shown, status, unchanged_since)
    elif stat.S_ISDIR(status.st_mode):
        raise OutputError("cannot write: it is a folder, not a file", path=shown)
    else:
        write_special_file(target, content, shown)


def resolve_output(path: str | Path) -> Path | int:
    """Follow symlinks to the real output: a descriptor number, or a path with no link in it."""
    current = os.path.abspath(path)
    for _ in range(MAX_SYMLINKS):
        descriptor = descriptor_number(current)
        if descriptor is not None:
            return descriptor
        if not os.path.islink(current):
            return Path(os.path.realpath(current))
        try:
            link = os.readlink(current)
        except OSError as error:
            raise OutputError.from_os_error(error, str(path)) from None
        current = os.path.join(os.path.realpath(os.path.dirname(current)), link)
    raise OutputError.from_os_error(OSError(errno.ELOOP, os.strerror(errno.ELOOP)), str(path))


def descriptor_number(path: str) -> int | None:
    """Return N if `path` names this process's descriptor N (/dev/stdout, /dev/fd/N, ...)."""
    if path in DESCRIPTOR_NAMES:
        return DESCRIPTOR_NAMES[path]
    match = DESCRIPTOR_PATH.fullmatch(path)
    if match is None or match.group(1) not in (None, str(os.getpid())):
        return None
    return int(match.group(2))


def write_descriptor(descriptor: int, content: bytes, shown: str) -> None:
    """Write all of `content` to an open descriptor, at its current position."""
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(descriptor, view) :]
    except OSError as error:
        raise OutputError.from_os_error(error, shown, descriptor) from None


def write_special_file(path: Path, content: bytes, shown: str) -> None:
    """Write to a device, FIFO or socket in place: open it, write, close; never create it."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise OutputError.from_os_error(error, shown) from None
    try:
        write_descriptor(descriptor, content, shown)
    finally:
        with contextlib.suppress(OSError):
            os.close(descriptor)


def replace_file(
    real: Path,
    content: bytes,
    shown: str,
    status: os.stat_result | None,
    unchanged_since: FileSnapshot | None,
) -> None:
    """Replace the regular file `real` (or create it) atomically, keeping its mode and owner."""
    remove_stale_temporaries(real.parent)
    temporary = temporary_path(real, "tmp")
    try:
        # A new file gets 0o666 less the umask, as `>` gives it; an old one keeps its mode.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise OutputError.from_os_error(error, shown) from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
            if status is not None:
                os.fchmod(stream.fileno(), stat.S_IMODE(status.st_mode))
                with contextlib.suppress(OSError):  # only root may give a file away
                    os.fchown(stream.fileno(), status.st_uid, status.st_gid)
        if unchanged_since is not None:
            refuse_if_changed(real, unchanged_since, shown)
        os.replace(temporary, real)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise OutputError.from_os_error(error, shown) from None
        raise
    sync_folder(real.parent)


def refuse_if_changed(path: Path, snapshot: FileSnapshot, shown: str) -> None:
    """Raise OutputError if the file at `path` is no longer the one `snapshot` recorded."""
    try:
        now = snapshot_file(path)
    except FileNotFoundError:
        now = None
    if now != snapshot:
        raise OutputError(
            "changed on disk after it was read; left as it is (run the command again)",
            path=shown,
        )


def replace_folder(path: str | Path, files: Mapping[str, bytes]) -> list[Path]:
    """Make the folder `path` hold `files` (relative path -> bytes): built beside, renamed in.

    Missing parent folders are created. Entries already in the folder that `files` does not
    name are kept (hard-linked into the new folder, so a run killed midway leaves the old
    folder as it was). A mount point (a container volume, say) cannot be renamed, and the
    folder the command runs in (`--output .`) should not be, since the shell that started it
    would be left in a removed folder: there each file is replaced atomically in place
    instead. Returns the paths written, under `path`.
    """
    shown = str(path)
    real = resolve_output(path)
    if isinstance(real, int):
        raise OutputError("cannot write a folder to a file descriptor", path=shown)
    try:
        status = os.stat(real)
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise OutputError.from_os_error(error, shown) from None
    if status is not None and not stat.S_ISDIR(status.st_mode):
        raise OutputError("cannot write: it is not a folder", path=shown)
    if status is not None and (os.path.ismount(real) or holds_working_folder(real)):
        return replace_files_in_place(real, files, Path(path))
    build = temporary_path(real, "tmp")
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(real.parent)
        os.mkdir(build)
        if status is not None:
            os.chmod(build, stat.S_IMODE(status.st_mode))
        for relative, content in files.items():
            destination = build / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(content)
        if status is None:
            os.rename(build, real)
        else:
            keep_other_entries(real, build)
            swap_folders(real, build)
    except OSError as error:
        shutil.rmtree(build, ignore_errors=True)
        raise OutputError.from_os_error(error, shown) from None
    sync_folder(real.parent)
    return [Path(path) / relative for relative in files]


def holds_working_folder(folder: Path) -> bool:
    """Whether the current working folder is `folder` or inside it."""
    try:
        working = Path.cwd().resolve()
    except OSError:
        return False
    return working == folder or folder in working.parents


def replace_files_in_place(real: Path, files: Mapping[str, bytes], given: Path) -> list[Path]:
    """Replace each of `files` in the folder `real` atomically, one by one."""
    for relative, content in files.items():
        destination = real / relative
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError.from_os_error(error, str(given / relative)) from None
        write_output(destination, content)
    return [given / relative for relative in files]


def keep_other_entries(old: Path, new: Path) -> None:
    """Hard-link into `new` every entry of `old` that `new` lacks, recursing into shared folders."""
    for entry in os.scandir(old):
        counterpart = new / entry.name
        if entry.is_dir(follow_symlinks=False) and counterpart.is_dir():
            keep_other_entries(Path(entry.path), counterpart)
        elif not os.path.lexists(counterpart):
            if entry.is_dir(follow_symlinks=False):
                shutil.copytree(entry.path, counterpart, symlinks=True, copy_function=os.link)
            elif entry.is_symlink():
                os.symlink(os.readlink(entry.path), counterpart)
            else:
                os.link(entry.path, counterpart, follow_symlinks=False)


def swap_folders(real: Path, build: Path) -> None:
    """Put `build` where `real` is and remove the old folder.

    On Linux the two are exchanged in one step (renameat2 RENAME_EXCHANGE), so `real` never
    goes missing; elsewhere the old folder is renamed aside first, leaving an instant with
    no folder.
    """
    if exchange_paths(build, real):
        shutil.rmtree(build, ignore_errors=True)
        return
    retired = temporary_path(real, "old")
    os.rename(real, retired)
    try:
        os.rename(build, real)
    except OSError:
        os.rename(retired, real)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def exchange_paths(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the system or filesystem cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    outcome = renameat2(
        AT_CURRENT_FOLDER, os.fsencode(first), AT_CURRENT_FOLDER, os.fsencode(second), EXCHANGE
    )
    if outcome == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def temporary_path(target: Path, kind: str) -> Path:
    """Return a fresh temporary name beside `target`, in the pattern stale-file removal knows."""
    return target.parent / f".{target.name[:100]}.nephrokb-{secrets.token_hex(6)}.{kind}"


def stale_temporaries(folder: Path) -> Iterator[Path]:
    """Yield nephrokb's temporary files and folders in `folder` older than STALE_AFTER_SECONDS."""
    cutoff = time.time() - STALE_AFTER_SECONDS
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not TEMPORARY_NAME.fullmatch(entry.name) or entry.is_symlink():
            continue
        with contextlib.suppress(OSError):
            if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                yield Path(entry.path)


def remove_stale_temporaries(folder: Path) -> None:
    """Remove temporary files a killed nephrokb run left in `folder`, logging each one."""
    for stale in stale_temporaries(folder):
        try:
            if stale.is_dir():
                shutil.rmtree(stale)
            else:
                stale.unlink()
        except OSError as error:
            LOG.warning("%s: left by an interrupted run; cannot remove: %s", stale, error.strerror)
        else:
            LOG.warning("%s: removed, a temporary file left by an interrupted run", stale)


def sync_folder(folder: Path) -> None:
    """Flush a rename to disk (best effort: some filesystems cannot sync a folder)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
