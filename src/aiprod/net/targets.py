"""The SSRF guard: where webhooks may go.

A target URL is http(s), has a host and carries no credentials, and ``httpx`` (the sender)
can parse it: its host is read as the sender reads it (IDNA 2008, so ``①②⑦.0.0.1`` is
refused rather than resolved as 127.0.0.1) and a trailing dot does not hide a literal
address (``127.0.0.1.``). At every attempt its host
is resolved (``socket.getaddrinfo``) and every address must be public: loopback, private
(RFC 1918, ULA), link-local (169.254.0.0/16 with the cloud metadata address, fe80::/10),
multicast, unspecified, reserved, shared (CGNAT 100.64.0.0/10) and documentation ranges are
refused, also inside IPv4-mapped, NAT64, 6to4 and Teredo IPv6 addresses, unless an
operator allow-list (``AIPROD_WEBHOOK_ALLOW_NETWORKS``) contains the address. The
dispatcher then connects to the address it checked (see :func:`pinned_request`), so a DNS
answer that changes between check and connect cannot redirect the request.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from aiprod.errors import AiprodError, InvalidSpec, SpecProblem

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_URL_LENGTH = 2000
NAT64 = ipaddress.ip_network("64:ff9b::/96")
CGNAT = ipaddress.ip_network("100.64.0.0/10")
DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefused(AiprodError):
    """The target resolves to an address webhooks may not reach, or does not resolve."""

    code = "webhook_target_refused"


def parse_networks(cidrs: Iterable[str]) -> list[IPNetwork]:
    """The allow-list as networks; ValueError names a malformed entry."""
    return [ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip()]


def _embedded(ip: IPAddress) -> list[IPAddress]:
    """The addresses to judge: an IPv4 address carried inside an IPv6 one, then the address.

    An IPv4-mapped address is only a way of writing its IPv4 address: that alone counts.
    """
    if not isinstance(ip, ipaddress.IPv6Address):
        return [ip]
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    found: list[IPAddress] = []
    if ip in NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return [*found, ip]


def _category(ip: IPAddress) -> str | None:
    """Why ``ip`` itself is not public, or None when it is."""
    checks = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT, "shared (CGNAT)"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "non-global"),
    )
    return next((name for hit, name in checks if hit), None)


def refusal(ip: IPAddress, allowed: Sequence[IPNetwork]) -> str | None:
    """Why webhooks may not reach ``ip`` (e.g. ``"loopback"``), or None when they may."""
    for candidate in _embedded(ip):
        if any(candidate.version == net.version and candidate in net for net in allowed):
            continue
        category = _category(candidate)
        if category is not None:
            return category
    return None


def literal_address(host: str) -> IPAddress | None:
    """The IP address a host name spells, also in legacy forms such as ``2130706433``."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def check_url(url: str, *, allowed: Sequence[IPNetwork], path: str = "url") -> None:
    """Refuse a URL that can never be a webhook target; InvalidSpec names the field.

    Only literal addresses are checked here; host names are checked after resolution, at
    every attempt.
    """
    problem = _url_problem(url, allowed)
    if problem is not None:
        raise InvalidSpec([SpecProblem(path, problem)], "request")


def _url_problem(url: str, allowed: Sequence[IPNetwork] | None) -> str | None:
    if len(url) > MAX_URL_LENGTH:
        return f"longer than {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in DEFAULT_PORTS:
        return "must be an http:// or https:// URL"
    if not parts.hostname:
        return "has no host"
    if parts.username is not None or parts.password is not None:
        return "may not carry credentials (user:password@)"
    if parts.fragment or any(ch.isspace() for ch in url):
        return "may not have a fragment or white space"
    if port == 0:
        return "has port 0"
    try:
        host = sender_host(url)
    except ValueError as exc:
        return str(exc)
    address = literal_address(host.rstrip("."))  # ``127.0.0.1.`` is 127.0.0.1 to a resolver
    category = None if address is None or allowed is None else refusal(address, allowed)
    if category is not None:
        return f"{parts.hostname} is a {category} address; webhooks go to public addresses only"
    return None


def sender_host(url: str) -> str:
    """The host the sender connects to (IDNA-encoded, lower case); ValueError if unparsable."""
    try:
        return httpx.URL(url).raw_host.decode("ascii")
    except (httpx.InvalidURL, ValueError) as exc:  # idna's errors are ValueErrors
        raise ValueError(f"not a valid URL ({exc})") from None


@dataclass(frozen=True)
class Target:
    """A checked target: the URL, its host and port, and the addresses it resolved to."""

    url: str
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


def resolve(url: str, *, allowed: Sequence[IPNetwork]) -> Target:
    """Resolve the URL's host and check every address; TargetRefused says why not."""
    try:
        host = sender_host(url)  # one stored before that check existed may not parse
    except ValueError as exc:
        raise TargetRefused(str(exc)) from None
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 443)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(f"cannot resolve {host}: {exc}") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not addresses:
        raise TargetRefused(f"{host} resolves to no address")
    for address in addresses:
        category = refusal(address, allowed)
        if category is not None:
            raise TargetRefused(
                f"refused: {host} resolves to {address}, a {category} address "
                "(allow it with AIPROD_WEBHOOK_ALLOW_NETWORKS)"
            )
    return Target(url=url, host=host, port=port, addresses=tuple(addresses))


def pinned_request(
    target: Target, address: IPAddress
) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    """The URL to a checked address, with the original Host header and TLS server name.

    Certificates are still verified against the original host name (``sni_hostname``).
    """
    original = httpx.URL(target.url)
    pinned = original.copy_with(host=str(address))
    default = DEFAULT_PORTS.get(original.scheme)
    host_header = target.host if target.port == default else f"{target.host}:{target.port}"
    if ":" in target.host:  # an IPv6 literal keeps its brackets in the Host header
        host_header = f"[{target.host}]" + host_header[len(target.host) :]
    return pinned, {"host": host_header}, {"sni_hostname": target.host}


def job_webhook_fields(url: str | None, *, allow_networks: Sequence[str] | None) -> dict[str, str]:
    """``{"webhook_url": url}`` for a job's request once the URL is checked; ``{}`` without one.

    ``allow_networks`` None checks the URL's form only (the address is checked at sending).
    """
    if url is None:
        return {}
    allowed = None if allow_networks is None else parse_networks(allow_networks)
    problem = _url_problem(url, allowed)
    if problem is not None:
        raise InvalidSpec([SpecProblem("webhook_url", problem)], "request")
    return {"webhook_url": url}
