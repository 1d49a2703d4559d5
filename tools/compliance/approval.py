"""Two-person approval bound to the report's content.

Why code enforces it: the approval *is* the control. A preparer who could approve their
own report, or an approval that survived a later change to the text, would make the
control decorative. The rule itself (names compared case- and space-insensitively, so
"Dana Reid" cannot approve as "dana  reid") is Baton's generic separation-of-duties
check in :mod:`baton.review`; this module binds approvals to content.
"""

from __future__ import annotations

import hashlib

from baton.review import person_key, two_person_violation

__all__ = ["content_hash", "person_key", "two_person_violation"]


def content_hash(text: str) -> str:
    """The hash an approval binds to (SHA-256 of the report's UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
