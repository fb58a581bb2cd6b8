"""Finding conflicts of interest from what the profiles and the startups record.

Four rules, each a `ConflictSource`:

- same organisation: the reviewer's affiliation (or account organisation) names the startup
  (its name or registered name) or a founder's organisation;
- same e-mail domain as a founder, except public webmail and reserved test domains;
- equity: the reviewer holds equity in the startup (`ReviewerProfile.holdings`);
- shared past company: one of the reviewer's past companies names the startup or a
  founder's organisation.

Names are compared after `normalise_organisation`: case, accents, punctuation and legal
suffixes ("Limited", "Ltd", "Inc", "有限公司") do not count.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

# Addresses at these domains say nothing about where someone works.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.com.hk",
        "live.com",
        "live.hk",
        "msn.com",
        "yahoo.com",
        "yahoo.com.hk",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.com",
        "gmx.net",
        "mail.com",
        "zoho.com",
        "yandex.com",
        "qq.com",
        "163.com",
        "126.com",
        "sina.com",
        "sohu.com",
        "netvigator.com",
        "hkbn.net",
        "biznetvigator.com",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
    }
)
# RFC 2606 / RFC 6761 names for examples and tests: never a real organisation.
RESERVED_DOMAINS = frozenset({"example.com", "example.org", "example.net"})
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost")

_LEGAL_SUFFIXES = (
    "limited",
    "ltd",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "llc",
    "llp",
    "plc",
    "gmbh",
    "pte",
    "pty",
    "sa",
    "bv",
    "ag",
    "holdings",
    "group",
)
_CJK_SUFFIXES = ("有限公司", "股份有限公司", "公司", "集團")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


def normalise_organisation(name: str) -> str:
    """A key under which spellings of one organisation's name agree."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().strip()
    for suffix in _CJK_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    words = [w for w in _NON_WORD.split(text.replace("&", " and ")) if w]
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def email_domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower() if "@" in (address or "") else ""


def is_telling_domain(domain: str) -> bool:
    """Whether sharing this domain means sharing an employer."""
    return bool(
        domain
        and domain not in PUBLIC_EMAIL_DOMAINS
        and domain not in RESERVED_DOMAINS
        and not domain.endswith(RESERVED_SUFFIXES)
        and "." in domain
    )


def find(reviewers: Iterable[dict], startups: Iterable[dict]) -> dict[tuple[int, int, str], str]:
    """Every automatic conflict among the given reviewers and startups.

    A reviewer is {"id", "email", "organisation", "affiliation", "past_companies": [...],
    "holdings": set of startup ids}; a startup {"id", "name", "legal_name", "founders":
    [{"email", "organisation"}]}. Returns {(reviewer id, startup id, source): reason}; the
    startups are indexed once by name and domain, so the work grows with the rows, not with
    every pair. The reason is what matched (a name, a domain), which the pages show after the
    source's translated label.
    """
    by_name: dict[str, set[int]] = defaultdict(set)  # the startup's own names
    by_founder_org: dict[str, set[int]] = defaultdict(set)
    by_domain: dict[str, set[int]] = defaultdict(set)
    startup_ids = set()
    for startup in startups:
        startup_ids.add(startup["id"])
        for name in (startup["name"], startup.get("legal_name", "")):
            key = normalise_organisation(name)
            if key:
                by_name[key].add(startup["id"])
        for founder in startup.get("founders", ()):
            key = normalise_organisation(founder.get("organisation", ""))
            if key:
                by_founder_org[key].add(startup["id"])
            domain = email_domain(founder.get("email", ""))
            if is_telling_domain(domain):
                by_domain[domain].add(startup["id"])

    found: dict[tuple[int, int, str], str] = {}
    for reviewer in reviewers:
        rid = reviewer["id"]
        for label in (reviewer.get("affiliation", ""), reviewer.get("organisation", "")):
            key = normalise_organisation(label)
            if not key:
                continue
            for sid in by_name.get(key, ()):
                found.setdefault((rid, sid, "organisation"), label)
            for sid in by_founder_org.get(key, ()):
                found.setdefault((rid, sid, "organisation"), label)
        domain = email_domain(reviewer.get("email", ""))
        if is_telling_domain(domain):
            for sid in by_domain.get(domain, ()):
                found[(rid, sid, "email_domain")] = domain
        for sid in set(reviewer.get("holdings", ())) & startup_ids:
            found[(rid, sid, "equity")] = ""
        for company in reviewer.get("past_companies", ()):
            key = normalise_organisation(company)
            if not key:
                continue
            for sid in by_name.get(key, set()) | by_founder_org.get(key, set()):
                found.setdefault((rid, sid, "past_company"), company)
    return found
