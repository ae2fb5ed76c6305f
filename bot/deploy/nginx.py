"""nginx in front of the prod profile: render config/nginx/jiading.conf.template, start it.

nginx (Debian's package) terminates TLS and balances the Rasa servers (socket.io by client
address, WeChat by the user's OpenID, everything else round robin) and the service. Without
TLS_CERT/TLS_KEY a self-signed pair is made in TLS_DIR, which is for trying the profile only.
"""

from __future__ import annotations

import os
import re
import shutil
import string
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import cast

from bot.deploy.tls import make_self_signed
from bot.settings import PROJECT_ROOT, Settings

TEMPLATE = PROJECT_ROOT / "config" / "nginx" / "jiading.conf.template"
HEALTH_PATH = "/nginx-health"

# Only ${UPPER_CASE} is a placeholder: the groups string.Template needs never match otherwise.
_PLACEHOLDER = r"""
\$(?:
  (?P<escaped>(?!))             |
  (?P<named>(?!))               |
  {(?P<braced>[A-Z][A-Z0-9_]*)} |
  (?P<invalid>(?!))
)
"""


class NginxTemplate(string.Template):
    """A string.Template whose only placeholders are ``${UPPER_CASE}``.

    nginx's own ``$variables`` (lower case, unbraced) are left as they are, and a ``$`` that
    starts no placeholder is not an error. (string.Template with its own pattern, rather than
    a template engine: the file must stay a plain nginx config people can read.)
    """

    flags = re.RegexFlag(0)  # case-sensitive: ${host} would be nginx's, not ours
    # string.Template compiles this str (as a verbose pattern) when the class is made.
    pattern = _PLACEHOLDER  # type: ignore[assignment]


def server_lines(ports: Iterable[int], host: str = "127.0.0.1") -> str:
    """Return one ``server HOST:PORT;`` line per port, indented for an upstream block."""
    lines = [f"server {host}:{port};" for port in ports]
    if not lines:
        raise ValueError("an upstream needs at least one server")
    return "\n        ".join(lines)


def render_config(values: Mapping[str, object], template: Path = TEMPLATE) -> str:
    """Render the nginx template with ``values``; a placeholder without a value is a KeyError."""
    return NginxTemplate(template.read_text(encoding="utf-8")).substitute(
        {key: str(value) for key, value in values.items()}
    )


def placeholders(template: Path = TEMPLATE) -> set[str]:
    """Return the names of the template's placeholders."""
    compiled = cast("re.Pattern[str]", NginxTemplate.pattern)  # compiled with the class
    return {match.group("braced") for match in compiled.finditer(template.read_text("utf-8"))}


def nginx_bin() -> str | None:
    """Return the path of nginx (Debian's /usr/sbin/nginx), or None when it is not installed."""
    if Path("/usr/sbin/nginx").exists():
        return "/usr/sbin/nginx"
    return shutil.which("nginx")


def worker_user() -> str:
    """Return nginx's ``user``: root in a container run as root (its prefix may be 0700)."""
    return "root root" if os.geteuid() == 0 else "nobody nogroup"


def command(binary: str, prefix: Path) -> list[str]:
    """Return nginx's command line for the config in ``prefix`` (foreground, logs to stderr)."""
    # -p needs the trailing slash; -e stderr keeps nginx from opening its default log first.
    return [binary, "-c", str(prefix / "nginx.conf"), "-p", f"{prefix}/", "-e", "stderr"]


def write_config(
    prefix: Path,
    *,
    bind: str,
    http_port: int,
    https_port: int,
    cert: Path,
    key: Path,
    rasa_ports: Iterable[int],
    service_ports: Iterable[int],
    host: str = "127.0.0.1",
) -> Path:
    """Write ``prefix/nginx.conf`` for these upstreams; return its path."""
    prefix.mkdir(parents=True, exist_ok=True)
    config = prefix / "nginx.conf"
    values = {
        "BIND": bind,
        "HTTP_PORT": http_port,
        "HTTPS_PORT": https_port,
        "CERT": cert,
        "KEY": key,
        "RASA_SERVERS": server_lines(rasa_ports, host),
        "SERVICE_SERVERS": server_lines(service_ports, host),
        "NGINX_USER": worker_user(),
    }
    config.write_text(render_config(values), encoding="utf-8")
    return config


def certificate(settings: Settings) -> tuple[Path, Path]:
    """Return TLS_CERT/TLS_KEY, or a self-signed pair made in TLS_DIR when they are unset."""
    if settings.tls_cert and settings.tls_key:
        return Path(settings.tls_cert), Path(settings.tls_key)
    return make_self_signed(settings.tls_dir, ["localhost", "127.0.0.1"])


def prepare(settings: Settings) -> None:
    """Write the prod profile's nginx config (and a certificate if none is given)."""
    cert, key = certificate(settings)
    write_config(
        settings.nginx_dir,
        bind=settings.nginx_bind,
        http_port=settings.nginx_http_port,
        https_port=settings.nginx_https_port,
        cert=cert,
        key=key,
        rasa_ports=[settings.rasa_port + i for i in range(settings.rasa_processes)],
        service_ports=[settings.service_port],
        host=settings.host,
    )
