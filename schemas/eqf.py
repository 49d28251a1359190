"""The eight levels of the European Qualifications Framework, in Finnish, Swedish and English.

The descriptions abridge the level descriptors of the Council Recommendation of 22 May 2017 on
the EQF (Annex II); the examples name Finnish qualifications placed at that level in the Finnish
National Qualifications Framework (Act 93/2017), whose levels 1-8 match the EQF's.
"""

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

from schemas.type_metadata import primary_language


@dataclass(frozen=True)
class EQFLevel:
    """One EQF level: short descriptions and Finnish examples keyed by ``fi``, ``sv``, ``en``."""

    level: int
    descriptions: Mapping[str, str]
    examples: Mapping[str, str]

    def description(self, lang: str) -> str:
        """The short description in ``lang`` (fi, sv or en; others fall back to en)."""
        return self.descriptions[primary_language(lang)]

    def example(self, lang: str) -> str | None:
        """Examples of Finnish qualifications at this level in ``lang``, if any."""
        return self.examples.get(primary_language(lang))


@functools.cache
def eqf_levels() -> tuple[EQFLevel, ...]:
    """All eight EQF levels, in order, read once from the package data."""
    text = resources.files("schemas").joinpath("data", "eqf_levels.json").read_text("utf-8")
    return tuple(
        EQFLevel(
            level=int(item["level"]),
            descriptions=MappingProxyType(dict(item["description"])),
            examples=MappingProxyType(dict(item.get("examples", {}))),
        )
        for item in json.loads(text)["levels"]
    )


def eqf_level(level: int) -> EQFLevel:
    """The EQF level ``level`` (1-8). Raises :class:`ValueError` for any other number."""
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 8:
        raise ValueError("an EQF level is an integer from 1 to 8")
    return eqf_levels()[level - 1]
