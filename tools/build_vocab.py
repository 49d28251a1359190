"""Build the ESCO vocabulary files shipped in ``schemas/data/`` from the ESCO CSV extracts.

Run as ``python -m tools.build_vocab /path/to/esco`` where the folder holds ``skills.csv`` and
``occupations_ict.csv`` (see that folder's README). This is a build tool: it reads files named on
the command line and is never imported by the rest of the package.

ESCO (European Skills, Competences, Qualifications and Occupations) is published by the European
Commission, © European Union; the files written here are derived from it and keep its URIs. How
the English labels are recovered is described in :mod:`tools.esco_labels`.
"""

import csv
import gzip
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from tools.esco_labels import LabelDeriver, make_unique

SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
OCCUPATION_PREFIX = "http://data.europa.eu/esco/occupation/"
DATA_DIR = Path(__file__).parent / "data"
SKILLS_FILE = "esco_skills.json.gz"
OCCUPATIONS_FILE = "esco_occupations_ict.json"


def _split_labels(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def build_skills(rows: Sequence[dict[str, str]], known_labels: Iterable[str]) -> list[list[str]]:
    """Rows of ``[uuid, label, type, alt_label, keywords]``; type is skill, knowledge or empty."""
    deriver = LabelDeriver([r["search_text"] for r in rows], known_labels)
    rows = sorted(rows, key=lambda r: r["uri"])
    texts = [" ".join(r["search_text"].split()) for r in rows]
    fixed = {" ".join(r["preferred_label"].split()).lower() for r in rows if r["preferred_label"]}
    derived = {
        i: deriver.derive_label(texts[i]) for i, r in enumerate(rows) if not r["preferred_label"]
    }
    make_unique(derived, fixed, texts, deriver)
    out: list[list[str]] = []
    for i, row in enumerate(rows):
        uri = row["uri"].strip()
        if not uri.startswith(SKILL_PREFIX):
            raise ValueError("a skill URI does not start with the ESCO skill prefix")
        text = texts[i]
        label = derived.get(i) or " ".join(row["preferred_label"].split())
        alt = " ".join(row["alt_labels"].split())
        out.append(
            [
                uri[len(SKILL_PREFIX) :],
                label,
                row["skill_type"].strip(),
                alt if alt.lower() != label.lower() else "",
                deriver.keywords(text, label),
            ]
        )
    return out


def build_occupations(rows: Sequence[dict[str, str]]) -> list[dict[str, object]]:
    """Occupation records with clean labels, alternative labels and essential skill labels."""
    out: list[dict[str, object]] = []
    for row in sorted(rows, key=lambda r: r["uri"]):
        label = row["preferred_label"].strip()
        alts = [a for a in dict.fromkeys(_split_labels(row["alt_labels"])) if a != label]
        out.append(
            {
                "uri": row["uri"].strip(),
                "label": label,
                "alt_labels": alts,
                "description": " ".join(row["description"].split()),
                "essential_skills": _split_labels(row["essential_skill_labels"]),
            }
        )
    return out


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_vocabulary(source: Path, target: Path) -> tuple[int, int]:
    """Write the skill and occupation files into ``target``; return how many of each."""
    skill_rows = _read_csv(source / "skills.csv")
    occupation_rows = _read_csv(source / "occupations_ict.csv")
    occupations = build_occupations(occupation_rows)
    known = [str(s) for o in occupations for s in o["essential_skills"]]  # type: ignore[attr-defined]
    known += [r["preferred_label"] for r in skill_rows if r["preferred_label"]]
    skills = build_skills(skill_rows, known)
    doc = {"source": "ESCO, © European Union", "prefix": SKILL_PREFIX, "skills": skills}
    payload = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    target.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the file byte-for-byte reproducible.
    with gzip.GzipFile(target / SKILLS_FILE, "wb", compresslevel=9, mtime=0) as handle:
        handle.write(payload)
    occ_doc = {"source": "ESCO, © European Union", "occupations": occupations}
    (target / OCCUPATIONS_FILE).write_text(
        json.dumps(occ_doc, ensure_ascii=False, indent=0, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    return len(skills), len(occupations)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: ``python -m tools.build_vocab SOURCE_DIR [TARGET_DIR]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not 1 <= len(args) <= 2:
        print("usage: python -m tools.build_vocab SOURCE_DIR [TARGET_DIR]", file=sys.stderr)
        return 2
    target = Path(args[1]) if len(args) == 2 else DATA_DIR
    skills, occupations = write_vocabulary(Path(args[0]), target)
    print(f"wrote {skills} skills and {occupations} occupations to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
