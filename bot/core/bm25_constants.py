"""BM25's variants and the constants the settings default to, without numpy or rank-bm25, so
the settings (and every command that only reads them) can name them cheaply."""

from __future__ import annotations

VARIANTS = ("lucene", "okapi", "plus", "l")
# The default: Okapi's term weighting with Lucene's always-positive IDF.
VARIANT = "lucene"
# Chosen on the tuning sets of both languages (README, Quality): English questions gain most
# from a lower saturation.
K1 = 0.9
B = 0.7


def check_variant(variant: str) -> None:
    """Raise ValueError unless the variant is one of VARIANTS."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown BM25 variant {variant!r}; choose from {', '.join(VARIANTS)}")
