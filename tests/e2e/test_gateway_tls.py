"""The gateway speaks HTTPS only: plain HTTP is redirected, HSTS is on every answer, TLS 1.2 and
1.3 with HTTP/2 are offered, older protocols are refused, and the chain ends at the local CA."""

from __future__ import annotations

import asyncio
import ssl
import warnings
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import GATEWAY, GATEWAY_CA, GATEWAY_HTTP, gateway_tls

pytestmark = pytest.mark.e2e

HSTS = "max-age=31536000; includeSubDomains"
TLS_HOST = urlsplit(GATEWAY).hostname or "127.0.0.1"
TLS_PORT = urlsplit(GATEWAY).port or 443
HTTP_PORT = urlsplit(GATEWAY_HTTP).port or 80


async def handshake(context: ssl.SSLContext) -> ssl.SSLObject:
    """A TLS handshake with the gateway's HTTPS port; the connection's TLS state."""
    _, writer = await asyncio.open_connection(
        TLS_HOST, TLS_PORT, ssl=context, server_hostname=TLS_HOST
    )
    try:
        return writer.get_extra_info("ssl_object")
    finally:
        writer.close()


def only(version: ssl.TLSVersion) -> ssl.SSLContext:
    """A client (trusting the CA) that offers exactly this protocol version."""
    context = gateway_tls()
    with warnings.catch_warnings():  # TLS 1.1 is deprecated: it is offered to see it refused
        warnings.simplefilter("ignore", DeprecationWarning)
        if version < ssl.TLSVersion.TLSv1_2:
            context.set_ciphers("DEFAULT:@SECLEVEL=0")  # else OpenSSL refuses to offer it at all
        context.minimum_version = context.maximum_version = version
    return context


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_plain_http_is_redirected_to_the_same_path_over_https_on_the_host_used(host):
    async with httpx.AsyncClient(timeout=10) as plain:
        answer = await plain.get(f"http://{host}:{HTTP_PORT}/api/scheduling/healthz?probe=1")
    assert answer.status_code == 308
    assert answer.headers["location"] == f"https://{host}:{TLS_PORT}/api/scheduling/healthz?probe=1"


async def test_a_post_sent_over_plain_http_reaches_the_service_over_https_with_its_body():
    # 308 keeps the method and the body: auth sees the form and finds its password missing.
    async with httpx.AsyncClient(verify=gateway_tls(), follow_redirects=True, timeout=10) as c:
        answer = await c.post(f"{GATEWAY_HTTP}/api/auth/token", data={"username": "x@example.org"})
    assert [r.status_code for r in answer.history] == [308]
    assert str(answer.url).startswith(f"https://{TLS_HOST}:{TLS_PORT}/")
    assert answer.status_code == 422, answer.text
    assert "password" in answer.text


async def test_every_https_answer_carries_hsts_errors_included(gateway):
    answers = [
        await gateway.get("/healthz"),
        await gateway.get("/api/resources/healthz"),
        await gateway.get("/"),
        await gateway.get("/api/nowhere"),  # the gateway's own problem
        await gateway.get("/api/scheduling/surgeries"),  # the service's 401
        await gateway.post("/api/scheduling/anything", content=b"x" * (3 * 1024 * 1024)),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 404, 401, 413]
    for answer in answers:
        assert answer.headers.get("strict-transport-security") == HSTS, answer.request.url


@pytest.mark.parametrize(
    ("version", "name"), [(ssl.TLSVersion.TLSv1_2, "TLSv1.2"), (ssl.TLSVersion.TLSv1_3, "TLSv1.3")]
)
async def test_tls_1_2_and_1_3_are_accepted_with_a_forward_secret_aead_cipher(version, name):
    cipher, protocol, _ = (await handshake(only(version))).cipher()
    assert protocol == name
    # TLS 1.3's suites are all ephemeral-key AEAD; for 1.2 only ECDHE with GCM or ChaCha20.
    assert cipher.startswith(("TLS_", "ECDHE-")) and ("GCM" in cipher or "CHACHA20" in cipher)


async def test_tls_1_1_is_refused_by_the_gateway():
    with pytest.raises(ssl.SSLError) as refused:
        await handshake(only(ssl.TLSVersion.TLSv1_1))
    # The server's alert, not the client declining to offer the version.
    assert refused.value.reason == "TLSV1_ALERT_PROTOCOL_VERSION", refused.value


async def test_http2_is_negotiated_by_alpn():
    context = gateway_tls()
    context.set_alpn_protocols(["h2", "http/1.1"])
    assert (await handshake(context)).selected_alpn_protocol() == "h2"


async def test_the_certificate_chains_to_the_local_ca_and_nothing_else_vouches_for_it():
    # Trusting the CA alone, the chain and the host name verify (the handshake above); with the
    # system's roots only, they do not: the CA is what makes the gateway trusted.
    assert GATEWAY_CA.is_file()
    await handshake(gateway_tls())
    with pytest.raises(ssl.SSLCertVerificationError):
        await handshake(ssl.create_default_context())
