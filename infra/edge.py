"""The public edge: nginx in front of Rasa's channel webhooks and the gateway's pages.

``python -m infra.edge render`` writes ``var/nginx/nginx.conf`` from
``infra/nginx.conf.template`` and prints the nginx command line that serves it;
``python -m infra.edge check`` also runs ``nginx -t`` on it. Settings (environment):

=====================  ===========================================  =========
variable               meaning                                      default
=====================  ===========================================  =========
``PUBLIC_PORT``        the one public port                          8080
``PUBLIC_HOST``        interface it listens on                      0.0.0.0
``EDGE_MAX_BODY``      largest request body (nginx size)            1m
``EDGE_WEBHOOK_RATE``  webhook requests per second per address      50
``EDGE_WEBHOOK_BURST`` extra webhook requests allowed at once       200
``EDGE_PAGE_RATE``     page requests per second per address         5
``EDGE_PAGE_BURST``    extra page requests allowed at once          20
``EDGE_MAX_CONNECTIONS`` open connections per address               50
``RASA_PORT``          Rasa, on 127.0.0.1                           5005
``RASA_UPSTREAMS``     several Rasa servers (``host:port,...``)     RASA_PORT
``EDISTRICT_PORT``     the gateway, on 127.0.0.1                    8001
=====================  ===========================================  =========
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Mapping, Optional

from infra.settings import var_dir

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
_PLACEHOLDER = re.compile(r"@@([A-Z_]+)@@")
_SIZE = re.compile(r"^\d+[kKmM]?$")
_HOST = re.compile(r"^[0-9A-Za-z.:\[\]-]+$")
_UPSTREAM = re.compile(r"^[0-9A-Za-z.\[\]:-]+:\d{1,5}$")


@dataclass(frozen=True)
class Edge:
    """A rendered edge configuration.

    Attributes:
        prefix: nginx prefix folder (``var/nginx``): config, pid, temp folders.
        config: The rendered ``nginx.conf``.
        log_dir: Folder of ``nginx-access.log`` and ``nginx-error.log``.
        port: The public port.
    """

    prefix: Path
    config: Path
    log_dir: Path
    port: int

    def command(self, nginx: str = "nginx") -> List[str]:
        """The command line that serves this configuration in the foreground."""
        return [
            nginx,
            "-p",
            str(self.prefix),
            "-c",
            str(self.config),
            "-e",
            str(self.log_dir / "nginx-error.log"),
        ]


def _get(env: Mapping[str, str], name: str, default: str) -> str:
    return env.get(name, "").strip() or default


def _number(env: Mapping[str, str], name: str, default: str) -> str:
    value = _get(env, name, default)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return value


def render(
    env: Mapping[str, str],
    prefix: Optional[Path] = None,
    log_dir: Optional[Path] = None,
) -> Edge:
    """Renders the template for this environment into ``prefix/nginx.conf``.

    Args:
        env: Environment with the settings in the module docstring.
        prefix: nginx prefix folder; default ``<GOV_VAR_DIR>/nginx``.
        log_dir: Log folder; default ``<GOV_VAR_DIR>/log``.

    Returns:
        The rendered edge.

    Raises:
        ValueError: A setting is malformed (nothing is written then).
    """
    prefix = (prefix or var_dir(env) / "nginx").resolve()
    log_dir = (log_dir or var_dir(env) / "log").resolve()
    host = _get(env, "PUBLIC_HOST", "0.0.0.0")
    if not _HOST.match(host):
        raise ValueError(f"PUBLIC_HOST must be an address, got {host!r}")
    max_body = _get(env, "EDGE_MAX_BODY", "1m")
    if not _SIZE.match(max_body):
        raise ValueError(f"EDGE_MAX_BODY must look like 512k or 1m, got {max_body!r}")
    port = _number(env, "PUBLIC_PORT", "8080")
    values = {
        "PREFIX": str(prefix),
        "LOG_DIR": str(log_dir),
        "LISTEN": f"{host}:{port}",
        "MAX_BODY": max_body,
        "WEBHOOK_RATE": _number(env, "EDGE_WEBHOOK_RATE", "50"),
        "WEBHOOK_BURST": _number(env, "EDGE_WEBHOOK_BURST", "200"),
        "PAGE_RATE": _number(env, "EDGE_PAGE_RATE", "5"),
        "PAGE_BURST": _number(env, "EDGE_PAGE_BURST", "20"),
        "MAX_CONNECTIONS": _number(env, "EDGE_MAX_CONNECTIONS", "50"),
        "RASA_SERVERS": rasa_servers(env),
        "GATEWAY_PORT": _number(env, "EDISTRICT_PORT", "8001"),
    }
    text = _PLACEHOLDER.sub(lambda m: values[m.group(1)], TEMPLATE.read_text())
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / folder).mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    config = prefix / "nginx.conf"
    config.write_text(text)
    return Edge(prefix=prefix, config=config, log_dir=log_dir, port=int(port))


def rasa_servers(env: Mapping[str, str]) -> str:
    """The ``server`` lines of the Rasa upstream: ``RASA_UPSTREAMS``, else ``RASA_PORT``."""
    upstreams = [u.strip() for u in _get(env, "RASA_UPSTREAMS", "").split(",")]
    upstreams = [u for u in upstreams if u] or [
        f"127.0.0.1:{_number(env, 'RASA_PORT', '5005')}"
    ]
    for upstream in upstreams:
        if not _UPSTREAM.match(upstream):
            raise ValueError(f"RASA_UPSTREAMS must be host:port,..., got {upstream!r}")
    return "\n".join(f"        server {upstream};" for upstream in upstreams)


def find_nginx() -> Optional[str]:
    """The nginx executable (PATH, then /usr/sbin), or None when it is not installed."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def main(argv: Optional[List[str]] = None) -> int:
    """``render`` (print the command) or ``check`` (render, then ``nginx -t``)."""
    import os

    args = sys.argv[1:] if argv is None else argv
    action = args[0] if args else "render"
    if action not in ("render", "check"):
        print("usage: python -m infra.edge [render|check]", file=sys.stderr)
        return 2
    try:
        edge = render(os.environ)
    except ValueError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    nginx = find_nginx()
    if nginx is None:
        print(
            "ERROR: nginx is not installed (Debian/Ubuntu: apt-get install nginx-light)",
            file=sys.stderr,
        )
        return 3
    if action == "check":
        return subprocess.run(
            [*edge.command(nginx), "-t", "-q"], check=False
        ).returncode
    print(" ".join(edge.command(nginx)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
