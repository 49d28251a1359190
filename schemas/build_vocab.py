"""Build the ESCO vocabulary files shipped in ``schemas/data/`` from the ESCO CSV extracts.

Run as ``python -m schemas.build_vocab /path/to/esco`` where the folder holds ``skills.csv`` and
``occupations_ict.csv`` (see that folder's README). This is a build tool: it reads files named on
the command line and is never imported by the rest of the package.

ESCO (European Skills, Competences, Qualifications and Occupations) is published by the European
Commission, © European Union; the files written here are derived from it and keep its URIs.

Most skills in the extract have no clean preferred label, only ``search_text``: the preferred
label, the alternative labels and the description run together without separators. The label is
recovered with the heuristics of :func:`derive_label`, in this order:

1. a clean ESCO label of another record (the occupations' essential skills) that starts the text;
2. for a label led by a verb ("sell hair products"), the object that also follows the verb's
   ``-ing`` form later in the text ("... selling hair products ..."), which ESCO lists for almost
   every skill;
3. the first word boundary where a new label plausibly starts: the first word again, a known
   label-initial verb after a complete object phrase, or a repeated phrase;
4. otherwise the first five words.

The rest of the label text (before the description) is kept as search keywords, so a skill is
found by its alternative labels even where the split is imperfect.
"""

import csv
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
OCCUPATION_PREFIX = "http://data.europa.eu/esco/occupation/"
DATA_DIR = Path(__file__).parent / "data"
SKILLS_FILE = "esco_skills.json.gz"
OCCUPATIONS_FILE = "esco_occupations_ict.json"

_FUNCTION_WORDS = frozenset(
    "of to and or the a an for with in on at by from into about as their its own & - that which "
    "within under per via over across through between among out up off down one s who whose your "
    "other others".split()
)
_DESCRIPTION_OPENERS = frozenset(
    "the a an this these it ability methods techniques various field those process study "
    "principles characteristics rules types legislation regulations".split()
)
_MAX_LABEL_WORDS = 12
_WORD = re.compile(r"[\w+#]+")


def _norm(word: str) -> str:
    return word.lower().strip(",.;:()")


def _gerunds(verb: str) -> list[str]:
    forms = [verb + "ing"]
    if verb.endswith("ie"):
        forms.append(verb[:-2] + "ying")
    elif verb.endswith("e"):
        forms.append(verb[:-1] + "ing")
    if len(verb) > 2 and verb[-1] not in "aeiouwxy" and verb[-2] in "aeiou":
        forms.append(verb + verb[-1] + "ing")
    return forms


class LabelDeriver:
    """Recover preferred labels from ESCO ``search_text`` using corpus-wide word statistics."""

    def __init__(self, texts: Sequence[str], known_labels: Iterable[str]) -> None:
        words = Counter(_norm(w) for text in texts for w in text.split())
        initial = {_norm(text.split()[0]) for text in texts if text.split()}
        # A label-initial word is taken for a verb when its -ing form occurs somewhere in ESCO.
        self.verbs = {
            w for w in initial if not w.endswith("ing") and any(words[g] for g in _gerunds(w))
        } | {"be"}
        self.gerund_of = {g: v for v in self.verbs for g in _gerunds(v)}
        self.known = sorted({k.strip() for k in known_labels if k.strip()}, key=len, reverse=True)

    def _is_verb(self, word: str) -> bool:
        return word in self.verbs or word in self.gerund_of

    def description_start(self, words: Sequence[str]) -> int:
        """Index of the first word of the description (a capitalised sentence opener)."""
        for i in range(1, len(words)):
            word = words[i]
            if word[:1].isupper() and not word.isupper():
                low = _norm(word)
                if low in self.verbs or low in _DESCRIPTION_OPENERS:
                    return i
        return len(words)

    def derive_label(self, text: str) -> str:
        """The preferred label at the start of ``text`` (see the module docstring)."""
        words = text.split()
        for label in self.known:
            if text.startswith(label) and (
                len(text) == len(label)
                or (text[len(label)] == " " and _norm(text[len(label) + 1 :].split()[0]) not in
                    _FUNCTION_WORDS)
            ):
                return label
        region = words[: min(self.description_start(words), 60)]
        if len(region) <= 1:
            return " ".join(region or words[:5])
        return " ".join(region[: self._label_length(region)]).strip(",;: ")

    def _label_length(self, region: Sequence[str]) -> int:
        low = [_norm(w) for w in region]
        verb_led = low[0] in self.verbs
        if verb_led:
            from_gerund = self._object_after_gerund(low)
            if from_gerund:
                return 1 + from_gerund
        else:
            for k in range(1, min(len(low), 5)):
                if low[k] == low[0] and low[k - 1] not in _FUNCTION_WORDS:
                    return k
        for k in range(2 if verb_led else 1, min(len(low), _MAX_LABEL_WORDS) + 1):
            if k == len(low):
                return k
            if low[k - 1] in _FUNCTION_WORDS or low[k] in _FUNCTION_WORDS:
                continue
            nxt = low[k]
            if nxt in (low[0], low[0] + "s", low[0] + "es") or self.gerund_of.get(nxt) == low[0]:
                return k
            if verb_led:
                if self._is_verb(nxt) and _complete(low[1:k], low, k):
                    return k
            else:
                if (
                    _occurs(low[:k], low, k)
                    and not _occurs(low[: k + 1], low, k + 1)
                    and not (k == 1 and _stem(low[1]) in {_stem(w) for w in low[2:]})
                ):
                    return k
                if k >= 2 and low[k - 1] in low[k + 1 :] and low[k] not in low[:k]:
                    return k
            if k >= 2 and nxt in {w for w in low[:k] if w not in _FUNCTION_WORDS}:
                return k
        return min(len(low), 5)

    @staticmethod
    def _object_after_gerund(low: Sequence[str]) -> int:
        """Length of the object of a verb-led label, as repeated after the verb's -ing form."""
        forms = set(_gerunds(low[0]))
        best = 0
        for j in range(2, len(low)):
            if low[j] not in forms:
                continue
            n = 0
            while (
                1 + n < j
                and j + 1 + n < len(low)
                and low[1 + n] == low[j + 1 + n]
                and low[1 + n] != low[0]
                and not (n > 0 and low[1 + n] == low[1])
            ):
                n += 1
            if n and (1 + n == len(low) or low[1 + n] not in _FUNCTION_WORDS):
                best = max(best, n)
        return best

    def keywords(self, text: str, label: str) -> str:
        """Distinct words of the alternative labels that the preferred label lacks."""
        words = text.split()
        region = " ".join(words[: self.description_start(words)]).lower()
        seen = set(_WORD.findall(label.lower())) | _FUNCTION_WORDS
        out: list[str] = []
        for word in _WORD.findall(region):
            if word not in seen:
                seen.add(word)
                out.append(word)
        return " ".join(out)


def _occurs(seq: Sequence[str], low: Sequence[str], start: int) -> bool:
    n = len(seq)
    return any(list(low[i : i + n]) == list(seq) for i in range(start, len(low) - n + 1))


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _complete(obj: Sequence[str], low: Sequence[str], k: int) -> bool:
    """Whether the object phrase ends here: it recurs later followed by something else, or never."""
    n = len(obj)
    found = False
    for i in range(k, len(low) - n + 1):
        if list(low[i : i + n]) == list(obj):
            found = True
            if i + n >= len(low) or low[i + n] != low[k]:
                return True
    return not found


def _split_labels(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def build_skills(rows: Sequence[dict[str, str]], known_labels: Iterable[str]) -> list[list[str]]:
    """Rows of ``[uuid, label, type, alt_label, keywords]``; ``type`` is "skill", "knowledge" or ""."""
    deriver = LabelDeriver([r["search_text"] for r in rows], known_labels)
    out: list[list[str]] = []
    for row in sorted(rows, key=lambda r: r["uri"]):
        uri = row["uri"].strip()
        if not uri.startswith(SKILL_PREFIX):
            raise ValueError("a skill URI does not start with the ESCO skill prefix")
        text = " ".join(row["search_text"].split())
        label = " ".join(row["preferred_label"].split()) or deriver.derive_label(text)
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
    """Command line entry point: ``python -m schemas.build_vocab SOURCE_DIR [TARGET_DIR]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not 1 <= len(args) <= 2:
        print("usage: python -m schemas.build_vocab SOURCE_DIR [TARGET_DIR]", file=sys.stderr)
        return 2
    target = Path(args[1]) if len(args) == 2 else DATA_DIR
    skills, occupations = write_vocabulary(Path(args[0]), target)
    print(f"wrote {skills} skills and {occupations} occupations to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
