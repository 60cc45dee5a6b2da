"""CMS families as listing plug-ins: each recognises its column pages and walks their listing.

To add a family: a module with a class that has ``name``, ``detect(page)`` and
``walk(page, fetch)`` (see ``base.Family``), listed in ``FAMILIES`` before the ones it must win
over, and a local test portal in ``tests/cms_portals.py`` (docs/scraping.md).
"""

from __future__ import annotations

from pipelines.scrape.cms.apis import CommonSearchFamily, EpointFamily, GkmlptFamily, JpaasFamily
from pipelines.scrape.cms.base import Family, Fetch, ListingItem, ListingRequest, Page, page_items
from pipelines.scrape.cms.hanweb import HanwebJpageFamily, HanwebXxgkFamily
from pipelines.scrape.cms.static import StaticFamily, TrsFamily

# Most specific first: an API shell can also carry a stray pager; "static" is the fallback.
FAMILIES: tuple[Family, ...] = (HanwebJpageFamily(), HanwebXxgkFamily(), JpaasFamily(), GkmlptFamily(),
                                EpointFamily(), CommonSearchFamily(), TrsFamily(), StaticFamily())
FAMILY_NAMES = tuple(f.name for f in FAMILIES)


def family_named(name: str) -> Family:
    return next(f for f in FAMILIES if f.name == name)


def detect_family(page: Page) -> Family | None:
    return next((f for f in FAMILIES if f.detect(page)), None)


__all__ = ["FAMILIES", "FAMILY_NAMES", "Family", "Fetch", "ListingItem", "ListingRequest", "Page", "detect_family",
           "family_named", "page_items"]
