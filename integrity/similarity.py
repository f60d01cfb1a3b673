"""Similarity within the institution: shingles, MinHash signatures, LSH bands in PostgreSQL, and
exact passage matching for the few candidates.

How a new submission is compared with every earlier one in well under a second:
1. The text is cut into word 5-grams ("shingles", lower-cased words); datasketch's MinHash
   (affine32 scheme, NUM_PERM values) summarises the set as 128 uint32 values: 512 bytes stored
   per submission (`Signature.minhash`).
2. LSH: the signature is cut into BANDS bands of ROWS values; each band is hashed to a signed
   64-bit key stored in an int8[] column with a GIN index. Two texts whose shingle sets have
   Jaccard similarity J share at least one band key with probability 1 - (1 - J^ROWS)^BANDS
   (BANDS/ROWS chosen by datasketch's own `_optimal_param` for a threshold of 0.2). Finding the
   candidates is then ONE indexed query (`bands && new_bands`), whatever the number of earlier
   submissions. Why not datasketch's MinHashLSH: its index lives in process memory (or Redis /
   Cassandra) and would have to be rebuilt or kept in sync per institution; the band keys in
   PostgreSQL stay in the institution's schema, are erased with the submission, and need no
   second store.
3. Candidates are ranked by their estimated Jaccard (numpy on the stored signatures) and the best
   MAX_EXACT are compared exactly (`passages`): greedy runs of identical shingles, turned into
   character offsets in both texts, so the teacher sees matched passages side by side.

Limits (docs/writing-support.md): word-level, so a paraphrase with every few words changed is
not found; a short passage copied into a long essay has a low Jaccard and may fall under the LSH
threshold; the exact step still finds any passage of MIN_PASSAGE_WORDS once a pair is a candidate.
"""

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

SHINGLE = 5  # words per shingle
NUM_PERM = 128
SEED = 7
SCHEME = "affine32"  # uint32 values; stored signatures depend on it (and on SEED): changing either means recomputing
BANDS, ROWS = 28, 2  # datasketch.lsh._optimal_param(0.2, 128, 0.5, 0.5)
ESTIMATE_FLOOR = 0.05  # below this estimated Jaccard a candidate is a band collision, not a copy
MAX_EXACT = 10  # candidates compared exactly per job
MIN_PASSAGE_WORDS = 8

WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Tokens:
    words: tuple  # lower-cased
    spans: tuple  # (start, end) character offsets in the original text

    @classmethod
    def of(cls, text):
        found = [(m.group().lower(), m.span()) for m in WORD_RE.finditer(text)]
        return cls(tuple(w for w, _ in found), tuple(s for _, s in found))

    def shingles(self):
        w = self.words
        if len(w) < SHINGLE:
            return [" ".join(w)] if w else []
        return [" ".join(w[i:i + SHINGLE]) for i in range(len(w) - SHINGLE + 1)]


@lru_cache(maxsize=1)
def _permutations():
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def signature(text):
    """(uint32 array of NUM_PERM values, number of distinct shingles)."""
    shingles = set(Tokens.of(text).shingles())
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_permutations(), scheme=SCHEME)
    if shingles:
        minhash.update_batch([s.encode() for s in shingles])
    return minhash.digest().astype("<u4"), len(shingles)


def band_keys(values):
    """BANDS signed 64-bit keys; the band's index is part of the hash, so bands never collide across positions."""
    raw = np.asarray(values, dtype="<u4")
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(raw[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8,
                                 person=band.to_bytes(2, "little")).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def to_bytes(values):
    return np.asarray(values, dtype="<u4").tobytes()


def from_bytes(data):
    return np.frombuffer(bytes(data), dtype="<u4")


def estimated_jaccard(a, b):
    return float(np.count_nonzero(a == b)) / NUM_PERM


def passages(text_a, text_b):
    """Matched passages as [[a_start, a_end, b_start, b_end, words], ...] and the matched word count in A.

    Greedy and linear: walk A's shingles; where one also occurs in B, extend the run while the
    following shingles agree, record it when it spans MIN_PASSAGE_WORDS words, and continue after it.
    """
    a, b = Tokens.of(text_a), Tokens.of(text_b)
    a_sh, b_sh = a.shingles(), b.shingles()
    if len(a.words) < SHINGLE or len(b.words) < SHINGLE:
        return [], 0
    first_in_b = {}
    for position, shingle in enumerate(b_sh):
        first_in_b.setdefault(shingle, position)
    found, covered, i = [], 0, 0
    while i < len(a_sh):
        p = first_in_b.get(a_sh[i])
        if p is None:
            i += 1
            continue
        run = 1
        while i + run < len(a_sh) and p + run < len(b_sh) and a_sh[i + run] == b_sh[p + run]:
            run += 1
        words = run + SHINGLE - 1
        if words >= MIN_PASSAGE_WORDS:
            a_last, b_last = i + words - 1, p + words - 1
            found.append([a.spans[i][0], a.spans[a_last][1], b.spans[p][0], b.spans[b_last][1], words])
            covered += words
        i += run
    return found, covered
