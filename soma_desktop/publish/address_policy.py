"""Which IP addresses an untrusted URL may reach: public unicast only.

`ipaddress`'s properties miss several special-purpose ranges (CGNAT 100.64.0.0/10 is neither private nor
global in Python 3.11) and judge tunnelled IPv6 forms (6to4, NAT64, IPv4-mapped and -compatible, Teredo) by
their IPv6 prefix, not by the IPv4 address they reach. So: the embedded IPv4 address is judged on its own,
then explicit IANA special-purpose lists, then `is_global` and friends.
"""

from __future__ import annotations

import ipaddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# IANA IPv4 / IPv6 special-purpose address registries (RFC 6890 and successors), plus multicast and reserved.
SPECIAL_V4 = tuple(ipaddress.IPv4Network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16",
    "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "255.255.255.255/32",
))
SPECIAL_V6 = tuple(ipaddress.IPv6Network(n) for n in (
    "::/128", "::1/128", "::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b:1::/48", "100::/64",
    "2001::/23", "2001:db8::/32", "2002::/16", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10",
    "ff00::/8",
))
NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address tunnels or translates to, if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64_WELL_KNOWN or address in IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _v4_denied(address: ipaddress.IPv4Address) -> bool:
    return any(address in net for net in SPECIAL_V4) or not address.is_global


def is_denied(address: Address) -> bool:
    """True for every address an untrusted URL must not reach (private, local, shared, documentation,
    benchmarking, multicast, reserved, and any IPv6 form of those)."""
    if isinstance(address, ipaddress.IPv4Address):
        return _v4_denied(address)
    if address.scope_id:
        return True
    inner = embedded_ipv4(address)
    if inner is not None and _v4_denied(inner):
        return True
    if address in NAT64_WELL_KNOWN:
        return False           # a public IPv4 address reached through the well-known NAT64 prefix
    if any(address in net for net in SPECIAL_V6):
        return True
    return (not address.is_global or address.is_multicast or address.is_link_local or address.is_site_local
            or address.is_unspecified or address.is_reserved or address.is_loopback)
