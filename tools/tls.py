"""Write a self-signed TLS certificate and key for local use and tests (never for production).

Usage: ``python -m tools.tls DIR [--host NAME ...]`` writes ``DIR/cert.pem`` and ``DIR/key.pem``
(the key readable by its owner only). The certificate always names ``localhost`` and
``127.0.0.1``; each ``--host`` (a DNS name or an IP address) is added to its SANs. The making
itself is bot.deploy.tls, which the prod profile's nginx uses too.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from bot.deploy.tls import make_self_signed


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, write the certificate and key, and print their paths."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.tls",
        description="Write a self-signed certificate (cert.pem) and key (key.pem) for local use.",
    )
    parser.add_argument("directory", type=Path, help="where to write cert.pem and key.pem")
    parser.add_argument(
        "--host",
        action="append",
        default=[],
        help="a DNS name or IP address to certify (repeatable; localhost and 127.0.0.1 always)",
    )
    args = parser.parse_args(argv)
    cert_path, key_path = make_self_signed(args.directory, args.host)
    print(f"certificate: {cert_path}")
    print(f"key:         {key_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
