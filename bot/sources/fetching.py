"""One web page (HTML or PDF) fetched for the knowledge folder, safely.

A URL an admin gives can point anywhere, so every hop is checked before it is connected to:
the host is resolved once, each address it gives must be a public one (no loopback, private,
link-local, multicast or reserved range, IPv4-mapped IPv6 included) unless `allow_private`,
and the connection goes to that checked address, with the host name kept for the Host header
and TLS (SNI and certificate): a second DNS lookup could otherwise answer differently (DNS
rebinding). Redirects are followed by hand, each one checked the same way. The body is read in
chunks up to `max_bytes`, the whole fetch bounded in time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from bot.sources.parsing import DocumentError

# Content types kept, and the file suffix each is saved with.
KINDS = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf"}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
USER_AGENT = "docs-answer-bot (+https://github.com/; fetches pages an admin adds)"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]


class FetchError(DocumentError):
    """The page could not be fetched or is not one the bot keeps; the message says why, and
    `status` is the server's answer when it gave one (404, 410, ...)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FetchLimits:
    """How much one fetch may take."""

    max_bytes: int = 10 * 1024 * 1024
    seconds: float = 30.0
    max_redirects: int = 5
    allow_private: bool = False


@dataclass(frozen=True)
class Fetched:
    """A page as the server sent it."""

    url: str  # after redirects
    suffix: str  # ".html" or ".pdf"
    data: bytes
    fetched_at: str  # ISO 8601, UTC
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class NotModified:
    """A conditional request's answer 304: the page is as it was when last fetched."""

    url: str  # after redirects


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The headers asking for the page only if it changed since the fetch that gave these."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def refused_address(address: Address) -> str | None:
    """Why the bot will not connect to this address, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private address"
    if address.is_multicast or address.is_reserved or address.is_unspecified:
        return "a reserved address"
    if not address.is_global:
        return "an address that is not public"
    return None


async def system_resolve(host: str, port: int) -> list[str]:
    """The host's addresses, from the system's resolver, looked up once."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot find the host {host}: {exc.strerror or exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _split(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or FetchError."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"not a valid URL: {url[:200]}") from exc
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"only http:// and https:// pages can be added, not {url[:200]}")
    if parts.username or parts.password:
        raise FetchError("a URL with a user name or password is not fetched")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def checked_address(host: str, port: int, limits: FetchLimits,
                          resolve: Resolver = system_resolve) -> str:
    """The address to connect to for host: one it resolves to, every one of them allowed."""
    try:
        literal: Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    found = [str(literal)] if literal else await resolve(host, port)
    if not found:
        raise FetchError(f"cannot find the host {host}")
    if not limits.allow_private:
        for text in found:
            reason = refused_address(ipaddress.ip_address(text.split("%", 1)[0]))
            if reason:
                # Every address is checked: a name giving a public and a private one must not
                # reach the private one on a retry.
                raise FetchError(f"{host} is {reason} ({text}); pages there are not fetched")
    return found[0]


def _direct_url(url: str, address: str) -> str:
    """The URL with its host replaced by the checked address."""
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


async def fetch(url: str, limits: FetchLimits = FetchLimits(),
                resolve: Resolver = system_resolve,
                transport: httpx.AsyncBaseTransport | None = None,
                kinds: Mapping[str, str] = KINDS) -> Fetched:
    """The page at url, after at most `limits.max_redirects` checked redirects; refused
    unless its content type is one of `kinds` (a web page or a PDF; a sitemap for a crawl)."""
    page = await fetch_if_changed(url, {}, limits, resolve, transport, kinds)
    if isinstance(page, NotModified):  # only a conditional request may be answered so
        raise FetchError(f"the server answered 304 for {url[:200]}", 304)
    return page


async def fetch_if_changed(url: str, headers: Mapping[str, str],
                           limits: FetchLimits = FetchLimits(),
                           resolve: Resolver = system_resolve,
                           transport: httpx.AsyncBaseTransport | None = None,
                           kinds: Mapping[str, str] = KINDS) -> Fetched | NotModified:
    """As `fetch`, sending `headers` too (conditional ones: `conditional_headers`), and
    NotModified when the server answers 304."""
    try:
        return await asyncio.wait_for(_fetch(url, limits, resolve, transport, kinds, headers),
                                      limits.seconds)
    except TimeoutError as exc:
        raise FetchError(f"the page took longer than {limits.seconds:.0f} s to fetch") from exc


async def _fetch(url: str, limits: FetchLimits, resolve: Resolver,
                 transport: httpx.AsyncBaseTransport | None, kinds: Mapping[str, str],
                 extra: Mapping[str, str]) -> Fetched | NotModified:
    timeout = httpx.Timeout(limits.seconds)
    async with httpx.AsyncClient(timeout=timeout, transport=transport, trust_env=False,
                                 follow_redirects=False) as client:
        for _ in range(limits.max_redirects + 1):
            scheme, host, port = _split(url)
            address = await checked_address(host, port, limits, resolve)
            default = port == (443 if scheme == "https" else 80)
            # The caller's headers never replace these, in any case: Host names the checked host.
            headers = httpx.Headers(extra)
            headers.update({"Host": host if default else f"{host}:{port}",
                            "User-Agent": USER_AGENT, "Accept": "text/html, application/pdf",
                            "Accept-Encoding": "gzip, deflate"})
            extensions = {"sni_hostname": host} if scheme == "https" else {}
            request = client.build_request("GET", _direct_url(url, address), headers=headers,
                                           extensions=extensions)
            try:
                response = await client.send(request, stream=True)
            except httpx.HTTPError as exc:
                raise FetchError(f"cannot fetch {url[:200]}: {exc}") from exc
            try:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code == 304 and extra:
                    return NotModified(url)
                return await _read(url, response, limits, kinds)
            finally:
                await response.aclose()
    raise FetchError(f"more than {limits.max_redirects} redirects")


async def _read(url: str, response: httpx.Response, limits: FetchLimits,
                kinds: Mapping[str, str]) -> Fetched:
    if response.status_code != 200:
        raise FetchError(f"the server answered {response.status_code} for {url[:200]}",
                         response.status_code)
    kind = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind not in kinds:
        wanted = "a web page or a PDF" if kinds is KINDS else "what was asked for"
        raise FetchError(f"not {wanted} (content type {kind or 'none'})")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(f"the page is over {limits.max_bytes // (1024 * 1024)} MB")
    body = bytearray()
    try:
        async for chunk in response.aiter_raw(_CHUNK):
            body += chunk
            if len(body) > limits.max_bytes:
                raise FetchError(f"the page is over {limits.max_bytes // (1024 * 1024)} MB")
    except httpx.HTTPError as exc:
        raise FetchError(f"the page broke off: {exc}") from exc
    data = bytes(body)
    if response.headers.get("content-encoding", "identity").lower() not in {"identity", ""}:
        # aiter_raw keeps the bytes as sent, so the size limit counts them; decode after.
        data = _decoded(data, response.headers["content-encoding"], limits)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Fetched(url, kinds[kind], data, now, response.headers.get("etag"),
                   response.headers.get("last-modified"))


def _decoded(data: bytes, encoding: str, limits: FetchLimits) -> bytes:
    """gzip or deflate bodies inflated, no further than max_bytes (a small bomb stays small)."""
    import zlib

    encoding = encoding.lower().strip()
    if encoding not in {"gzip", "x-gzip", "deflate"}:
        raise FetchError(f"unsupported content encoding {encoding}")
    inflater = zlib.decompressobj(wbits=47 if "gzip" in encoding else 15)
    try:
        out = inflater.decompress(data, limits.max_bytes + 1)
    except zlib.error as exc:
        raise FetchError(f"the page's {encoding} body is broken") from exc
    if len(out) > limits.max_bytes:
        raise FetchError(f"the page is over {limits.max_bytes // (1024 * 1024)} MB")
    return out


def page_fields(page: Fetched) -> dict[str, str]:
    """What is written into a fetched page's file: its URL, and for HTML what a later re-fetch
    needs for a conditional request (a PDF's document information holds the URL only)."""
    fields = {"url": page.url}
    if page.suffix != ".pdf":
        fields["fetched"] = page.fetched_at
        fields.update({k: v for k, v in (("etag", page.etag),
                                         ("last_modified", page.last_modified)) if v})
    return fields


def file_name(url: str, suffix: str) -> tuple[str, str]:
    """(folder under the knowledge folder, file name) for a page: web/<host>/<path slug>."""
    parts = urlsplit(url)
    host = (parts.hostname or "site").lower()
    path = parts.path.strip("/")
    if path.lower().endswith((".html", ".htm", ".pdf")):
        path = path.rsplit(".", 1)[0]
    stem = path.replace("/", "-") or "index"
    if parts.query:
        stem += "-" + parts.query
    # uploads.safe_name cleans it further; two URLs with one name get "-2" (free_path).
    return f"web/{host}", f"{stem[:80]}{suffix}"
