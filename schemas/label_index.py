"""A small in-memory word-prefix index for searching vocabulary labels.

A query matches an entry when every query word is a prefix of some word of the entry's label or
keywords (case-insensitive). Results rank, in order: the exact label; labels starting with the
query as whole words, then as a prefix; labels holding every query word whole, then as prefixes;
matches through keywords only. Ties go to shorter, then alphabetically earlier labels.
"""

import bisect
import heapq
import re
from collections import defaultdict
from collections.abc import Sequence

_WORD = re.compile(r"[\w+#]+")
MAX_QUERY_WORDS = 8
MAX_LIMIT = 100


def words(text: str) -> list[str]:
    """The lower-cased search words of ``text`` (letters, digits, ``+`` and ``#``)."""
    return _WORD.findall(text.casefold())


class LabelIndex:
    """Prefix search over labels and keywords; built once, read-only afterwards."""

    def __init__(self, labels: Sequence[str], keywords: Sequence[str]) -> None:
        self._label_words = [tuple(words(label)) for label in labels]
        self._label_text = [" ".join(w) for w in self._label_words]
        postings: dict[str, set[int]] = defaultdict(set)
        for i, (label_words, extra) in enumerate(zip(self._label_words, keywords, strict=True)):
            for word in (*label_words, *words(extra)):
                postings[word].add(i)
        self._vocabulary = sorted(postings)
        self._postings = {word: tuple(sorted(ids)) for word, ids in postings.items()}

    def _matching(self, prefix: str) -> set[int]:
        found: set[int] = set()
        start = bisect.bisect_left(self._vocabulary, prefix)
        for word in self._vocabulary[start:]:
            if not word.startswith(prefix):
                break
            found.update(self._postings[word])
        return found

    def search(self, query: str, limit: int) -> list[int]:
        """Indices of the best ``limit`` entries for ``query``; ValueError for a bad limit."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        terms = list(dict.fromkeys(words(query[:500])))[:MAX_QUERY_WORDS]
        if not terms:
            return []
        sets = sorted((self._matching(t) for t in terms), key=len)
        candidates = sets[0].intersection(*sets[1:])
        phrase = " ".join(words(query[:500]))

        def rank(i: int) -> tuple[int, int, str, int]:
            text, label_words = self._label_text[i], self._label_words[i]
            if text == phrase:
                tier = 0
            elif text.startswith(phrase + " "):
                tier = 1
            elif text.startswith(phrase):
                tier = 2
            elif all(t in label_words for t in terms):
                tier = 3
            elif all(any(w.startswith(t) for w in label_words) for t in terms):
                tier = 4
            else:
                tier = 5
            return (tier, len(text), text, i)

        return heapq.nsmallest(limit, candidates, key=rank)
