"""Write a self-signed TLS certificate and key for local use and tests (never for production).

The prod profile's nginx (bot.deploy.nginx) uses one when TLS_CERT/TLS_KEY are unset, to try
the profile; ``python -m tools.tls`` writes one by hand. The certificate always names
``localhost`` and ``127.0.0.1``; each extra host (a DNS name or an IP address) is added to its
SANs. It is made with the ``cryptography`` package, or with the ``openssl`` command where that
is not importable.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

CERT_NAME = "cert.pem"
KEY_NAME = "key.pem"
DEFAULT_HOSTS = ("localhost", "127.0.0.1")
VALID_DAYS = 365


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _hosts(hosts: Iterable[str]) -> list[str]:
    """Return ``hosts`` then the default ones, without duplicates or blanks, in order."""
    unique: list[str] = []
    for host in (*hosts, *DEFAULT_HOSTS):
        host = host.strip()
        if host and host not in unique:
            unique.append(host)
    return unique


def _create_private(path: Path) -> None:
    """Create (or empty) ``path`` with mode 0600 before any secret is written to it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def cryptography_available() -> bool:
    """Tell whether the ``cryptography`` package can be imported."""
    try:
        import cryptography.x509  # noqa: F401
    except ImportError:
        return False
    return True


def _make_with_cryptography(cert_path: Path, key_path: Path, hosts: Sequence[str]) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])])
    sans: list[x509.GeneralName] = [
        x509.IPAddress(ipaddress.ip_address(host)) if _is_ip(host) else x509.DNSName(host)
        for host in hosts
    ]
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    _create_private(key_path)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _make_with_openssl(cert_path: Path, key_path: Path, hosts: Sequence[str]) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("neither the cryptography package nor the openssl command is available")
    san = ",".join(f"IP:{host}" if _is_ip(host) else f"DNS:{host}" for host in hosts)
    _create_private(key_path)  # openssl writes into the existing file, keeping its mode
    with tempfile.TemporaryDirectory() as scratch:
        config = Path(scratch) / "openssl.cnf"
        config.write_text(
            "[req]\n"
            "distinguished_name = dn\n"
            "prompt = no\n"
            "x509_extensions = ext\n"
            "[dn]\n"
            f"CN = {hosts[0]}\n"
            "[ext]\n"
            f"subjectAltName = {san}\n"
            "basicConstraints = critical, CA:FALSE\n"
            "keyUsage = critical, digitalSignature\n"
            "extendedKeyUsage = serverAuth\n"
            "subjectKeyIdentifier = hash\n"
            "authorityKeyIdentifier = keyid:always\n"
        )
        subprocess.run(
            [
                openssl,
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-sha256",
                "-days",
                str(VALID_DAYS),
                "-config",
                str(config),
                "-keyout",
                str(key_path),
                "-out",
                str(cert_path),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    os.chmod(key_path, 0o600)


def make_self_signed(
    directory: str | os.PathLike[str],
    hosts: Iterable[str] = DEFAULT_HOSTS,
    *,
    use_openssl: bool | None = None,
) -> tuple[Path, Path]:
    """Write a self-signed certificate and key for ``hosts`` into ``directory``.

    ``localhost`` and ``127.0.0.1`` are always among the subject alternative names; the first
    host is the common name. ``use_openssl`` forces the ``openssl`` command (True) or the
    ``cryptography`` package (False); by default the package is used when importable.
    Return ``(cert_path, key_path)``; the key file has mode 0600.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = out / CERT_NAME, out / KEY_NAME
    names = _hosts(hosts)
    if use_openssl is None:
        use_openssl = not cryptography_available()
    if use_openssl:
        _make_with_openssl(cert_path, key_path, names)
    else:
        _make_with_cryptography(cert_path, key_path, names)
    os.chmod(cert_path, 0o644)
    return cert_path, key_path
