"""Recover ESCO preferred labels from ``search_text``; build time only (see ``build_vocab``).

Most skills in the ESCO extract have no clean preferred label, only ``search_text``: the preferred
label, the alternative labels and the description run together without separators. The label is
recovered with these heuristics, in this order:

1. a clean ESCO label of another record (the occupations' essential skills) that starts the text;
2. for a label led by a verb ("sell hair products"), the object that also follows the verb's
   ``-ing`` form later in the text ("... selling hair products ..."), which ESCO lists for almost
   every skill;
3. the first word boundary where a new label plausibly starts: the first word again, a known
   label-initial verb after a complete object phrase, or a repeated phrase;
4. otherwise the first five words.

Labels never end in a function word, and labels that collide are lengthened until unique, as
ESCO's preferred labels are. The rest of the label text (before the description) is kept as
search keywords, so a skill is found by its alternative labels even where the split is imperfect.
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence

# fmt: off
_FUNCTION_WORDS = frozenset({
    "of", "to", "and", "or", "the", "a", "an", "for", "with", "in", "on", "at", "by", "from",
    "into", "about", "as", "their", "its", "own", "&", "-", "that", "which", "within", "under",
    "per", "via", "over", "across", "through", "between", "among", "out", "up", "off", "down",
    "one", "s", "who", "whose", "your", "other", "others",
})
_DESCRIPTION_OPENERS = frozenset({
    "the", "a", "an", "this", "these", "it", "ability", "methods", "techniques", "various",
    "field", "those", "process", "study", "principles", "characteristics", "rules", "types",
    "legislation", "regulations",
})
# fmt: on
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
            # A sentence never starts right after "in", "the", "of": that is a proper noun.
            after_function_word = _norm(words[i - 1]) in _FUNCTION_WORDS
            if word[:1].isupper() and not word.isupper() and not after_function_word:
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
                or (
                    text[len(label)] == " "
                    and _norm(text[len(label) + 1 :].split()[0]) not in _FUNCTION_WORDS
                )
            ):
                return label
        region = words[: min(self.description_start(words), 60)]
        if len(region) <= 1:
            return " ".join(region or words[:5])
        k = self._label_length(region)
        # A label never ends in a function word ("carry out", "advise on"): extend it.
        while k < len(region) and _norm(region[k - 1]) in _FUNCTION_WORDS:
            k += 1
        return " ".join(region[:k]).strip(",;: ")

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
            ends_well = low[n] not in _FUNCTION_WORDS
            if n and ends_well and (1 + n == len(low) or low[1 + n] not in _FUNCTION_WORDS):
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


def _extend(label: str, words: Sequence[str], limit: int) -> str:
    k = len(label.split()) + 1
    while k < limit and _norm(words[k - 1]) in _FUNCTION_WORDS:
        k += 1
    return " ".join(words[: min(k, limit)]).strip(",;: ")


def make_unique(
    derived: dict[int, str], fixed: set[str], texts: Sequence[str], d: LabelDeriver
) -> None:
    """Lengthen derived labels that collide: ESCO's preferred labels are unique."""
    for _ in range(8):
        seen = Counter(label.lower() for label in derived.values())
        clashing = [
            i for i, label in derived.items() if seen[label.lower()] > 1 or label.lower() in fixed
        ]
        if not clashing:
            return
        for i in clashing:
            words = texts[i].split()
            limit = max(d.description_start(words), len(derived[i].split()))
            derived[i] = _extend(derived[i], words, limit)
