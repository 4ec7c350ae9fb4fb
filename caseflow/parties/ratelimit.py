"""Per-address limits of the public routes (parties.md: "every public route is rate-limited per
address"): a count of ``RateHit`` rows in a sliding window, in the database so that every web
worker sees the same count. Self-contained; the login throttle is the accounts area's own."""

import math
from datetime import datetime, timedelta

from flask import g, request
from sqlalchemy import delete, func, select

from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.parties.models import RateHit
from caseflow.timeutil import utcnow

#: bucket → (allowed hits, window). parties.md §1: 5 filings per address per hour, and 20 wrong
#: captcha answers (a person gets a sum wrong now and then, a script guessing gets far more);
#: §2: 20 wrong status codes per address per hour; a party's link: 20 bad tokens per hour.
LIMITS = {
    "filing": (5, timedelta(hours=1)),
    "captcha_miss": (20, timedelta(hours=1)),
    "status_miss": (20, timedelta(hours=1)),
    "link_miss": (20, timedelta(hours=1)),
    "verify_miss": (20, timedelta(hours=1)),
}


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int, **kwargs):
        super().__init__(
            "请求过于频繁，请稍后再试",
            message_en=f"too many requests from this address; retry in {retry_after} seconds",
            **kwargs,
        )
        self.retry_after = retry_after


def client_address() -> str:
    """The client's address as the server saw it (a proxy in front sets REMOTE_ADDR through
    ProxyFix; a client-sent X-Forwarded-For is not trusted here)."""
    return (request.remote_addr or "unknown")[:64]


def rate_check(bucket: str, *, address: str | None = None, now: datetime | None = None) -> None:
    """Raise ``RateLimited`` (429, with the seconds until a slot frees) once ``address`` has used
    up ``bucket`` in its window."""
    limit, window = LIMITS[bucket]
    now = now or utcnow()
    address = address or client_address()
    hits = db.session.execute(
        select(func.count(), func.min(RateHit.at)).where(
            RateHit.bucket == bucket, RateHit.address == address, RateHit.at > now - window
        )
    ).one()
    count, oldest = hits
    if count >= limit:
        retry = max(1, math.ceil((oldest + window - now).total_seconds())) if oldest else 60
        g.rate_retry_after = retry
        raise RateLimited(retry)


def rate_hit(bucket: str, *, address: str | None = None, now: datetime | None = None) -> None:
    """Count one hit (flushed). The caller commits it at once, before it refuses the request or
    goes on: a hit counts even if the request fails later."""
    now = now or utcnow()
    _limit, window = LIMITS[bucket]
    address = address or client_address()
    db.session.add(RateHit(bucket=bucket, address=address, at=now))
    # Old hits are of no use; trimmed here, a few rows at a time, so the table stays small.
    db.session.execute(
        delete(RateHit).where(RateHit.bucket == bucket, RateHit.at < now - window * 2)
    )
    db.session.flush()


def retry_after_header(response):
    """429 answers carry ``Retry-After`` (seconds); registered on the app by the parties area."""
    if response.status_code == 429 and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(g.get("rate_retry_after") or 60)
    return response
