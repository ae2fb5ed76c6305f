from __future__ import annotations

import datetime
import shutil
import socket
import ssl
import stat
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bot.deploy.tls import make_self_signed
from tests.support.certificates import load, sans

BACKENDS = [
    pytest.param(False, id="cryptography"),
    pytest.param(
        True,
        id="openssl",
        marks=pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command"),
    ),
]


@pytest.mark.parametrize("use_openssl", BACKENDS)
def test_writes_a_valid_self_signed_certificate(tmp_path: Path, use_openssl: bool) -> None:
    cert_path, key_path = make_self_signed(tmp_path / "tls", ["localhost"], use_openssl=use_openssl)
    assert (cert_path, key_path) == (tmp_path / "tls" / "cert.pem", tmp_path / "tls" / "key.pem")
    cert = load(cert_path)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert cert.not_valid_before_utc <= now < cert.not_valid_after_utc
    assert cert.not_valid_after_utc - now > datetime.timedelta(days=300)
    assert cert.issuer == cert.subject
    cert.verify_directly_issued_by(cert)  # signed by its own key
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca is False
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.SERVER_AUTH in usage

    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert key.public_key().public_numbers() == public.public_numbers()


@pytest.mark.parametrize("use_openssl", BACKENDS)
def test_names_localhost_and_loopback_plus_extra_hosts(tmp_path: Path, use_openssl: bool) -> None:
    cert_path, _ = make_self_signed(
        tmp_path, ["bot.example.test", "10.1.2.3", "::1", "localhost"], use_openssl=use_openssl
    )
    dns, ips = sans(load(cert_path))
    assert dns == ["bot.example.test", "localhost"]
    assert ips == ["10.1.2.3", "::1", "127.0.0.1"]
    common_name = load(cert_path).subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    assert common_name[0].value == "bot.example.test"


@pytest.mark.parametrize("use_openssl", BACKENDS)
def test_key_is_private_and_overwriting_keeps_it_private(tmp_path: Path, use_openssl: bool) -> None:
    key_file = tmp_path / "key.pem"
    key_file.write_text("old")
    key_file.chmod(0o644)
    cert_path, key_path = make_self_signed(tmp_path, use_openssl=use_openssl)
    assert key_path == key_file
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cert_path.stat().st_mode) == 0o644
    assert b"PRIVATE KEY" in key_path.read_bytes()
    dns, ips = sans(load(cert_path))
    assert (dns, ips) == (["localhost"], ["127.0.0.1"])


@pytest.mark.parametrize("use_openssl", BACKENDS)
@pytest.mark.parametrize("name", ["localhost", "127.0.0.1"])
def test_a_tls_client_trusting_the_certificate_accepts_it(
    tmp_path: Path, use_openssl: bool, name: str
) -> None:
    """A TLS handshake with strict X.509 checks, by host name and by address."""
    cert_path, key_path = make_self_signed(tmp_path, use_openssl=use_openssl)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_path, key_path)
    client_context = ssl.create_default_context(cafile=str(cert_path))
    client_context.verify_flags |= ssl.VERIFY_X509_STRICT

    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve() -> None:
            connection, _ = listener.accept()
            with server_context.wrap_socket(connection, server_side=True) as tls:
                tls.sendall(b"hello")

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            client_context.wrap_socket(raw, server_hostname=name) as tls,
        ):
            assert tls.recv(5) == b"hello"
        thread.join(timeout=10)


def test_a_client_refuses_it_for_another_name(tmp_path: Path) -> None:
    cert_path, key_path = make_self_signed(tmp_path)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_path, key_path)
    client_context = ssl.create_default_context(cafile=str(cert_path))
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve() -> None:
            connection, _ = listener.accept()
            try:
                with server_context.wrap_socket(connection, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            pytest.raises(ssl.SSLCertVerificationError),
        ):
            client_context.wrap_socket(raw, server_hostname="elsewhere.example")
        thread.join(timeout=10)
