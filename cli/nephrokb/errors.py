"""The exceptions nephrokb raises; the CLI turns each into one line on stderr and exit code 2."""

from __future__ import annotations

import errno

STANDARD_OUTPUT_DESCRIPTOR = 1


class NephroKBError(Exception):
    """A job that could not be done, with the file and line it concerns when known."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        location = ""
        if self.path is not None:
            location = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{location}{self.message}"


class InputError(NephroKBError):
    """Input that cannot be read or parsed: missing file, bad encoding, malformed RDF."""


class ShapesError(NephroKBError):
    """SHACL shapes that pyshacl cannot use."""


class QueryError(NephroKBError):
    """A SPARQL query that cannot be run: syntax error, update, unknown name."""


class EndpointError(NephroKBError):
    """A SPARQL endpoint that cannot be reached or answers with an error."""


class SiteError(NephroKBError):
    """A site page its template cannot render, with the template's name and line."""


class OutputError(NephroKBError):
    """An output that cannot be written: full disk, read-only folder, closed pipe, a folder.

    `closed_standard_output` is true when standard output's reader has gone (`| head`):
    the CLI then ends quietly, as Unix tools do.
    """

    def __init__(self, message: str, *, path: str, closed_standard_output: bool = False):
        super().__init__(message, path=path)
        self.closed_standard_output = closed_standard_output

    @classmethod
    def from_os_error(cls, error: OSError, path: str, descriptor: int | None = None) -> OutputError:
        """Translate an OSError met while writing `path` (on `descriptor`, if known)."""
        return cls(
            f"cannot write: {error.strerror or error}",
            path=path,
            closed_standard_output=error.errno == errno.EPIPE
            and descriptor == STANDARD_OUTPUT_DESCRIPTOR,
        )
