"""Static assets: fingerprinted names, long-lived caching, gzip made once at start-up.

Every file under `web/static/` is served at `/static/<folder>/<name>.<hash>.<ext>`, where the hash is of
its content, so a cached copy can be kept for a year (`immutable`) and a new release is fetched at once.
Pages name assets through `asset("app.css")`. Council networks often block CDNs, so nothing is loaded
from elsewhere: GOV.UK Frontend and Swagger UI are vendored (tools/update_govuk_assets.sh).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

STATIC_DIR = Path(__file__).resolve().parent / "static"
PREFIX = "/static/"
YEAR = 365 * 24 * 3600
# GOV.UK Frontend at the release the pinned govuk-frontend-jinja targets (its README's table).
GOVUK_FRONTEND_VERSION = "6.3.0"
_TEXT = {".css", ".js", ".svg", ".json", ".txt", ".map"}


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    media_type: str
    etag: str


class Assets:
    """The fingerprinted files, read once."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        self._urls: dict[str, str] = {}
        self._files: dict[str, Asset] = {}
        self._plain: dict[str, Asset] = {}
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            logical = path.relative_to(root).as_posix()
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:12]
            name = f"{path.stem}.{digest}{path.suffix}"
            url = PREFIX + (logical.rsplit("/", 1)[0] + "/" + name if "/" in logical else name)
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if path.suffix in _TEXT and not media_type.endswith("charset=utf-8"):
                media_type += "; charset=utf-8"
            gzipped = gzip.compress(body, 9, mtime=0) if path.suffix in _TEXT else None
            if gzipped is not None and len(gzipped) >= len(body):
                gzipped = None
            self._urls[logical] = url
            self._files[url] = Asset(body, gzipped, media_type, f'"{digest}"')
            # Also at its plain name, for what cannot know the fingerprint (the gateway's /docs page),
            # cached for a day and revalidated by its ETag.
            self._plain[PREFIX + logical] = self._files[url]

    @staticmethod
    @cache
    def load() -> Assets:
        """Read once per process (compressing Swagger UI's bundle takes a moment)."""
        return Assets()

    def url(self, logical: str) -> str:
        """The fingerprinted address of `web/static/<logical>`; a missing file is a mistake in a template."""
        return self._urls[logical]

    def response(self, request: Request) -> Response | None:
        asset = self._files.get(request.url.path)
        cache = f"public, max-age={YEAR}, immutable"
        if asset is None:
            asset = self._plain.get(request.url.path)
            cache = "public, max-age=86400"
        if asset is None:
            return None
        headers = {
            "Cache-Control": cache,
            "ETag": asset.etag,
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        }
        if request.headers.get("if-none-match") == asset.etag:
            return Response(status_code=304, headers=headers)
        if asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)
