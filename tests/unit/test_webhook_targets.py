"""The webhook SSRF guard: which addresses are refused, the allow-list, URL checks."""

from __future__ import annotations

import ipaddress

import pytest

from aiprod.errors import InvalidSpec
from aiprod.net.targets import (
    Target,
    TargetRefused,
    check_url,
    job_webhook_fields,
    literal_address,
    parse_networks,
    pinned_request,
    refusal,
    resolve,
)


@pytest.mark.parametrize(
    ("address", "category"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),
        ("169.254.0.1", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.7", "private"),  # documentation (TEST-NET-1)
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
    ],
)
def test_non_public_addresses_are_refused(address: str, category: str) -> None:
    assert refusal(ipaddress.ip_address(address), []) == category


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal(ipaddress.ip_address(address), []) is None


def test_the_allow_list_permits_only_its_networks() -> None:
    allowed = parse_networks(["127.0.0.0/8", "10.1.0.0/16", "::1/128"])
    for address in ("127.0.0.1", "10.1.2.3", "::1", "::ffff:127.0.0.1"):
        assert refusal(ipaddress.ip_address(address), allowed) is None, address
    assert refusal(ipaddress.ip_address("10.2.0.1"), allowed) == "private"
    assert refusal(ipaddress.ip_address("169.254.169.254"), allowed) == "link-local"


def test_legacy_spellings_of_addresses_are_recognised() -> None:
    assert literal_address("2130706433") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("0x7f.1") == ipaddress.ip_address("127.0.0.1")
    assert literal_address("[::1]") == ipaddress.ip_address("::1")
    assert literal_address("hooks.example.com") is None


def test_url_checks_name_the_field() -> None:
    check_url("https://hooks.example.com:8443/x?y=1", allowed=[])
    with pytest.raises(InvalidSpec) as caught:
        check_url("http://169.254.169.254/", allowed=[], path="webhook_url")
    assert caught.value.problems[0].path == "webhook_url"
    assert "link-local" in caught.value.problems[0].message
    for bad in ("javascript:alert(1)", "http://a b/", "https://x.test/#frag", "http://x:0/"):
        with pytest.raises(InvalidSpec):
            check_url(bad, allowed=[])


@pytest.mark.parametrize(
    "url",
    [
        "http://\u2460\u2461\u2466.0.0.1/",  # circled digits: the resolver reads 127.0.0.1
        "http://\uff11\uff12\uff17.0.0.1/",  # full-width digits
        "http://exa\u200bmple.com/",  # a zero-width space
        "http://[::1]./",
    ],
)
def test_urls_the_sender_cannot_parse_are_refused_at_registration(url: str) -> None:
    loopback = parse_networks(["127.0.0.0/8"])  # the address check alone would pass them
    with pytest.raises(InvalidSpec) as caught:
        check_url(url, allowed=loopback)
    assert "not a valid URL" in caught.value.problems[0].message
    with pytest.raises(InvalidSpec):
        job_webhook_fields(url, allow_networks=None)
    with pytest.raises(TargetRefused, match="not a valid URL"):  # one stored before this check
        resolve(url, allowed=loopback)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1./", "http://127.0.0.1.:8080/x", "http://2130706433./"]
)
def test_a_trailing_dot_does_not_hide_a_literal_address(url: str) -> None:
    with pytest.raises(InvalidSpec, match="loopback"):
        check_url(url, allowed=[])


def test_job_webhook_fields_without_an_allow_list_check_the_form_only() -> None:
    assert job_webhook_fields(None, allow_networks=[]) == {}
    loopback = "http://127.0.0.1:9/x"
    assert job_webhook_fields(loopback, allow_networks=None) == {"webhook_url": loopback}
    with pytest.raises(InvalidSpec):
        job_webhook_fields(loopback, allow_networks=[])
    with pytest.raises(InvalidSpec):
        job_webhook_fields("ftp://x.test/", allow_networks=None)


def test_resolution_refuses_before_any_connection() -> None:
    with pytest.raises(TargetRefused, match=r"169\.254\.169\.254, a link-local address"):
        resolve("http://169.254.169.254/latest", allowed=[])
    target = resolve("http://127.0.0.1:8080/x", allowed=parse_networks(["127.0.0.1/32"]))
    assert target.addresses == (ipaddress.ip_address("127.0.0.1"),) and target.port == 8080


def test_requests_go_to_the_checked_address_with_the_original_host() -> None:
    public = ipaddress.ip_address("93.184.216.34")
    target = Target("https://hooks.example.com/a?b=1", "hooks.example.com", 443, (public,))
    url, headers, extensions = pinned_request(target, public)
    assert str(url) == "https://93.184.216.34/a?b=1"
    assert headers == {"host": "hooks.example.com"}
    assert extensions == {"sni_hostname": "hooks.example.com"}
    v6 = ipaddress.ip_address("2606:4700::1111")
    dual = Target("http://hooks.example.com:8080/", "hooks.example.com", 8080, (public, v6))
    url, headers, _ = pinned_request(dual, v6)
    assert str(url) == "http://[2606:4700::1111]:8080/"
    assert headers == {"host": "hooks.example.com:8080"}
