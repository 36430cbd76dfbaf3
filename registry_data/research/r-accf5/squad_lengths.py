"""The unpadded length of the sequences MLPerf Inference's BERT benchmark runs: SQuAD v1.1 dev as its preprocessing
builds them, counted from the data set itself.

Diagnosis only: nothing here feeds a catalog or the package. Run from the repository root:

    .venv/bin/python registry_data/research/r-accf5/squad_lengths.py DEV_V1_1_JSON VOCAB_TXT

DEV_V1_1_JSON: SQuAD v1.1 dev (rajpurkar/SQuAD-explorer dataset/dev-v1.1.json, the file mlcommons/inference
language/bert/Makefile downloads; 4,854,279 bytes, SHA-256 below). VOCAB_TXT: BERT uncased WordPiece vocabulary
(30,522 lines; MLPerf's Zenodo vocab.txt, the same file as bert-base-uncased's; SHA-256 below). Both are checked.

The features as MLPerf builds them (mlcommons/inference language/bert/create_squad_data.py
convert_examples_to_features, and NVIDIA's harness closed/NVIDIA/code/bert/tensorrt/preprocess_data.py +
helpers/data_processing.py, inference_results_v4.1 198fc46): max_seq_length 384, doc_stride 128, max_query_length
64; the context split on whitespace (space, tab, CR, LF, U+202F) into words, each word WordPiece-tokenized alone;
the question tokenized whole and cut to 64 pieces; the document pieces cut into windows of at most 384 - q - 3,
each next window starting min(length, 128) pieces later, until one reaches the end; a feature is
[CLS] question [SEP] window [SEP]: q + window + 3 tokens, then zero-padded to 384 (the padding is not a token the
variable-length TensorRT engine runs, r-squad).

The tokenizer is written here (no tokenizer package is installed; NVIDIA's helpers/tokenization.py BertTokenizer is
Google BERT's tokenization.py with do_lower_case, whose algorithm this follows): clean (drop NUL, U+FFFD and
control characters; whitespace to a space), a space around each CJK ideograph, split on whitespace, lower-case,
strip accents (NFD, drop Mn), split off every punctuation character (ASCII non-alphanumerics and Unicode P*), then
greedy longest-match-first WordPiece ("##" continuation pieces; a word with no match, or over 200 characters in
NVIDIA's copy, is one [UNK]).

Percentiles as MLPerf LoadGen takes them (loadgen/results.cc ProcessLatencies: sorted[floor(count x p)]).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import unicodedata
from pathlib import Path

MAX_SEQ_LENGTH = 384
DOC_STRIDE = 128
MAX_QUERY_LENGTH = 64
MAX_WORD_CHARS = 200          # NVIDIA's WordpieceTokenizer (Google's and the reference's transformers: 100)
DEV_SHA256 = "95aa6a52d5d6a735563366753ca50492a658031da74f301ac5238b03966972c9"
VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
       (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
PERCENTILES = {"median": 0.5, "p90": 0.9, "p99": 0.99}


def checked(path: str | Path, sha256: str, what: str) -> bytes:
    data = Path(path).read_bytes()
    got = hashlib.sha256(data).hexdigest()
    if got != sha256:
        raise ValueError(f"{what} {path}: SHA-256 {got}, expected {sha256} (not the file MLPerf runs)")
    return data


def load_vocab(text: str) -> frozenset[str]:
    """The vocabulary's pieces, one a line (stripped, as NVIDIA's load_vocab reads them)."""
    return frozenset(line.strip() for line in text.splitlines())


def _punctuation(ch: str) -> bool:
    cp = ord(ch)
    return 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126 or \
        unicodedata.category(ch).startswith("P")


def _clean(text: str) -> str:
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in " \t\n\r" or cat == "Zs":
            out.append(" ")
        elif ord(ch) in (0, 0xFFFD) or cat.startswith("C"):
            continue
        elif any(lo <= ord(ch) <= hi for lo, hi in CJK):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    return "".join(out)


def basic_tokens(text: str) -> list[str]:
    """Lower-cased, accent-stripped words with every punctuation character a word of its own."""
    words = []
    for word in _clean(text).split():
        word = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")
        current = ""
        for ch in word:
            if _punctuation(ch):
                words += [current, ch] if current else [ch]
                current = ""
            else:
                current += ch
        if current:
            words.append(current)
    return words


def wordpieces(word: str, vocab: frozenset[str]) -> list[str]:
    """Greedy longest-match-first WordPiece of one basic word; [UNK] when a part has no match."""
    if len(word) > MAX_WORD_CHARS:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                pieces.append(piece)
                start = end
                break
        else:
            return ["[UNK]"]
    return pieces


def tokenize(text: str, vocab: frozenset[str]) -> list[str]:
    return [p for w in basic_tokens(text) for p in wordpieces(w, vocab)]


def doc_words(context: str) -> list[str]:
    """The context split as MLPerf's read_squad_examples splits it: space, tab, CR, LF and U+202F."""
    return "".join(" " if c in " \t\r\n\u202f" else c for c in context).split(" ")


def window_lengths(doc_pieces: int, query_pieces: int) -> list[int]:
    """The document pieces in each sliding window (MLPerf's doc_spans)."""
    room = MAX_SEQ_LENGTH - min(query_pieces, MAX_QUERY_LENGTH) - 3
    out, start = [], 0
    while start < doc_pieces:
        length = min(doc_pieces - start, room)
        out.append(length)
        if start + length == doc_pieces:
            break
        start += min(length, DOC_STRIDE)
    return out


def feature_lengths(question: str, context: str, vocab: frozenset[str], doc_pieces: int | None = None) -> list[int]:
    """Unpadded tokens of each feature one question makes: [CLS] question [SEP] window [SEP]."""
    if doc_pieces is None:
        doc_pieces = sum(len(tokenize(w, vocab)) for w in doc_words(context) if w)
    q = min(len(tokenize(question, vocab)), MAX_QUERY_LENGTH)
    return [q + n + 3 for n in window_lengths(doc_pieces, q)]


def stats(lengths: list[int]) -> dict[str, float]:
    """count, mean and LoadGen-style percentiles (sorted[floor(count x p)]) of the lengths."""
    if not lengths:
        raise ValueError("stats: no lengths")
    ordered = sorted(lengths)
    out = {"count": float(len(ordered)), "mean": sum(ordered) / len(ordered)}
    for name, p in PERCENTILES.items():
        out[name] = float(ordered[math.floor(len(ordered) * p)])
    return out


def dev_lengths(dev: dict, vocab: frozenset[str]) -> tuple[list[int], int]:
    """(every feature's unpadded length in the dev set's order, questions)."""
    lengths, questions = [], 0
    for article in dev["data"]:
        for paragraph in article["paragraphs"]:
            pieces = sum(len(tokenize(w, vocab)) for w in doc_words(paragraph["context"]) if w)
            for qa in paragraph["qas"]:
                questions += 1
                lengths += feature_lengths(qa["question"], "", vocab, pieces)
    return lengths, questions


def main(dev_path: str, vocab_path: str) -> dict[str, float]:
    dev = json.loads(checked(dev_path, DEV_SHA256, "SQuAD dev"))
    vocab = load_vocab(checked(vocab_path, VOCAB_SHA256, "vocab").decode("utf-8"))
    lengths, questions = dev_lengths(dev, vocab)
    s = stats(lengths)
    print(f"SQuAD v1.1 dev: {questions} questions -> {len(lengths)} features (MLPerf: 10,833)")
    print(f"unpadded tokens a feature: mean {s['mean']:.2f} (r-squad 176.6, 174.7-178.6), median {s['median']:.0f}, "
          f"p90 {s['p90']:.0f}, p99 {s['p99']:.0f}, min {min(lengths)}, max {max(lengths)}")
    print(f"features at the 384 cap: {sum(n == MAX_SEQ_LENGTH for n in lengths)}; "
          f"padding share {1 - sum(lengths) / (MAX_SEQ_LENGTH * len(lengths)):.4f} (paper: 0.54)")
    for cut in (200, 240, 270, 300):
        print(f"  share of features longer than {cut}: {sum(n > cut for n in lengths) / len(lengths):.4f}")
    return s


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: squad_lengths.py DEV_V1_1_JSON VOCAB_TXT")
    main(sys.argv[1], sys.argv[2])
