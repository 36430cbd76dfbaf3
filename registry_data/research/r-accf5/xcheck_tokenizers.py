"""Cross-check of squad_lengths.py's WordPiece against Hugging Face ``tokenizers``' BertWordPieceTokenizer on every
SQuAD v1.1 dev context word and question. ``tokenizers`` is not a project dependency: run it from a throwaway venv,

    python3 -m venv /tmp/wp && /tmp/wp/bin/pip install tokenizers
    /tmp/wp/bin/python registry_data/research/r-accf5/xcheck_tokenizers.py DEV_V1_1_JSON VOCAB_TXT

It prints the words and questions whose piece counts differ, and the length statistics with the package's counts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tokenizers import BertWordPieceTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import squad_lengths as sl  # noqa: E402


def main(dev_path: str, vocab_path: str) -> None:
    dev = json.loads(sl.checked(dev_path, sl.DEV_SHA256, "SQuAD dev"))
    vocab = sl.load_vocab(sl.checked(vocab_path, sl.VOCAB_SHA256, "vocab").decode("utf-8"))
    hf = BertWordPieceTokenizer(vocab_path, lowercase=True, strip_accents=None, clean_text=True,
                                handle_chinese_chars=True)
    words = differ = questions = question_differ = 0
    lengths = []
    for article in dev["data"]:
        for paragraph in article["paragraphs"]:
            doc = [w for w in sl.doc_words(paragraph["context"]) if w]
            theirs = [len(e.tokens) for e in hf.encode_batch(doc, add_special_tokens=False)]
            for word, n in zip(doc, theirs):
                words += 1
                if len(sl.tokenize(word, vocab)) != n:
                    differ += 1
                    print(f"word {word!r}: {len(sl.tokenize(word, vocab))} here, {n} tokenizers")
            for qa in paragraph["qas"]:
                questions += 1
                q = len(hf.encode(qa["question"], add_special_tokens=False).tokens)
                if q != len(sl.tokenize(qa["question"], vocab)):
                    question_differ += 1
                    print(f"question {qa['question']!r}: {len(sl.tokenize(qa['question'], vocab))} here, {q}")
                q = min(q, sl.MAX_QUERY_LENGTH)
                lengths += [q + n + 3 for n in sl.window_lengths(sum(theirs), q)]
    print(f"context words {words}, differing {differ}; questions {questions}, differing {question_differ}")
    print(f"with tokenizers' counts: {sl.stats(lengths)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
