"""Key order as JavaScript's `localeCompare` (ICU, en-US) sorts identifiers.

The wmill CLI sorts YAML keys with `localeCompare`; matching it byte for
byte needs ICU's multi-level comparison: base characters first (punctuation
< digits < letters, case and accents ignored), then accents, then case
(lowercase first). This covers the characters keys are made of; it is not a
general Unicode collation.
"""

from __future__ import annotations

import unicodedata

# CLDR root order of ASCII punctuation and symbols (all sort before digits).
_PUNCTUATION = "\t\n\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
_PUNCT_RANK = {ch: i for i, ch in enumerate(_PUNCTUATION)}


def _levels(text: str) -> tuple[tuple, tuple, tuple]:
    primary, secondary, tertiary = [], [], []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        accents = decomposed[1:]
        if base in _PUNCT_RANK:
            primary.append((0, _PUNCT_RANK[base]))
        elif base.isdigit():
            primary.append((1, unicodedata.digit(base, 0)))
        elif base.isalpha():
            primary.append((2, base.casefold()))
        else:
            primary.append((0, len(_PUNCTUATION) + ord(base)))
        secondary.append(accents)
        tertiary.append(0 if base == base.lower() else 1)
    return tuple(primary), tuple(secondary), tuple(tertiary)


def locale_key(text: str) -> tuple[tuple, tuple, tuple]:
    """Sort key equivalent to `a.localeCompare(b)` for identifier-like strings."""
    return _levels(text)
