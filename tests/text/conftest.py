"""Shared data of the toolkit.text tests: a few sentences that exercise every step.

The plain helpers (``SAMPLE``, ``_corpus``) are imported by the test modules with
``from .conftest import ...``.
"""

from __future__ import annotations

import pandas as pd

SAMPLE = [
    "The Arms Trade Treaty bans weapons of mass destruction. Mr. President, dual-use goods "
    "and the Security Council! Non-proliferation treaty; non proliferation treaty.",
    "I don’t think the U.S. can’t; “peace,” (1945) Member States' self-determination—and "
    "co-operation. Small arms and light weapons, small arms.",
    "Delegations congratulate the General Assembly\n\non its seventieth session. inter-\n"
    "national   peace\u200bkeeping\tand\u00a0security.",
    "   ",
    "the and of",
]


def _corpus():
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(SAMPLE))], "text": SAMPLE})
