"""Credentials never reach a log line.

The service itself logs no credential. What a client puts in a URL, though, uvicorn writes to
its access log as it came; an old map or a hand-written script might still send
``?access_token=…``. :func:`redact_access_log` installs a filter on ``uvicorn.access`` that
blanks credential-like query values (``access_token``, ``token``, ``ticket``, ``password``,
``secret``, ``key``) and anything shaped like a JWT before the line is written.
"""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(
    r"(?i)([?&](?:access_token|token|ticket|password|passwd|secret|api_key|key)=)[^&\s\"]*"
)
_JWT = re.compile(r"eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}")
ACCESS_LOGGER = "uvicorn.access"


def redact(text: str) -> str:
    """``text`` with credential-like query values and JWTs replaced by ``[redacted]``."""
    return _JWT.sub("[redacted]", _QUERY.sub(r"\1[redacted]", text))


class RedactCredentials(logging.Filter):
    """Rewrites a record's message and string arguments through :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def redact_access_log() -> None:
    """Install :class:`RedactCredentials` on uvicorn's access and error loggers (once)."""
    for name in (ACCESS_LOGGER, "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactCredentials) for f in logger.filters):
            logger.addFilter(RedactCredentials())
