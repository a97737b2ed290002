"""The lines that do not stop a step: warnings and notes on stderr, each worded here from what it names."""

from __future__ import annotations

from urllib.parse import urlsplit

CLOCK_SKEW_WARNING_SECONDS = 60


def unchecked_warning(endpoint: str) -> str:
    """Warn, once a step, that the store checks no signatures: its links work for anyone, and prove nothing."""
    return (
        f"warning: {endpoint} served a request whose signature was altered, and answered as S3 does: it checks no "
        "signatures, so these links work there for anyone who holds them, and nothing about their signing is proven\n"
    )


def public_route_note(public: str, endpoint: str) -> str:
    """Say that the step proves links through ``endpoint``, since it cannot reach the host they are signed for."""
    host = urlsplit(public).netloc
    return (
        f"note: {public} cannot be reached from here; the links signed for it are proven at {endpoint} with "
        f"Host: {host}, as a proxy that keeps the Host header sends them\n"
    )


def region_warning(given: str, bucket: str, region: str) -> str:
    """Warn that the source's region is not the bucket's, which S3 named and the step follows."""
    return (
        f"warning: source.region is {given}, but S3 says bucket {bucket} is in {region}; "
        f"signing for {region} (set region: {region} to save a request)\n"
    )


def clock_warning(skew: float) -> str | None:
    """Warn when S3's clock is far from this machine's; ``None`` when it is close enough."""
    if abs(skew) <= CLOCK_SKEW_WARNING_SECONDS:
        return None
    return (
        f"warning: the S3 server's clock is {abs(skew):.0f} s {direction(skew)} this machine's; "
        "the URL's validity window is shifted by as much\n"
    )


def direction(skew: float) -> str:
    """Say which way a clock is off: ``ahead of`` or ``behind``."""
    return "ahead of" if skew > 0 else "behind"
