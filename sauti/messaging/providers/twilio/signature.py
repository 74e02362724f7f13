"""X-Twilio-Signature: base64(HMAC-SHA1(auth_token, url + every (name + value), names sorted)).

Written out (15 lines) rather than depending on the `twilio` package, whose install pulls in aiohttp and
the whole REST client for this one function (see docs/decisions.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping


def compute(auth_token: str, url: str, params: Mapping[str, Iterable[str]]) -> str:
    payload = url + "".join(name + value for name in sorted(params) for value in sorted(params[name]))
    digest = hmac.new(auth_token.encode(), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def valid(auth_token: str, urls: Iterable[str], params: Mapping[str, Iterable[str]], signature: str) -> bool:
    """True if the signature matches any of the URLs the provider may have used (with and without the
    default port, public URL behind a proxy). Compared in constant time."""
    if not auth_token or not signature:
        return False
    return any(hmac.compare_digest(compute(auth_token, url, params), signature) for url in urls)
