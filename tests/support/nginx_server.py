"""nginx in front of local upstreams for tests: Debian's nginx, our config template, free ports.

`nginx_server` renders config/nginx/jiading.conf.template with a fresh self-signed certificate,
checks it with ``nginx -t``, runs nginx in the foreground with its prefix (pid, logs, temp
directories) in a directory of the test, and stops it afterwards.
"""

from __future__ import annotations

import signal
import socket
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.deploy.nginx import command as nginx_command
from bot.deploy.nginx import nginx_bin, write_config
from bot.deploy.tls import make_self_signed
from bot.stack import free_port
from tests.support.servers import stop, wait_until_ready

START_TIMEOUT_S = 20


@dataclass(frozen=True)
class NginxServer:
    """A running nginx: its base URLs and the certificate to trust for HTTPS."""

    http_port: int
    https_port: int
    cert_path: Path
    prefix: Path
    host: str = "127.0.0.1"

    @property
    def http_url(self) -> str:
        """Return the plain-HTTP base URL (no trailing slash)."""
        return f"http://{self.host}:{self.http_port}"

    @property
    def https_url(self) -> str:
        """Return the HTTPS base URL (no trailing slash); the certificate names 127.0.0.1."""
        return f"https://{self.host}:{self.https_port}"

    def log(self) -> str:
        """Return the end of nginx's error log and of its stderr, for failure messages."""
        parts = []
        for name in ("error.log", "stderr.log"):
            path = self.prefix / name
            if path.exists():
                parts.append(f"--- {name}\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _redirects(server: NginxServer) -> bool:
    """Both ports accept connections and a request gets nginx's redirect."""
    import requests

    if not (_answers(server.host, server.http_port) and _answers(server.host, server.https_port)):
        return False
    try:
        response = requests.get(server.http_url + "/", allow_redirects=False, timeout=2)
    except requests.RequestException:
        return False
    return response.status_code == 301


@contextmanager
def nginx_server(
    rasa_ports: Iterable[int], service_ports: Iterable[int], tmp_dir: Path
) -> Iterator[NginxServer]:
    """Start nginx on free ports in front of local Rasa and service ports; stop it afterwards.

    Everything nginx writes (config, certificate, pid, logs, temp files) is under
    ``tmp_dir/nginx``. The workers run as root when the tests do: pytest's temporary
    directories are mode 0700, which an unprivileged worker user could not enter.
    """
    binary = nginx_bin()
    if binary is None:
        raise RuntimeError(
            "nginx is not installed: `make test` installs it (scripts/test-servers.sh)"
        )
    prefix = Path(tmp_dir) / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = make_self_signed(prefix / "tls", ["localhost", "127.0.0.1"])
    http_port, https_port = free_port(), free_port()
    while https_port == http_port:
        https_port = free_port()
    config = write_config(
        prefix,
        bind="127.0.0.1",
        http_port=http_port,
        https_port=https_port,
        cert=cert_path,
        key=key_path,
        rasa_ports=rasa_ports,
        service_ports=service_ports,
    )
    command = nginx_command(binary, prefix)
    check = subprocess.run(
        [*command, "-t", "-q"], capture_output=True, text=True, timeout=30, check=False
    )
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t rejected {config}:\n{check.stderr}")
    server = NginxServer(http_port, https_port, cert_path, prefix)
    with (prefix / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=stderr, stderr=subprocess.STDOUT
        )
    try:
        if not wait_until_ready(
            process,
            lambda: _redirects(server),
            START_TIMEOUT_S,
            lambda: f"nginx did not answer:\n{server.log()}",
        ):
            raise RuntimeError(f"nginx exited with {process.returncode}:\n{server.log()}")
        yield server
    finally:
        stop(process, signal.SIGQUIT)  # graceful: finish open requests, then exit
