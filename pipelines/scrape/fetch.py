"""Polite HTTP for government portals: httpx with timeouts, tenacity retries, one request at a time
per host with a minimum gap, robots.txt, redirects followed by hand (so no hop leaves the
catalogue's hosts), a body-size cap and conditional requests.

Every outcome is a ``FetchResult``; nothing raises for a bad URL or a bad server, so one broken
page never stops a crawl. ``requested`` lists every URL actually sent, for audit and tests.

Anti-bot answers (瑞数 412 + ``$_ts``, 加速乐 521/512 + ``__jsl_clearance`` cookies, EdgeOne and
"访问被拦截" pages, also when served with 200) are ``blocked``: never retried, never solved, the body
kept for a person. The challenged path prefix (the URL's folder) is left alone for the rest of the
crawl; the rest of the host is not, until the catalogue's ``challenged_prefixes_to_leave_host``
distinct prefixes of it have been challenged (a portal often protects one department's list only).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from pipelines.scrape.catalog import Catalog, Source

ROBOTS_AGENT = "nianbao"


class _RetryableStatus(Exception):
    def __init__(self, status: int, headers: httpx.Headers) -> None:
        super().__init__(f"HTTP {status}")
        self.status, self.headers = status, headers


class _TooLarge(Exception):
    pass


# What anti-bot vendors' challenge pages carry (../shared/research/cms_listing_patterns.md §4)
_CHALLENGE = re.compile(rb"\$_ts\s*=|\$_ts\[|__jsl_clearance|__jsluid|EO_Bot_Ssid|WTKkN|" + "访问被拦截".encode())
_CHALLENGE_STATUSES = {412, 512, 521}
_CHALLENGE_MAX_BYTES = 64 * 1024  # challenge pages are small; a real page merely mentioning one is not


def challenge_prefix(url: str) -> str:
    """The path prefix an anti-bot answer is taken to cover: the URL's folder (``/jyj/nb/`` for
    ``/jyj/nb/index.html``; ``/`` for the host's root). A protected department's list and its later
    pages share it; its siblings (other departments, the portal's own column) do not."""
    path = urlsplit(url).path or "/"
    return path[: path.rfind("/") + 1] or "/"


def challenge(status: int, headers: httpx.Headers | dict[str, str], body: bytes) -> bool:
    """True when a response is an anti-bot challenge rather than the page asked for."""
    cookies = " ".join(v for k, v in headers.items() if k.lower() == "set-cookie")
    marked = bool(_CHALLENGE.search(body[:_CHALLENGE_MAX_BYTES])) or "__jsluid" in cookies or "__jsl_clearance" in cookies
    if status == 412:
        return True  # 瑞数: "almost always a challenge page"
    if status in _CHALLENGE_STATUSES:
        return marked
    return 200 <= status < 300 and len(body) <= _CHALLENGE_MAX_BYTES and marked


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    not_modified: bool = False
    error_type: str | None = None  # timeout | connection_error | http_error | too_large | redirect_loop |
    #                                too_many_redirects | off_catalog | robots_disallowed | private_address | bad_scheme |
    #                                blocked (an anti-bot challenge: ``body`` holds it)
    error: str | None = None
    attempts: int = 0
    challenged_prefix: str | None = None  # blocked by an answer to this request: host + the path prefix now left alone
    left_host: bool = False  # that answer was the one that made the crawl leave the whole host
    refused_url: str | None = None  # off_catalog: the URL not requested (a redirect's target on another host)

    @property
    def ok(self) -> bool:
        return self.error_type is None

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def charset(self) -> str | None:
        if not self.content_type:
            return None
        msg = Message()
        msg["content-type"] = self.content_type
        return msg.get_param("charset")  # type: ignore[return-value]


Resolver = Callable[[str], list[str]]  # host name → its IP addresses


def resolve_host(host: str) -> list[str]:
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, None)})
    except (socket.gaierror, UnicodeError):
        return []  # unresolvable: the request itself fails as a connection error


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified


class Fetcher:
    def __init__(self, catalog: Catalog, transport: httpx.BaseTransport | None = None,
                 resolver: Resolver = resolve_host) -> None:
        self.catalog = catalog
        self.resolver = resolver
        timeout = httpx.Timeout(catalog.read_timeout_seconds, connect=catalog.connect_timeout_seconds)
        # The connection cap: however many hosts a crawl visits, at most this many sockets are open
        # (idle keep-alive ones included), so memory and file descriptors follow the concurrency.
        limits = httpx.Limits(max_connections=catalog.max_connections,
                              max_keepalive_connections=min(catalog.max_connections, catalog.max_concurrent_sources))
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False, transport=transport,
                                   headers={"User-Agent": catalog.user_agent}, limits=limits,
                                   proxy=catalog.proxy)
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._host_next: dict[str, float] = {}
        self._robots: dict[str, Protego | None] = {}
        self._unreachable: dict[str, tuple[str, str]] = {}  # scheme://host → why its robots.txt could not be had
        self._crawl_delay: dict[str, float] = {}  # host → robots.txt Crawl-delay, when longer than the source's gap
        self.requested: list[str] = []
        self.requests_by_source: dict[str, int] = {}
        self._addresses: dict[str, list[str]] = {}  # host → addresses, once per crawl
        # host → {path prefix → the URL whose answer was a challenge}: those prefixes are left alone
        self.challenged: dict[str, dict[str, str]] = {}
        self.blocked_hosts: dict[str, str] = {}  # host → the URL whose challenge made the crawl leave the host

    def close(self) -> None:
        self.client.close()

    # -- politeness ---------------------------------------------------------------------------
    def _wait_turn(self, url: str, gap: float) -> float:
        """Block until this host's next request slot; different hosts never wait for each other.
        The gap is the source's ``rate_limit_seconds`` or the host's robots.txt Crawl-delay, the
        longer; returns it for ``_end_turn``."""
        host = urlsplit(url).netloc.lower()
        with self._lock:
            lock = self._host_locks.setdefault(host, threading.Lock())
            gap = max(gap, self._crawl_delay.get(host, 0.0))
        with lock:
            now = time.monotonic()
            start = max(now, self._host_next.get(host, 0.0))
            self._host_next[host] = start + gap
        if start > now:
            time.sleep(start - now)
        return gap

    def _end_turn(self, url: str, gap: float) -> None:
        """The gap also runs from the end of a response: the host sees at least ``gap`` between one
        request and the next however long it took to answer (a slow host is not hammered)."""
        host = urlsplit(url).netloc.lower()
        with self._lock:
            self._host_next[host] = max(self._host_next.get(host, 0.0), time.monotonic() + gap)

    # -- one request, with retries ------------------------------------------------------------
    def _send(self, url: str, source: Source, headers: dict[str, str], method: str = "GET",
              form: dict[str, str] | None = None, json: object = None) -> tuple[httpx.Response, bytes, int]:
        attempts = 0
        retrying = Retrying(
            stop=stop_after_attempt(self.catalog.retries),
            wait=wait_exponential_jitter(multiplier=self.catalog.retry_wait_seconds, max=120,
                                         jitter=self.catalog.retry_wait_seconds),
            retry=retry_if_exception_type((httpx.TimeoutException, httpx.TransportError, _RetryableStatus)),
            reraise=True,  # the last error itself, typed, not tenacity's wrapper
        )
        for attempt in retrying:
            with attempt:
                attempts += 1
                gap = self._wait_turn(url, source.rate_limit_seconds)
                with self._lock:
                    self.requested.append(url)
                    self.requests_by_source[source.name] = self.requests_by_source.get(source.name, 0) + 1
                try:
                    with self.client.stream(method, url, headers=headers, data=form, json=json) as resp:
                        if resp.status_code in _CHALLENGE_STATUSES:
                            body = self._read_capped(resp)
                            if challenge(resp.status_code, resp.headers, body):
                                return resp, body, attempts  # a challenge is an answer: retrying only feeds it
                        if resp.status_code == 429 or resp.status_code >= 500:
                            raise _RetryableStatus(resp.status_code, resp.headers)
                        body = b"" if resp.status_code in (301, 302, 303, 307, 308, 304) else self._read_capped(resp)
                        return resp, body, attempts
                finally:
                    self._end_turn(url, gap)
        raise AssertionError("unreachable")  # pragma: no cover - Retrying either returns or raises

    def _read_capped(self, resp: httpx.Response) -> bytes:
        cap = self.catalog.max_document_bytes
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise _TooLarge(f"Content-Length {declared} exceeds the {cap}-byte cap")
        chunks, total = [], 0
        for chunk in resp.iter_bytes():
            total += len(chunk)
            if total > cap:
                raise _TooLarge(f"body exceeds the {cap}-byte cap")
            chunks.append(chunk)
        return b"".join(chunks)

    # -- robots.txt ------------------------------------------------------------------------------
    def robots_allows(self, url: str, source: Source) -> bool:
        """robots.txt of the URL's host: missing (4xx) allows all; unreachable (5xx, timeout)
        disallows all for this crawl — when a site cannot say, we do not assume."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            known = key in self._robots
        if not known:
            # Protego (Scrapy's parser): Google's matching rules and fractional Crawl-delay values,
            # which the standard library's parser drops ("Crawl-delay: 0.5" is common)
            parser: Protego | None = None
            unreachable: tuple[str, str] | None = None
            try:
                resp, body, _ = self._send(key + "/robots.txt", source, {})
                if resp.status_code >= 400:
                    parser = Protego.parse("")
                elif 200 <= resp.status_code < 300:
                    parser = Protego.parse(body.decode("utf-8", "replace"))
                else:
                    parser = None
                    unreachable = ("http_error", f"robots.txt: HTTP {resp.status_code}")
            except httpx.TimeoutException as err:
                parser, unreachable = None, ("timeout", f"robots.txt: {type(err).__name__}")
            except httpx.TransportError as err:
                parser, unreachable = None, ("connection_error", f"robots.txt: {type(err).__name__}: {err}")
            except (httpx.HTTPError, _RetryableStatus, _TooLarge) as err:
                parser = None
                unreachable = ("http_error", f"robots.txt: {err}") if isinstance(err, _RetryableStatus) else None
            delay = parser.crawl_delay(ROBOTS_AGENT) if parser is not None else None
            with self._lock:
                self._robots[key] = parser
                if unreachable:
                    self._unreachable[key] = unreachable
                if delay:
                    self._crawl_delay[parts.netloc.lower()] = float(delay)
        rp = self._robots[key]
        return rp is not None and rp.can_fetch(url, ROBOTS_AGENT)

    # -- the public call -------------------------------------------------------------------------
    def get(self, url: str, source: Source, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        return self.request(url, source, etag=etag, last_modified=last_modified)

    def request(self, url: str, source: Source, method: str = "GET", form: dict[str, str] | None = None,
                json: object = None, extra_headers: dict[str, str] | None = None, etag: str | None = None,
                last_modified: str | None = None) -> FetchResult:
        """One request (GET, or a listing API's POST with a form or JSON body) and its redirects."""
        result = FetchResult(url, url)
        headers = dict(extra_headers or {})
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {url}
        current = url
        for _hop in range(self.catalog.max_redirects + 1):
            if urlsplit(current).scheme not in ("http", "https"):
                return self._fail(result, "bad_scheme", f"{current} is not an http(s) URL")
            if not source.allows(current):
                result.refused_url = current
                return self._fail(result, "off_catalog", f"{current} is outside the source's allowed_domains")
            if (internal := self._internal_address(current, source)) is not None:
                return self._fail(result, "private_address", f"{current} resolves to {internal} (loopback, private or "
                                  "link-local): refused unless the catalogue allows private addresses for the source")
            host = (urlsplit(current).hostname or "").lower()
            if host in self.blocked_hosts:
                return self._fail(result, "blocked", f"{host} answered {len(self.challenged.get(host, {}))} path "
                                  f"prefixes with an anti-bot challenge earlier in this crawl (the last at "
                                  f"{self.blocked_hosts[host]}); the host is left alone until the next crawl")
            path = urlsplit(current).path or "/"
            with self._lock:
                covering = next((p for p in self.challenged.get(host, {}) if path.startswith(p)), None)
            if covering is not None:
                return self._fail(result, "blocked", f"{host}{covering} answered {self.challenged[host][covering]} "
                                  "with an anti-bot challenge earlier in this crawl; that path prefix is left alone "
                                  "until the next crawl")
            if not self.robots_allows(current, source):
                parts = urlsplit(current)
                why = self._unreachable.get(f"{parts.scheme}://{parts.netloc}")
                if why is not None:  # a dead or failing host, not a refusal: say which
                    return self._fail(result, why[0], f"{why[1]}; the host could not say what may be crawled, "
                                      "so nothing is fetched from it in this crawl")
                return self._fail(result, "robots_disallowed", f"robots.txt disallows {current}")
            try:
                resp, body, attempts = self._send(current, source, headers, method, form, json)
            except _RetryableStatus as err:
                result.status = err.status
                return self._fail(result, "http_error", f"HTTP {err.status} after {self.catalog.retries} attempts")
            except httpx.TimeoutException as err:
                return self._fail(result, "timeout", f"{type(err).__name__} after {self.catalog.retries} attempts")
            except httpx.TransportError as err:
                return self._fail(result, "connection_error", f"{type(err).__name__}: {err}")
            except _TooLarge as err:
                return self._fail(result, "too_large", str(err))
            result.attempts += attempts
            result.status, result.final_url = resp.status_code, current
            result.headers = {k.lower(): v for k, v in resp.headers.items()}
            if challenge(resp.status_code, resp.headers, body):
                prefix = challenge_prefix(current)
                with self._lock:
                    prefixes = self.challenged.setdefault(host, {})
                    prefixes.setdefault(prefix, current)
                    # the root's folder covers the whole host: that is leaving it, whatever the count
                    result.left_host = ((len(prefixes) >= self.catalog.challenged_prefixes_to_leave_host or prefix == "/")
                                        and host not in self.blocked_hosts)
                    if result.left_host:
                        self.blocked_hosts[host] = current
                result.body = body  # kept for a person to look at; never parsed
                result.challenged_prefix = host + prefix
                left = (f"; {len(prefixes)} path prefix(es) of {host} challenged, so the whole host is left alone "
                        "for the rest of this crawl") if result.left_host else ""
                return self._fail(result, "blocked", f"HTTP {resp.status_code}: an anti-bot challenge page; not "
                                  f"solved or retried, {host}{prefix} is left alone for the rest of this crawl{left}")
            if resp.status_code in (301, 302, 303, 307, 308) and "location" in resp.headers:
                nxt = urljoin(current, resp.headers["location"])
                if nxt in seen:
                    return self._fail(result, "redirect_loop", f"redirect loop back to {nxt}")
                seen.add(nxt)
                current = nxt
                if resp.status_code in (301, 302, 303):  # as browsers do: the next hop is a plain GET
                    method, form, json = "GET", None, None
                continue
            if resp.status_code == 304:
                result.not_modified = True
                return result
            if resp.status_code >= 400:
                return self._fail(result, "http_error", f"HTTP {resp.status_code}")
            result.body = body
            return result
        return self._fail(result, "too_many_redirects", f"more than {self.catalog.max_redirects} redirects")

    def _internal_address(self, url: str, source: Source) -> str | None:
        """The first loopback / private / link-local address the URL's host is or resolves to."""
        if source.allow_private_addresses:
            return None
        host = urlsplit(url).hostname or ""
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            with self._lock:
                cached = self._addresses.get(host)
            if cached is None:
                cached = self.resolver(host)
                with self._lock:
                    self._addresses[host] = cached
            addresses = cached
        return next((a for a in addresses if _internal(a)), None)

    @staticmethod
    def _fail(result: FetchResult, error_type: str, message: str) -> FetchResult:
        result.error_type, result.error = error_type, f"{result.url}: {message}"
        return result
