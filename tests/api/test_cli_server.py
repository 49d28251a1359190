"""``taito serve`` with several workers shares one listener that keeps TCP_NODELAY working."""

import socket
from pathlib import Path

from api.cli.server import _listening_socket
from api.settings import Settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_shared_listener_is_tcp_so_accepted_connections_get_nodelay(tmp_path: Path) -> None:
    settings = Settings(host="127.0.0.1", port=_free_port(), data_dir=tmp_path)
    listener = _listening_socket(settings)
    try:
        assert listener.proto == socket.IPPROTO_TCP
        assert listener.get_inheritable()
        assert listener.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR) == 1
        assert listener.getsockname() == ("127.0.0.1", settings.port)
    finally:
        listener.close()
