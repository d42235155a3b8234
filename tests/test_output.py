"""Nothing is lost, whatever the output is: files, symlinks, FIFOs, devices, full disks, edits.

Every test here writes to the real thing: a real FIFO with a reader thread, a real symlink,
the real /dev/full and /dev/null, a pipe whose reader has gone, a read-only tmpfs, a tmpfs
that is full, a process killed with SIGKILL. Device nodes and FIFOs are checked with
`os.lstat` before and after: they must still be what they were.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import mount_tmpfs, read_only, unmount
from nephrokb.cli import main
from nephrokb.output import STALE_AFTER_SECONDS, TEMPORARY_NAME

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "clean" / "minimal.ttl"
NEPHROKB = str(Path(sys.executable).with_name("nephrokb"))
ORIGINAL = b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"
# Valid Turtle that fmt rewrites (two statements on one line, out of order).
NOT_CANONICAL = "@prefix e: <http://example.org/> .\ne:b e:c e:d . e:a e:b e:c .\n"
SMALL_FILESYSTEM = "NEPHROKB_TEST_SMALL_FS"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def export_minimal(target) -> object:
    return run("export", "--format", "nt", "--data", str(MINIMAL), "--output", str(target))


def query_minimal(target) -> object:
    return run(
        "query", "procedures", "--format", "csv", "--data", str(MINIMAL), "--output", str(target)
    )


WRITERS = {"export": export_minimal, "query": query_minimal}


def expected_bytes(command: str) -> bytes:
    """What `command` writes to standard output, the reference for every other output."""
    arguments = {
        "export": ["export", "--format", "nt", "--data", str(MINIMAL)],
        "query": ["query", "procedures", "--format", "csv", "--data", str(MINIMAL)],
    }[command]
    result = run(*arguments)
    assert result.exit_code == 0
    return result.stdout_bytes


SHARED_NODES = ("/dev/null", "/dev/full", "/dev/stdout")


@pytest.fixture(autouse=True)
def shared_nodes_survive():
    """Fail a test that replaced /dev/null, /dev/full or /dev/stdout, and put them back.

    A regression here would otherwise break the machine for every other process (as root,
    the old writer renamed a regular file over them).
    """
    before = {path: os.lstat(path) for path in SHARED_NODES}
    links = {path: os.readlink(path) for path in SHARED_NODES if os.path.islink(path)}
    yield
    replaced = [path for path in SHARED_NODES if identity(path) != identity_of(before[path])]
    for path in replaced:
        spare = f"{path}.nephrokb-test-restore"
        if path in links:
            os.symlink(links[path], spare)
        else:
            os.mknod(spare, before[path].st_mode, before[path].st_rdev)
            os.chmod(spare, stat.S_IMODE(before[path].st_mode))
        os.replace(spare, path)
    assert not replaced, f"replaced (now restored): {replaced}"


def identity_of(status: os.stat_result) -> tuple[int, int, int, int]:
    return status.st_mode, status.st_ino, status.st_dev, status.st_rdev


def identity(path: str | Path) -> tuple[int, int, int, int]:
    """What a node is (lstat, symlinks not followed): type and mode, inode, device number."""
    return identity_of(os.lstat(path))


def leftovers(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir() if TEMPORARY_NAME.fullmatch(entry.name))


# Regular files and symlinks


def test_a_regular_file_is_replaced_with_its_mode_and_no_temporary_left(tmp_path):
    target = tmp_path / "out.nt"
    target.write_bytes(ORIGINAL)
    target.chmod(0o640)
    result = export_minimal(target)
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == expected_bytes("export")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt"]


def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path):
    previous = os.umask(0o027)
    try:
        assert export_minimal(tmp_path / "new.nt").exit_code == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.nt").stat().st_mode) == 0o640


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_symlink_stays_a_link_and_its_target_is_replaced_with_its_mode(tmp_path, command):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "real.out"
    target.write_bytes(ORIGINAL)
    target.chmod(0o600)
    link = tmp_path / "link.out"
    link.symlink_to(Path("elsewhere") / "real.out")
    result = WRITERS[command](link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert os.readlink(link) == str(Path("elsewhere") / "real.out")
    assert target.read_bytes() == expected_bytes(command)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in elsewhere.iterdir()) == ["real.out"]


def test_a_dangling_symlink_gets_its_target_created(tmp_path):
    link = tmp_path / "link.nt"
    link.symlink_to("made.nt")
    assert export_minimal(link).exit_code == 0
    assert link.is_symlink()
    assert (tmp_path / "made.nt").read_bytes() == expected_bytes("export")


def test_fmt_through_a_symlink_formats_the_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "store" / "procedure.ttl"
    real.parent.mkdir()
    real.write_text(NOT_CANONICAL, encoding="utf-8")
    link = tmp_path / "procedure.ttl"
    link.symlink_to(real)
    result = run("fmt", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") != NOT_CANONICAL
    assert run("fmt", "--check", str(real)).exit_code == 0


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_folder_where_a_file_is_expected_is_one_line_exit_2(tmp_path, command):
    result = WRITERS[command](tmp_path)
    assert result.exit_code == 2
    assert (
        result.output == f"nephrokb: error: {tmp_path}: cannot write: it is a folder, not a file\n"
    )
    assert list(tmp_path.iterdir()) == []


# FIFOs, devices, sockets and descriptors: written in place, never renamed over


class FifoReader:
    """A thread that opens a FIFO for reading and keeps what it reads (all, or `limit` bytes)."""

    def __init__(self, path: Path, limit: int | None = None):
        self.path = path
        self.limit = limit
        self.received = b""
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self) -> None:
        with open(self.path, "rb") as stream:
            self.received = stream.read() if self.limit is None else stream.read(self.limit)

    def finish(self) -> bytes:
        self.thread.join(30)
        if self.thread.is_alive():  # the writer never opened the FIFO: release the reader
            with contextlib.suppress(OSError):
                os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
            self.thread.join(5)
            pytest.fail("nothing opened the FIFO for writing")
        return self.received


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_fifo_is_written_to_its_reader_and_stays_a_fifo(tmp_path, command):
    fifo = tmp_path / "results.fifo"
    os.mkfifo(fifo)
    before = identity(fifo)
    reader = FifoReader(fifo)
    result = WRITERS[command](fifo)
    assert result.exit_code == 0, result.output
    assert reader.finish() == expected_bytes(command)
    assert identity(fifo) == before
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.fifo"]


def test_a_fifo_whose_reader_leaves_early_is_one_line_exit_2_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "early.fifo"
    os.mkfifo(fifo)
    before = identity(fifo)
    reader = FifoReader(fifo, limit=10)
    # The bundled export (over 200 kB) cannot fit in a pipe's 64 kB before the reader leaves.
    result = run("export", "--format", "nt", "--output", str(fifo))
    assert len(reader.finish()) == 10
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {fifo}: cannot write: Broken pipe\n"
    assert identity(fifo) == before


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_dev_full_is_one_line_exit_2_and_stays_a_device(command):
    before = identity("/dev/full")
    result = WRITERS[command]("/dev/full")
    assert result.exit_code == 2
    assert result.output == "nephrokb: error: /dev/full: cannot write: No space left on device\n"
    assert identity("/dev/full") == before
    assert stat.S_ISCHR(os.lstat("/dev/full").st_mode)


def test_a_symlink_to_dev_full_stays_a_link_and_the_device_a_device(tmp_path):
    link = tmp_path / "full"
    link.symlink_to("/dev/full")
    before = identity("/dev/full")
    result = export_minimal(link)
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {link}: cannot write: No space left on device\n"
    assert link.is_symlink()
    assert identity("/dev/full") == before


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_dev_null_takes_the_output_and_stays_a_device(command):
    before = identity("/dev/null")
    result = WRITERS[command]("/dev/null")
    assert result.exit_code == 0, result.output
    assert identity("/dev/null") == before


@pytest.mark.parametrize("kind", ["/dev/null", "/dev/full", "fifo"])
def test_fmt_refuses_a_device_or_fifo_and_leaves_it_as_it_was(tmp_path, kind):
    target = kind
    if kind == "fifo":
        target = str(tmp_path / "kb.ttl")
        os.mkfifo(target)
    before = identity(target)
    result = run("fmt", target)
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"nephrokb: error: {target}: not a regular file or folder (a FIFO or device?)\n"
    )
    assert identity(target) == before


@pytest.mark.slow
def test_site_onto_a_device_is_refused_and_the_device_stays(tmp_path):
    before = identity("/dev/null")
    result = run("site", "--output", "/dev/null", "--data", str(MINIMAL))
    assert result.exit_code == 2
    assert result.output == "nephrokb: error: /dev/null: cannot write: it is not a folder\n"
    assert identity("/dev/null") == before


def test_a_socket_is_refused_in_one_line_and_stays_a_socket(tmp_path):
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    try:
        before = identity(path)
        result = export_minimal(path)
        assert result.exit_code == 2
        assert (
            result.output == f"nephrokb: error: {path}: cannot write: No such device or address\n"
        )
        assert identity(path) == before
    finally:
        server.close()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_dev_stdout_writes_to_the_pipe(name):
    completed = subprocess.run(
        [NEPHROKB, "export", "--format", "nt", "--data", str(MINIMAL), "--output", name],
        capture_output=True,
        check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, b"")
    assert completed.stdout == expected_bytes("export")


@pytest.mark.slow
def test_dev_stdout_redirected_to_a_file_writes_that_file_in_place(tmp_path):
    redirected = tmp_path / "redirected.nt"
    with open(redirected, "wb") as stream:
        before = identity(redirected)
        completed = subprocess.run(
            [NEPHROKB, "export", "--format", "nt", "--data", str(MINIMAL), "-o", "/dev/stdout"],
            stdout=stream,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert (completed.returncode, completed.stderr) == (0, b"")
    assert identity(redirected) == before  # the shell's file, not a new one renamed over it
    assert redirected.read_bytes() == expected_bytes("export")


# Standard output: full, or closed by its reader


STDOUT_COMMANDS = [
    ["export", "--format", "nt"],
    ["query", "procedures", "--format", "tsv"],
    ["validate"],
    ["validate", "--format", "sarif"],
    ["stats"],
    ["show", "kb:percutaneous-nephrostomy"],
    ["lookup", "SCTID:313270001"],
    ["diff", str(MINIMAL), str(FIXTURES / "clean")],
    ["query", "--list"],
    ["--help"],
]


@pytest.mark.slow
@pytest.mark.parametrize("arguments", STDOUT_COMMANDS, ids=" ".join)
def test_standard_output_on_a_full_disk_is_one_line_exit_2(arguments):
    before = identity("/dev/full")
    with open("/dev/full", "wb") as full:
        completed = subprocess.run(
            [NEPHROKB, *arguments], stdout=full, stderr=subprocess.PIPE, check=False
        )
    assert completed.returncode == 2
    assert completed.stderr == (
        b"nephrokb: error: standard output: cannot write: No space left on device\n"
    )
    assert identity("/dev/full") == before


@pytest.mark.slow
@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        (["export", "--format", "nt", "--data", "missing.ttl"], 2),  # the error line fails
        (["fmt", "--check", str(MINIMAL)], 2),  # the summary line fails
        (["stats", "--data", str(MINIMAL)], 0),  # nothing for stderr
    ],
    ids=["error", "summary", "silent"],
)
def test_standard_error_on_a_full_disk_ends_without_a_traceback(arguments, code):
    with open("/dev/full", "wb") as full:
        completed = subprocess.run(
            [NEPHROKB, *arguments], stdout=subprocess.PIPE, stderr=full, check=False
        )
    assert completed.returncode == code
    assert b"Traceback" not in completed.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "arguments",
    [["export", "--format", "nt"], ["export", "--format", "nt", "-o", "/dev/stdout"]],
    ids=" ".join,
)
def test_a_closed_pipe_ends_quietly_like_unix_tools(arguments):
    child = subprocess.Popen([NEPHROKB, *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = child.stdout.readline()
    child.stdout.close()  # what `| head -1` does once it has its line
    stderr = child.stderr.read()
    child.wait(timeout=60)
    assert first.startswith(b"<https://w3id.org/nephrokb/id/")
    assert stderr == b""
    assert child.returncode == -signal.SIGPIPE  # the shell shows 141, as for `yes | head -1`


# Read-only folders and full filesystems


@pytest.fixture
def read_only_folder(tmp_path):
    """A folder holding kept.nt and procedure.ttl that this process cannot write into."""

    def fill(folder: Path) -> None:
        (folder / "kept.nt").write_bytes(ORIGINAL)
        (folder / "procedure.ttl").write_text(NOT_CANONICAL, encoding="utf-8")

    folder = tmp_path / "read-only"
    folder.mkdir()
    with read_only(folder, fill) as reason:
        yield folder, reason


def test_export_into_a_read_only_folder_is_one_line_exit_2(read_only_folder):
    folder, reason = read_only_folder
    result = export_minimal(folder / "kept.nt")
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {folder / 'kept.nt'}: cannot write: {reason}\n"
    assert (folder / "kept.nt").read_bytes() == ORIGINAL


def test_fmt_in_a_read_only_folder_is_one_line_exit_2(read_only_folder):
    folder, reason = read_only_folder
    result = run("fmt", str(folder / "procedure.ttl"))
    assert result.exit_code == 2
    assert result.stderr == f"nephrokb: error: {folder / 'procedure.ttl'}: cannot write: {reason}\n"
    assert (folder / "procedure.ttl").read_text(encoding="utf-8") == NOT_CANONICAL


@pytest.mark.slow
def test_site_into_a_read_only_folder_is_one_line_exit_2(read_only_folder):
    folder, reason = read_only_folder
    result = run("site", "--output", str(folder / "site"), "--data", str(MINIMAL))
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {folder / 'site'}: cannot write: {reason}\n"
    assert sorted(p.name for p in folder.iterdir()) == ["kept.nt", "procedure.ttl"]


@pytest.fixture
def full_folder(tmp_path):
    """A folder on a small filesystem that is really full, holding kept.nt and procedure.ttl.

    The filesystem is $NEPHROKB_TEST_SMALL_FS (a tmpfs .ci/run mounts where it can) or,
    failing that, a tmpfs mounted here; the test is skipped, saying why, where neither is.
    """
    given = os.environ.get(SMALL_FILESYSTEM)
    mounted = None
    if given:
        folder = Path(given) / f"test-{os.getpid()}-{time.monotonic_ns()}"
        folder.mkdir()
    else:
        folder = mounted = tmp_path / "small"
        folder.mkdir()
        why_not = mount_tmpfs(folder, "256k")
        if why_not:
            pytest.skip(f"${SMALL_FILESYSTEM} is not set (.ci/run sets it) and {why_not}")
    try:
        (folder / "kept.nt").write_bytes(ORIGINAL)
        (folder / "procedure.ttl").write_text(NOT_CANONICAL, encoding="utf-8")
        (folder / "site").mkdir()
        (folder / "site" / "index.html").write_bytes(b"old site\n")
        fill(folder / "filler")
        yield folder
    finally:
        if mounted:
            unmount(mounted)
        else:
            for path in sorted(folder.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
            folder.rmdir()


def fill(path: Path) -> None:
    """Write `path` until its filesystem has no byte left."""
    with open(path, "wb", buffering=0) as stream:
        while True:
            try:
                stream.write(b"\0" * 4096)
            except OSError as error:
                assert error.errno == errno.ENOSPC
                break
        while True:  # the last, smaller pieces
            try:
                stream.write(b"\0")
            except OSError:
                return


def test_export_onto_a_full_filesystem_is_one_line_exit_2_and_keeps_the_file(full_folder):
    target = full_folder / "kept.nt"
    result = run("export", "--format", "nt", "--output", str(target))
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {target}: cannot write: No space left on device\n"
    assert target.read_bytes() == ORIGINAL
    assert leftovers(full_folder) == []


def test_fmt_onto_a_full_filesystem_keeps_the_file(full_folder):
    target = full_folder / "procedure.ttl"
    result = run("fmt", str(target))
    assert result.exit_code == 2
    assert result.stderr == f"nephrokb: error: {target}: cannot write: No space left on device\n"
    assert target.read_text(encoding="utf-8") == NOT_CANONICAL
    assert leftovers(full_folder) == []


@pytest.mark.slow
def test_site_onto_a_full_filesystem_keeps_the_old_site(full_folder):
    target = full_folder / "site"
    result = run("site", "--output", str(target), "--data", str(MINIMAL))
    assert result.exit_code == 2
    assert result.output == f"nephrokb: error: {target}: cannot write: No space left on device\n"
    assert sorted(p.name for p in target.iterdir()) == ["index.html"]
    assert (target / "index.html").read_bytes() == b"old site\n"
    assert leftovers(full_folder) == []


def limit_file_size() -> None:
    """In the child: files may not grow past 50 kB (RLIMIT_FSIZE), so the kernel says EFBIG."""
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))


@pytest.mark.slow
def test_a_file_size_limit_is_one_line_exit_2_on_a_file_and_on_standard_output(tmp_path):
    target = tmp_path / "kept.nt"
    target.write_bytes(ORIGINAL)
    named = subprocess.run(
        [NEPHROKB, "export", "--format", "nt", "--output", str(target)],
        capture_output=True,
        preexec_fn=limit_file_size,
        check=False,
    )
    assert (named.returncode, named.stderr) == (
        2,
        f"nephrokb: error: {target}: cannot write: File too large\n".encode(),
    )
    assert target.read_bytes() == ORIGINAL
    assert leftovers(tmp_path) == []
    with open(tmp_path / "redirected.nt", "wb") as redirected:
        piped = subprocess.run(
            [NEPHROKB, "export", "--format", "nt"],
            stdout=redirected,
            stderr=subprocess.PIPE,
            preexec_fn=limit_file_size,
            check=False,
        )
    assert (piped.returncode, piped.stderr) == (
        2,
        b"nephrokb: error: standard output: cannot write: File too large\n",
    )


# Another editor saves the file between fmt's read and its write


def edit_during_format(monkeypatch, edit) -> None:
    """Make fmt's own reading step end with `edit(path)`, as if an editor saved meanwhile."""
    import nephrokb.editing.fmt

    canonical_form = nephrokb.editing.fmt.canonical_form

    def canonical_form_then_edit(path, **options):
        forms = canonical_form(path, **options)
        edit(path)
        return forms

    monkeypatch.setattr(nephrokb.editing.fmt, "canonical_form", canonical_form_then_edit)


def save_in_place_same_size_and_time(path: Path) -> None:
    """Change bytes without changing size or mtime: only the content hash can tell."""
    status = path.stat()
    text = path.read_bytes()
    path.write_bytes(text.replace(b"e:d", b"e:x"))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


def save_by_rename(path: Path) -> None:
    """Save as many editors do: a new file renamed over the old (a new inode)."""
    fresh = path.with_name("editor-save.tmp")
    fresh.write_text(NOT_CANONICAL + "e:new e:b e:c .\n", encoding="utf-8")
    os.replace(fresh, path)


@pytest.mark.parametrize("edit", [save_in_place_same_size_and_time, save_by_rename])
def test_fmt_refuses_to_replace_a_file_saved_after_it_was_read(tmp_path, monkeypatch, edit):
    edited = tmp_path / "edited.ttl"
    edited.write_text(NOT_CANONICAL, encoding="utf-8")
    untouched = tmp_path / "untouched.ttl"
    untouched.write_text(NOT_CANONICAL, encoding="utf-8")
    saved = {}

    def edit_one(path):
        if path.name == "edited.ttl":
            edit(path)
            saved["bytes"] = path.read_bytes()

    edit_during_format(monkeypatch, edit_one)
    result = run("fmt", str(edited), str(untouched))
    assert result.exit_code == 2
    assert result.stdout == f"reformatted {untouched}\n"
    assert result.stderr == (
        f"nephrokb: error: {edited}: changed on disk after it was read; "
        "left as it is (run the command again)\n"
    )
    assert edited.read_bytes() == saved["bytes"]
    assert untouched.read_text(encoding="utf-8") != NOT_CANONICAL
    assert leftovers(tmp_path) == []


# A run killed mid-write, then the next run


def kill_mid_write(target: Path) -> None:
    """Start a write of `target` in a child process and SIGKILL it before the rename."""
    script = textwrap.dedent(
        f"""
        import os, sys
        from nephrokb import output
        def stall(descriptor):
            print("writing", flush=True)
            sys.stdin.read()  # wait here, mid-write, until killed
        os.fsync = stall
        output.write_output({str(target)!r}, b"x" * 1_000_000)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert child.stdout.readline() == b"writing\n"
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=10) == -signal.SIGKILL


def test_an_exception_inside_the_serializer_leaves_the_file_alone(tmp_path, monkeypatch):
    from nephrokb.exporters import EXPORTERS

    target = tmp_path / "out.nt"
    target.write_bytes(ORIGINAL)

    def exploding(graph):
        raise RuntimeError("serializer crashed")

    monkeypatch.setitem(EXPORTERS, "nt", exploding)
    with pytest.raises(RuntimeError, match="serializer crashed"):
        run("export", "--format", "nt", "--output", str(target))
    assert target.read_bytes() == ORIGINAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt"]


def test_fmt_killed_before_the_rename_leaves_the_source_byte_identical(tmp_path):
    source = tmp_path / "kb.ttl"
    source.write_text(NOT_CANONICAL, encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import os
        def die(source, destination):
            os.kill(os.getpid(), 9)
        os.replace = die
        from nephrokb.editing.fmt import format_files
        format_files([{str(source)!r}])
        """
    )
    completed = subprocess.run([sys.executable, "-c", script], check=False)
    assert completed.returncode == -signal.SIGKILL
    assert source.read_text(encoding="utf-8") == NOT_CANONICAL


def test_a_killed_write_keeps_the_original_and_the_next_run_removes_its_stale_file(tmp_path):
    target = tmp_path / "kb.nt"
    target.write_bytes(ORIGINAL)
    unrelated = [".notes.tmp", ".kb.nt.nephrokb-short.tmp", "kb.nt.nephrokb-0123456789ab.tmp"]
    for name in unrelated:
        (tmp_path / name).write_bytes(b"not ours\n")
    kill_mid_write(target)
    assert target.read_bytes() == ORIGINAL
    (stale,) = leftovers(tmp_path)
    kill_mid_write(target)  # a second interrupted run, too recent to be called stale
    (recent,) = set(leftovers(tmp_path)) - {stale}
    hours_ago = time.time() - 2 * STALE_AFTER_SECONDS
    for name in [stale, *unrelated]:
        os.utime(tmp_path / name, (hours_ago, hours_ago))

    result = export_minimal(target)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"nephrokb: {tmp_path / stale}: removed, a temporary file left by an interrupted run\n"
    )
    assert target.read_bytes() == expected_bytes("export")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["kb.nt", recent, *unrelated])


@pytest.mark.slow
def test_a_stale_site_build_is_removed_by_the_next_site_run(tmp_path):
    stale = tmp_path / ".site.nephrokb-0123456789ab.tmp"
    (stale / "images").mkdir(parents=True)
    (stale / "index.html").write_bytes(b"half built\n")
    hours_ago = time.time() - 2 * STALE_AFTER_SECONDS
    os.utime(stale, (hours_ago, hours_ago))
    result = run("site", "--output", str(tmp_path / "site"), "--data", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert (
        result.stderr
        == f"nephrokb: {stale}: removed, a temporary file left by an interrupted run\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


# The site: built beside its folder and renamed into place


@pytest.mark.slow
def test_site_replaces_its_folder_keeping_other_files_and_a_symlink(tmp_path):
    real = tmp_path / "public"
    real.mkdir(mode=0o750)
    real.chmod(0o750)
    (real / "CNAME").write_bytes(b"kb.example.org\n")
    (real / "index.html").write_bytes(b"old index\n")
    (real / "images").mkdir()
    (real / "images" / "logo.png").write_bytes(b"logo")
    link = tmp_path / "site"
    link.symlink_to("public")
    result = run("site", "--output", str(link), "--data", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert (real / "CNAME").read_bytes() == b"kb.example.org\n"
    assert (real / "images" / "logo.png").read_bytes() == b"logo"
    assert (real / "index.html").read_bytes().startswith(b"<!DOCTYPE html>")
    assert stat.S_IMODE(real.stat().st_mode) == 0o750
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "site"]


@pytest.mark.slow
def test_site_is_swapped_in_by_two_renames_where_no_atomic_exchange_exists(tmp_path, monkeypatch):
    from nephrokb import output

    monkeypatch.setattr(output, "exchange_paths", lambda first, second: False)
    site = tmp_path / "site"
    site.mkdir()
    (site / "CNAME").write_bytes(b"kb.example.org\n")
    (site / "index.html").write_bytes(b"old index\n")
    result = run("site", "--output", str(site), "--data", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert (site / "CNAME").read_bytes() == b"kb.example.org\n"
    assert (site / "index.html").read_bytes().startswith(b"<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.slow
def test_a_mounted_site_folder_has_each_file_replaced_in_place(tmp_path):
    site = tmp_path / "volume"
    site.mkdir()
    why_not = mount_tmpfs(site, "4m")
    if why_not:
        pytest.skip(f"a mount point is needed: {why_not}")
    try:
        (site / "CNAME").write_bytes(b"kb.example.org\n")
        before = identity(site)
        result = run("site", "--output", str(site), "--data", str(MINIMAL))
        assert result.exit_code == 0, result.output
        assert identity(site) == before
        assert (site / "CNAME").read_bytes() == b"kb.example.org\n"
        assert (site / "index.html").read_bytes().startswith(b"<!DOCTYPE html>")
        assert leftovers(site) == []
    finally:
        unmount(site)


@pytest.mark.slow
def test_site_into_the_working_folder_leaves_that_folder_in_place(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "CNAME").write_bytes(b"kb.example.org\n")
    before = identity(site)
    completed = subprocess.run(
        [NEPHROKB, "site", "--output", ".", "--data", str(MINIMAL)],
        cwd=site,
        capture_output=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert identity(site) == before  # the shell in this folder is not left in a removed one
    assert (site / "CNAME").read_bytes() == b"kb.example.org\n"
    assert (site / "index.html").read_bytes().startswith(b"<!DOCTYPE html>")
    assert leftovers(site) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["site"]
