"""Accent-insensitive, typo-tolerant matching for Vietnamese text (no ORM).

Vietnamese users often type without diacritics ("dang ky khai sinh") or with small
typos ("khai sihn"). Text is normalised (NFD, combining marks stripped, đ→d, lower
case) and compared token by token: each query token must be a prefix of some
document token, or — in the fuzzy fallback — within a small edit distance of one.
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*")


def normalise(text: str) -> str:
    """Lower-case, accent-free form: "Đăng ký khai sinh" → "dang ky khai sinh"."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(tokens_of(stripped.lower()))


def tokens_of(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


def tokenize(text: str) -> list[str]:
    return tokens_of(normalise(text))


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal-string-alignment distance (Levenshtein + adjacent transposition), so
    "sihn" → "sinh" costs 1. Stops early once every cell exceeds `limit`."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def allowed_typos(token: str) -> int:
    """Short tokens must match exactly; longer ones tolerate one or two edits."""
    if len(token) <= 2:
        return 0
    if len(token) <= 6:
        return 1
    return 2


def prefix_match(query_tokens: list[str], doc_tokens: list[str]) -> bool:
    """Every query token is a prefix of some document token."""
    return all(any(d.startswith(q) for d in doc_tokens) for q in query_tokens)


def fuzzy_score(query_tokens: list[str], doc_tokens: list[str]) -> int | None:
    """Total edits needed so that every query token matches a document token (as a
    prefix, or within its typo allowance of a whole token or an equally long prefix);
    None when some token cannot match."""
    total = 0
    for q in query_tokens:
        best: int | None = None
        limit = allowed_typos(q)
        for d in doc_tokens:
            if d.startswith(q):
                best = 0
                break
            if limit == 0:
                continue
            dist = min(edit_distance(q, d, limit), edit_distance(q, d[: len(q)], limit))
            if dist <= limit and (best is None or dist < best):
                best = dist
        if best is None:
            return None
        total += best
    return total


def token_distances(query_token: str, vocabulary: set[str]) -> dict[str, int]:
    """Distance of one query token to each vocabulary token it can match (prefix → 0,
    else within the typo allowance). Computing this once per distinct token keeps the
    fuzzy fallback fast on a catalogue of thousands of procedures."""
    limit = allowed_typos(query_token)
    result: dict[str, int] = {}
    for token in vocabulary:
        if token.startswith(query_token):
            result[token] = 0
        elif limit:
            dist = min(
                edit_distance(query_token, token, limit),
                edit_distance(query_token, token[: len(query_token)], limit),
            )
            if dist <= limit:
                result[token] = dist
    return result


def fuzzy_rank(
    query_tokens: list[str], documents: list[tuple[object, list[str]]]
) -> list[tuple[int, object]]:
    """(score, key) for every document matching all query tokens, best first; same
    semantics as fuzzy_score, computed per distinct token."""
    vocabulary = {t for _key, tokens in documents for t in tokens}
    tables = [token_distances(q, vocabulary) for q in query_tokens]
    ranked = []
    for key, tokens in documents:
        total = 0
        for table in tables:
            best = min((table[t] for t in tokens if t in table), default=None)
            if best is None:
                break
            total += best
        else:
            ranked.append((total, key))
    return ranked
