"""The proxies the step's environment sets for a URL, read as urllib and botocore read the process's.

botocore's own clients, STS's and the credential chain's, read the process's environment; in a step the two are one.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit
from urllib.request import proxy_bypass_environment  # type: ignore[attr-defined]  # urllib has it; typeshed not


def proxies_for(url: str, proxies: Mapping[str, str]) -> dict[str, str]:
    """Return the proxies for the URL's host, by scheme, as ``botocore.utils.get_environ_proxies`` does.

    :param url: Where a request goes.
    :param proxies: The environment's, as :func:`environ_proxies` reads them once for a step.
    :returns: Nothing where ``NO_PROXY`` names the host.
    """
    return {} if proxy_bypass_environment(urlsplit(url).netloc, proxies) else dict(proxies)


def environ_proxies(environ: Mapping[str, str]) -> dict[str, str]:
    """Read every ``<scheme>_proxy`` variable, ``no_proxy`` too, the lower-case one first, as ``urllib.request`` does.

    :param environ: The step's environment: ``HTTP_PROXY``, ``HTTPS_PROXY``, ``NO_PROXY``, in either case.
    """
    proxies = {name.lower()[:-6]: value for name, value in environ.items() if value and name.lower().endswith("_proxy")}
    if "REQUEST_METHOD" in environ:  # as a CGI script: HTTP_PROXY may be a client's "Proxy:" header
        proxies.pop("http", None)
    for name, value in environ.items():
        if name.endswith("_proxy"):
            if value:
                proxies[name.lower()[:-6]] = value
            else:
                proxies.pop(name.lower()[:-6], None)
    return proxies


def proxy_variable(scheme: str, proxy: str, environ: Mapping[str, str]) -> str:
    """Name the variable that set the proxy, in the case it was written; urllib prefers the lower-case one."""
    named = [name for name, value in environ.items() if name.lower() == f"{scheme}_proxy" and value == proxy]
    return min(named, key=lambda name: name != name.lower(), default=f"{scheme.upper()}_PROXY")


def proxy_origin(proxy: str) -> str:
    """Show a proxy by its scheme, host and port, without user or password; botocore reads no scheme as http://."""
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy.removeprefix('//')}")
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
