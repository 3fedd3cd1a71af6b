"""The decided Khmer wordings (docs/GLOSSARY.md) that tests look for, so a changed decision is one edit."""


def revoked_km() -> str:
    """The decided Khmer word for a revoked order, in its shortest allowed form."""
    from portal import glossary

    return min(next(t for t in glossary.terms() if t.key == "revoke").khmer, key=len)
