"""The explorer's JavaScript libraries, vendored from the npm registry at build time.

Each package in ``vendor.json`` is pinned by version and by the sha512 integrity the registry
publishes; the tarball is downloaded once into a cache (``$NIANBAO_VENDOR_CACHE`` or the user cache
folder), checked against the pin, and the listed files are copied into the site. The site then
loads them from its own folder: nothing is requested from a CDN when a page opens."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import platformdirs
from tenacity import retry, stop_after_attempt, wait_exponential

PINS = Path(__file__).with_name("vendor.json")
REGISTRY = os.environ.get("NIANBAO_NPM_REGISTRY", "https://registry.npmjs.org")


class VendorError(RuntimeError):
    """A pinned package could not be fetched or did not match its pin."""


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str
    files: dict[str, str]  # path in the tarball → file name in the site's vendor folder

    @property
    def tarball_url(self) -> str:
        return f"{REGISTRY}/{self.name}/-/{self.name.split('/')[-1]}-{self.version}.tgz"


def packages() -> list[Package]:
    return [Package(**p) for p in json.loads(PINS.read_text(encoding="utf-8"))["packages"]]


def _cache_dir() -> Path:
    return Path(os.environ.get("NIANBAO_VENDOR_CACHE") or platformdirs.user_cache_dir("nianbao")) / "npm"


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@retry(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=1, max=10), reraise=True)
def _download(url: str) -> bytes:
    response = httpx.get(url, timeout=60, follow_redirects=True)
    response.raise_for_status()
    return response.content


def tarball(pkg: Package) -> bytes:
    """The package's tarball from the cache, or the registry; either way checked against its pin."""
    cached = _cache_dir() / f"{pkg.name.replace('/', '_')}-{pkg.version}.tgz"
    if cached.exists():
        data = cached.read_bytes()
        if _integrity(data) == pkg.integrity:
            return data
    try:
        data = _download(pkg.tarball_url)
    except httpx.HTTPError as err:
        raise VendorError(f"{pkg.name}@{pkg.version}: cannot fetch {pkg.tarball_url} ({err}); the explorer's "
                          "libraries come from the npm registry at build time (or set NIANBAO_VENDOR_CACHE to a "
                          "folder holding the pinned tarballs)") from err
    if _integrity(data) != pkg.integrity:
        raise VendorError(f"{pkg.name}@{pkg.version}: the registry's tarball does not match the pinned integrity "
                          f"in {PINS.name} (got {_integrity(data)[:30]}…)")
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".part")
    tmp.write_bytes(data)
    tmp.replace(cached)
    return data


def vendor_into(folder: Path) -> list[str]:
    """Copy every pinned package's files into ``folder``; returns the file names written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for pkg in packages():
        with tarfile.open(fileobj=io.BytesIO(tarball(pkg)), mode="r:gz") as tar:
            for member, target in pkg.files.items():
                extracted = tar.extractfile(member)
                if extracted is None:
                    raise VendorError(f"{pkg.name}@{pkg.version}: {member} is not in the tarball")
                (folder / target).write_bytes(extracted.read())
                written.append(target)
    return written
