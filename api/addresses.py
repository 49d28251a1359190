"""Which IP addresses the remote fetcher may connect to: globally routable unicast, and only that.

SD-JWT VC §7.1 ("Server-Side Request Forgery") asks that no request reach internal resources.
An IPv6 address can carry an IPv4 address inside it, and a host that translates or tunnels it
(NAT64, SIIT, 6to4, a dual-stack kernel for IPv4-mapped addresses) delivers the packet to that
IPv4 address; so the embedded address is unwrapped first and judged by the same rules:

- ``::ffff:0:0/96`` IPv4-mapped and ``::/96`` IPv4-compatible (RFC 4291 §2.5.5),
  ``::ffff:0:0:0/96`` IPv4-translated (RFC 2765 §2.1), ``64:ff9b::/96`` the NAT64 well-known
  prefix (RFC 6052 §2.1), and ``2002::/16`` 6to4 (RFC 3056 §2) are unwrapped;
- ``64:ff9b:1::/48`` (local-use NAT64, RFC 8215) and Teredo ``2001::/32`` (RFC 4380; its client
  address is obfuscated and its server may be anywhere) are refused outright;
- what remains must be global unicast: IPv4 outside every special-purpose range of RFC 6890 and
  the IANA registry, IPv6 inside ``2000::/3`` and outside the special-purpose ranges there.

The ranges are listed here rather than taken only from :mod:`ipaddress`, whose ``is_global``
differs between Python patch releases (3.11.7 calls ``64:ff9b::7f00:1`` and ``fec0::1`` global).
"""

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_V4_NOT_GLOBAL = tuple(
    ipaddress.IPv4Network(network)
    for network in (
        "0.0.0.0/8",  # "this network" (RFC 791)
        "10.0.0.0/8",  # private use (RFC 1918)
        "100.64.0.0/10",  # shared address space, carrier-grade NAT (RFC 6598)
        "127.0.0.0/8",  # loopback (RFC 1122)
        "169.254.0.0/16",  # link-local, cloud metadata services (RFC 3927)
        "172.16.0.0/12",  # private use (RFC 1918)
        "192.0.0.0/24",  # IETF protocol assignments (RFC 6890)
        "192.0.2.0/24",  # documentation (RFC 5737)
        "192.88.99.0/24",  # 6to4 relay anycast, deprecated (RFC 7526)
        "192.168.0.0/16",  # private use (RFC 1918)
        "198.18.0.0/15",  # benchmarking (RFC 2544)
        "198.51.100.0/24",  # documentation (RFC 5737)
        "203.0.113.0/24",  # documentation (RFC 5737)
        "224.0.0.0/4",  # multicast (RFC 5771)
        "240.0.0.0/4",  # reserved, and 255.255.255.255 broadcast (RFC 1112, RFC 919)
    )
)
_V6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_V6_NOT_GLOBAL = tuple(
    ipaddress.IPv6Network(network)
    for network in (
        "64:ff9b:1::/48",  # local-use IPv4/IPv6 translation (RFC 8215)
        "2001::/23",  # IETF protocol assignments: Teredo, benchmarking, ORCHID (RFC 2928)
        "2001:db8::/32",  # documentation (RFC 3849)
        "2002::/16",  # 6to4 (RFC 3056): only reached through its embedded IPv4 address
        "3fff::/20",  # documentation (RFC 9637)
    )
)
_V6_EMBEDDING_V4 = tuple(
    ipaddress.IPv6Network(network)
    for network in (
        "::ffff:0:0/96",  # IPv4-mapped (RFC 4291 §2.5.5.2)
        "::/96",  # IPv4-compatible, deprecated (RFC 4291 §2.5.5.1)
        "::ffff:0:0:0/96",  # IPv4-translated (RFC 2765 §2.1)
        "64:ff9b::/96",  # NAT64 well-known prefix (RFC 6052 §2.1)
    )
)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a translator or tunnel would deliver ``address`` to, if any."""
    for network in _V6_EMBEDDING_V4:
        if address in network:
            return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return address.sixtofour


def is_public(address: IPAddress) -> bool:
    """Whether ``address``, once unwrapped, is a globally routable unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return False
        inner = embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
        return (
            address in _V6_GLOBAL_UNICAST
            and bool(address.is_global)
            and not any(address in network for network in _V6_NOT_GLOBAL)
        )
    return bool(address.is_global) and not any(address in network for network in _V4_NOT_GLOBAL)
