"""Which URLs a channel may download a citizen's media from (and send credentials to).

Both WhatsApp channels download media with a secret (Meta's access token, Twilio's
account credentials): a URL is checked, redirect targets too, against a host list
whose entries are ``host``, ``host:port`` or ``*.domain`` (any subdomain), with the
scheme's default port when none is given.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Iterable, Optional
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine (``localhost`` or a loopback address)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class MediaUrl:
    """An http(s) URL without credentials: scheme, lower-case host and port."""

    scheme: str
    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> Optional[MediaUrl]:
        """The URL's parts.

        None when it is malformed, not http(s), has no host or carries a user name or
        password.
        """
        try:
            parts = urlsplit(url)
            default_port = _DEFAULT_PORTS.get(parts.scheme)
            port = parts.port or default_port
        except ValueError:
            return None
        host = (parts.hostname or "").lower()
        if default_port is None or port is None or not host:
            return None
        if parts.username is not None or parts.password is not None:
            return None
        return cls(parts.scheme, host, port)

    @property
    def local_http(self) -> bool:
        """Plain http to this machine (a test's fake server)."""
        return self.scheme == "http" and is_loopback(self.host)

    def listed_in(self, hosts: Iterable[str]) -> bool:
        """Whether an entry of ``hosts`` names this URL's host and port."""
        return any(self._matches(entry) for entry in hosts)

    def _matches(self, entry: str) -> bool:
        entry = entry.strip().lower()
        name, wanted_port = entry, ""
        if entry.count(":") == 1:  # not an IPv6 address
            name, _, wanted_port = entry.partition(":")
        if wanted_port and not wanted_port.isdigit():
            return False
        if (
            int(wanted_port) if wanted_port else _DEFAULT_PORTS[self.scheme]
        ) != self.port:
            return False
        if name.startswith("*."):
            return self.host.endswith(name[1:]) and self.host != name[2:]
        return bool(name) and self.host == name
