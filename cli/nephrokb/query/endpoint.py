"""Send HTTP requests to SPARQL servers: credentials, timeouts, retries, redirects, errors.

`send` is the transport that remote queries (`query.remote_queries`) and `publish` share.
HTTP goes through the standard library's urllib, not rdflib's SPARQLConnector: nephrokb
needs an explicit timeout, retries, content negotiation it checks, an Authorization header
that is never forwarded on a redirect, and every transport failure turned into one
EndpointError. A token is sent with every request; a user and password only when the
server asks (HTTP 401 or 403), as curl's --anyauth does: with HTTP Digest when it
challenges for Digest (Virtuoso's /sparql-graph-crud-auth does, and refuses Basic), else
HTTP Basic. urllib's HTTPDigestAuthHandler computes the Digest answer, so no new dependency
is needed.

The knowledge lives in a named graph on the server (`namespaces.KNOWLEDGE_GRAPH`, where
`nephrokb publish` puts it); DEFAULT_GRAPH names the server's own default graph instead.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from time import monotonic, sleep

from nephrokb.errors import EndpointError
from nephrokb.query.credentials import Credentials, credentials_for

DEFAULT_TIMEOUT = 30.0
DEFAULT_GRAPH = "default"
LONGEST_DETAIL = 200
READ_SIZE = 1 << 16
RETRIED_STATUSES = frozenset({502, 503, 504})
# Statuses that usually mean the URL names the wrong service (406: a Graph Store or web
# page URL asked for SPARQL results).
WRONG_SERVICE_STATUSES = frozenset({404, 405, 406, 415})
READ_ONLY_HINT = (
    "the endpoint is read-only: it takes no changes, as 'nephrokb serve' never does; "
    "publish to a server's read-write Graph Store URL"
)
CREDENTIALS_HINT = (
    "the server wants credentials: set NEPHROKB_ENDPOINT_TOKEN, or "
    "NEPHROKB_ENDPOINT_USER and NEPHROKB_ENDPOINT_PASSWORD, or add the host to ~/.netrc"
)


@dataclass(frozen=True)
class Retry:
    """How to retry a request the server cannot serve for now (HTTP 502, 503 or 504)."""

    attempts: int = 3
    first_delay: float = 0.5

    def delay(self, attempt: int) -> float:
        """Return the seconds to wait after failed attempt number `attempt` (1-based)."""
        return self.first_delay * 2 ** (attempt - 1)


@dataclass(frozen=True)
class Response:
    """An HTTP answer: status, media type (lowercase, no parameters), charset, body, Location.

    `challenge` is its WWW-Authenticate header; `sent_scheme` the scheme of the
    Authorization header the request last carried (Basic, Digest, Bearer), or "".
    """

    status: int
    reason: str
    media_type: str
    charset: str
    body: bytes
    location: str = ""
    challenge: str = ""
    sent_scheme: str = ""

    def text(self) -> str:
        """Return the body decoded with its charset (UTF-8 when it names none or an unknown one)."""
        try:
            return self.body.decode(self.charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def check_url(url: str) -> urllib.parse.SplitResult:
    """Return the parts of an http(s) URL, refusing other schemes and embedded credentials."""
    parts = urllib.parse.urlsplit(url)
    if "@" in parts.netloc:
        # Checked first, and the URL never echoed: the part before @ holds a password.
        raise EndpointError(
            "the endpoint URL holds credentials; remove them and set NEPHROKB_ENDPOINT_TOKEN, "
            "or NEPHROKB_ENDPOINT_USER and NEPHROKB_ENDPOINT_PASSWORD, or use ~/.netrc"
        )
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise EndpointError(f"'{url.strip()}' is not a URL: it holds spaces or control characters")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError(f"'{url}' is not an http:// or https:// URL")
    return parts


def check_graph(graph: str) -> str:
    """Return `graph` if it is an absolute IRI or DEFAULT_GRAPH, else raise EndpointError."""
    if graph == DEFAULT_GRAPH or re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+", graph):
        return graph
    raise EndpointError(f"the graph must be an absolute IRI or '{DEFAULT_GRAPH}', not '{graph}'")


def url_with(url: str, params: Sequence[tuple[str, str]]) -> str:
    """Return `url` with `params` added to its query string, percent-encoded."""
    if not params:
        return url
    separator = "&" if "?" in url else "?"
    return url + separator + form_encode(params)


def form_encode(params: Sequence[tuple[str, str]]) -> str:
    """Encode name=value pairs, spaces as %20: every server reads that, not all read +."""
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def send(
    method: str,
    url: str,
    *,
    params: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retry: Retry | None = None,
    service: str = "SPARQL endpoint",
) -> Response:
    """Send one request to `url` (plus `params`), retrying 502/503/504 as `retry` says.

    Credentials come from credentials_for; `timeout` bounds the connection and each wait
    for data. Anything but a 2xx answer raises EndpointError naming `url` (never `params`,
    which may be a long query) and never a credential. `service` names what `url`
    should be, for the hint given when the server says there is no such thing.
    """
    parts = check_url(url)
    credentials = credentials_for(parts.hostname or "")
    retry = retry or Retry()
    attempt = 1
    while True:
        try:
            response = exchange(method, url_with(url, params), body, headers, timeout, credentials)
        except (OSError, http.client.HTTPException) as failure:
            error = transport_error(failure, url, parts, timeout, service)
            raise redacted(error, credentials) from None
        if response.status in RETRIED_STATUSES and attempt < retry.attempts:
            sleep(retry.delay(attempt))
            attempt += 1
            continue
        if response.status >= 300:
            error = status_error(response, url, credentials, service, attempt, method)
            raise redacted(error, credentials) from None
        return response


def exchange(
    method: str,
    url: str,
    body: bytes | None,
    headers: Mapping[str, str] | None,
    timeout: float,
    credentials: Credentials | None,
) -> Response:
    """Make one HTTP request and read the whole answer, whatever its status."""
    request = urllib.request.Request(url, data=body, headers=dict(headers or {}), method=method)
    if credentials is not None and credentials.sent_unasked:
        # Unredirected: urllib would otherwise send the header on to wherever a redirect points.
        request.add_unredirected_header("Authorization", credentials.authorization)
    try:
        with opener(url, credentials).open(request, timeout=timeout) as answer:
            response = read_response(answer, answer.status, answer.reason, timeout)
    except urllib.error.HTTPError as error:
        with error:
            response = read_response(error, error.code, error.reason, timeout)
    sent = request.get_header("Authorization", "").partition(" ")[0]
    return replace(response, sent_scheme=sent)


@cache
def tls_context():
    """Return a TLS context that verifies certificates against the system's CA bundle.

    Cached: loading the system's CA certificates takes ~100 ms.
    """
    return ssl.create_default_context()


def opener(url: str, credentials: Credentials | None):
    """Return a urllib opener that verifies TLS, follows redirects only for GET and HEAD,
    and answers a 401 or 403 from `url`'s host with the credentials' user and password.
    """

    class SafeRedirects(urllib.request.HTTPRedirectHandler):
        """Leave redirects of POST and PUT unfollowed: urllib would resend them as GETs."""

        def redirect_request(self, request, answer, code, message, headers, new_url):
            if request.get_method() not in ("GET", "HEAD"):
                return None
            return super().redirect_request(request, answer, code, message, headers, new_url)

    class AnswerChallenge(urllib.request.HTTPDigestAuthHandler):
        """Send the password only when the endpoint's host asks, and only once per request.

        Digest when the server challenges for Digest (urllib computes the answer), else
        Basic, which a server may take without challenging for it (a bare 401 or 403). A
        request answered this way is sent twice, body included.
        """

        def http_error_401(self, request, answer, code, message, headers):
            user, _ = self.passwd.find_user_password(None, request.full_url)
            if user is None or request.get_header("Authorization"):
                return None
            challenge = headers.get("WWW-Authenticate") or ""
            if challenge.partition(" ")[0].lower() == "digest":
                return self.retry_http_digest_auth(request, challenge)
            request.add_unredirected_header("Authorization", credentials.authorization)
            return self.parent.open(request, timeout=request.timeout)

        http_error_403 = http_error_401

    handlers = [urllib.request.HTTPSHandler(context=tls_context()), SafeRedirects]
    if credentials is not None and not credentials.sent_unasked:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        host = urllib.parse.urlsplit(url)
        passwords.add_password(
            None, f"{host.scheme}://{host.netloc}/", credentials.user, credentials.password
        )
        handlers.append(AnswerChallenge(passwords))
    return urllib.request.build_opener(*handlers)


def read_response(answer, status: int, reason: str, timeout: float) -> Response:
    """Read an answer's body, giving up when the whole of it takes longer than `timeout`.

    Each read waits at most `timeout` (the socket's), so a server that trickles its
    answer is cut off soon after the deadline.
    """
    deadline = monotonic() + timeout
    chunks = []
    if getattr(answer, "fp", answer) is not None:  # an HTTPError may carry no body
        while chunk := answer.read1(READ_SIZE):
            chunks.append(chunk)
            if monotonic() > deadline:
                raise TimeoutError("the answer took too long")
    headers = answer.headers
    content_type = (headers.get("Content-Type") or "") if headers else ""
    charset = (headers.get_content_charset() if headers else None) or "utf-8"
    media_type = content_type.split(";")[0].strip().lower()
    location = (headers.get("Location") or "") if headers else ""
    challenge = (headers.get("WWW-Authenticate") or "") if headers else ""
    body = b"".join(chunks)
    return Response(status, str(reason or ""), media_type, charset, body, location, challenge)


def transport_error(
    error: Exception, url: str, parts: urllib.parse.SplitResult, timeout: float, service: str
) -> EndpointError:
    """Translate a failure to connect, resolve, negotiate TLS or read into an EndpointError.

    A timeout names `service` too: some servers never answer a request meant for another of
    their URLs (Virtuoso, sent a Graph Store PUT at its query URL).
    """
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    address = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    if isinstance(reason, TimeoutError) or reason == "timed out":
        message = (
            f"no answer within {timeout:g} s "
            f"(raise --timeout if the server is slow; is this URL a {service}?)"
        )
    elif isinstance(reason, ConnectionRefusedError):
        message = f"connection refused by {address} (is the server running on that port?)"
    elif isinstance(reason, socket.gaierror):
        message = f"cannot resolve the host name '{parts.hostname}'"
    elif isinstance(reason, ssl.SSLCertVerificationError):
        message = (
            f"the TLS certificate of {parts.hostname} is not trusted ({reason.verify_message}); "
            "point SSL_CERT_FILE at your CA bundle if the server uses a private CA"
        )
    elif isinstance(reason, ssl.SSLError):
        message = f"TLS failed with {address}: {reason.reason or reason}"
    elif isinstance(reason, http.client.HTTPException | ConnectionResetError):
        message = f"{address} closed the connection without a valid HTTP answer"
    elif isinstance(reason, OSError):
        message = f"cannot reach {address}: {reason.strerror or reason}"
    else:
        message = f"cannot reach {address}: {reason}"
    return EndpointError(message, path=url)


def status_error(
    response: Response,
    url: str,
    credentials: Credentials | None,
    service: str,
    attempts: int,
    method: str,
) -> EndpointError:
    """Describe an HTTP error answer: status, reason, the server's own short message, a hint."""
    message = f"HTTP {response.status} {response.reason}".rstrip()
    detail = error_detail(response)
    if detail:
        message += f": {detail}"
    sent = credentials.sent_as(response.sent_scheme) if credentials and response.sent_scheme else ""
    if response.status == 403 and method == "PUT" and not response.challenge:
        # Forbidden with no way offered to authenticate: the server takes no changes.
        if sent:
            message += f" (the endpoint is read-only, or {sent} may not write)"
        else:
            message += f" ({READ_ONLY_HINT})"
    elif response.status in (401, 403):
        message += f" (sent {sent})" if sent else f" ({CREDENTIALS_HINT})"
    elif response.status in WRONG_SERVICE_STATUSES:
        message += f" (is this URL a {service}?)"
    elif 300 <= response.status < 400:
        message += f" (use the URL it redirects to: {response.location or 'not given'})"
    if attempts > 1:
        message += f" after {attempts} tries"
    return EndpointError(message, path=url)


def error_detail(response: Response) -> str:
    """Return the first LONGEST_DETAIL characters of a plain-text error body, on one line."""
    if response.media_type not in ("text/plain", "application/json"):
        return ""
    detail = " ".join(response.text().split())
    if len(detail) > LONGEST_DETAIL:
        return detail[: LONGEST_DETAIL - 3] + "..."
    return detail


def redacted(error: EndpointError, credentials: Credentials | None) -> EndpointError:
    """Return `error` with any credential removed from its message."""
    if credentials is None:
        return error
    return EndpointError(credentials.redact(error.message), path=error.path, line=error.line)
