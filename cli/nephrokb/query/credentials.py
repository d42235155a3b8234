"""Find the credentials for an endpoint: from the environment, else from ~/.netrc.

Credentials never come from the command line, where they would end up in shell history and
process listings. In order of precedence:

- NEPHROKB_ENDPOINT_TOKEN: sent with every request as `Authorization: Bearer <token>`;
- NEPHROKB_ENDPOINT_USER and NEPHROKB_ENDPOINT_PASSWORD: sent only when the server asks,
  with HTTP Digest if it challenges for Digest, else HTTP Basic;
- the netrc entry for the endpoint's host (the file NETRC names, else ~/.netrc): the same.

A Credentials object never shows its secrets in `repr` or `str`; `redact` removes them
from any text before it is shown.
"""

from __future__ import annotations

import base64
import netrc
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from nephrokb.errors import EndpointError

TOKEN_VARIABLE = "NEPHROKB_ENDPOINT_TOKEN"
USER_VARIABLE = "NEPHROKB_ENDPOINT_USER"
PASSWORD_VARIABLE = "NEPHROKB_ENDPOINT_PASSWORD"
NETRC_VARIABLE = "NETRC"
REDACTED = "***"


@dataclass(frozen=True)
class Credentials:
    """An Authorization header value and where it came from (never the secret itself).

    `user` and `password` are set for a user and password, which can answer a Digest
    challenge too; a token has neither.
    """

    source: str
    authorization: str = field(repr=False)
    secrets: tuple[str, ...] = field(repr=False)
    user: str = ""
    password: str = field(default="", repr=False)

    @property
    def sent_unasked(self) -> bool:
        """True for a token, sent with every request; a password waits for a challenge."""
        return not self.password

    def __str__(self) -> str:
        if self.sent_unasked:
            return self.sent_as(self.authorization.split()[0])
        return self.sent_as("Basic or Digest") + ", if the server asks"

    def sent_as(self, scheme: str) -> str:
        """Describe these credentials as sent with `scheme` (Basic, Digest, Bearer)."""
        return f"{scheme} credentials from {self.source}"

    def redact(self, text: str) -> str:
        """Return `text` with every secret (and the encoded header) replaced by ***."""
        for secret in sorted({*self.secrets, self.authorization}, key=len, reverse=True):
            if secret:
                text = text.replace(secret, REDACTED)
        return text


def basic(user: str, password: str, source: str) -> Credentials:
    """Return HTTP Basic credentials for `user` and `password`."""
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return Credentials(source, f"Basic {encoded}", (password, encoded), user, password)


def credentials_for(host: str, environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Return the credentials to send to `host`, or None when none are configured."""
    environ = os.environ if environ is None else environ
    token = environ.get(TOKEN_VARIABLE)
    if token:
        return Credentials(TOKEN_VARIABLE, f"Bearer {token}", (token,))
    user, password = environ.get(USER_VARIABLE), environ.get(PASSWORD_VARIABLE)
    if user or password:
        if not (user and password):
            missing = PASSWORD_VARIABLE if user else USER_VARIABLE
            raise EndpointError(
                f"{USER_VARIABLE} and {PASSWORD_VARIABLE} go together; {missing} is not set"
            )
        return basic(user, password, f"{USER_VARIABLE}/{PASSWORD_VARIABLE}")
    return netrc_credentials(host, environ.get(NETRC_VARIABLE))


def netrc_credentials(host: str, path: str | None) -> Credentials | None:
    """Return Basic credentials from the netrc entry for `host` (or its `default` entry)."""
    shown = path or "~/.netrc"
    try:
        entries = netrc.netrc(path)
    except FileNotFoundError:
        return None
    except netrc.NetrcParseError as error:
        if error.msg.startswith("~/.netrc"):  # the ownership and permission checks
            raise EndpointError(error.msg) from None
        # A syntax error's message quotes a token of the file, which may be a password, and
        # its line number is often one past the error, so neither is shown.
        raise EndpointError(
            f"{shown}: cannot parse the netrc file "
            "(expected: machine HOST login USER password PASSWORD)"
        ) from None
    except OSError as error:
        raise EndpointError(f"{shown}: cannot read: {error.strerror}") from None
    entry = entries.authenticators(host.lower())
    if entry is None:
        return None
    login, _, password = entry
    if not login or not password:
        return None
    return basic(login, password, shown)
