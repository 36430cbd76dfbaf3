"""registry_data/research/r-accf5: SQuAD v1.1 features' unpadded length as MLPerf BERT builds them (WordPiece,
sliding windows, LoadGen percentiles), against hand-worked examples."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-accf5"


def _load(name: str, file: str):
    return script(HERE / file, name)


@pytest.fixture(scope="module")
def sl():
    return _load("r_accf5_squad_lengths", "squad_lengths.py")


# A hand-made vocabulary: "capital" is not a piece, so it splits into cap ##ital; "cafe" is absent, so it is [UNK].
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "what", "is", "the", "cap", "##ital", "of", "france", "paris", "it",
         "s", "un", "##aff", "##able", "?", ".", ",", "!", "'"]


def test_tokenize_by_hand(sl):
    """'What is the capital of France?': what is the cap ##ital of france ? = 8 pieces (lower-cased, '?' split off).
    'Cafe!' with an accent: NFD + drop the combining mark -> 'cafe' (no piece: [UNK]) and '!'."""
    vocab = sl.load_vocab("\n".join(VOCAB))
    assert sl.tokenize("What is the capital of France?", vocab) == \
        ["what", "is", "the", "cap", "##ital", "of", "france", "?"]
    assert sl.tokenize("Caf\u00e9!", vocab) == ["[UNK]", "!"]
    assert sl.tokenize("unaffable,", vocab) == ["un", "##aff", "##able", ","]
    assert sl.tokenize("It's", vocab) == ["it", "'", "s"]


def test_feature_length_by_hand(sl):
    """Context 'Paris\\u202fis the\\u200b capital of France. It's unaffable, caf\\u00e9!': MLPerf's words (U+202F is a
    separator; the zero-width space U+200B is a format character the cleaner drops) and their pieces:
    paris 1, is 1, the 1, cap ##ital 2, of 1, france . 2, it ' s 3, un ##aff ##able , 4, [UNK] ! 2 = 17;
    question 8: one feature of [CLS] + 8 + [SEP] + 17 + [SEP] = 28 tokens."""
    vocab = sl.load_vocab("\n".join(VOCAB))
    context = "Paris\u202fis the\u200b capital of France. It's unaffable, caf\u00e9!"
    assert sl.doc_words(context) == ["Paris", "is", "the\u200b", "capital", "of", "France.", "It's", "unaffable,",
                                     "caf\u00e9!"]
    assert sl.feature_lengths("What is the capital of France?", context, vocab) == [28]


def test_sliding_windows_by_hand(sl):
    """1,000 document pieces after a 20-piece question: windows of 384 - 20 - 3 = 361 starting at 0, 128, ..., 640;
    the one at 640 reaches the end with 360. A 100-piece question is cut to 64: windows of 317."""
    assert sl.window_lengths(1000, 20) == [361] * 5 + [360]
    assert sl.window_lengths(300, 20) == [300]
    assert sl.window_lengths(1000, 100)[0] == 384 - 64 - 3
    assert sl.window_lengths(361, 20) == [361]
    assert sl.window_lengths(362, 20) == [361, 234]          # second window starts at 128: 362 - 128 pieces


def test_stats_loadgen_percentiles(sl):
    """LoadGen takes sorted[floor(n x p)]: of 1..100 the p90 is the 91st value, the median the 51st, p99 the 100th;
    of 1..10 the mean is 5.5, the median 6 and p90 / p99 10."""
    s = sl.stats(list(range(100, 0, -1)))
    assert (s["count"], s["mean"], s["median"], s["p90"], s["p99"]) == (100, 50.5, 51, 91, 100)
    s = sl.stats(list(range(1, 11)))
    assert (s["mean"], s["median"], s["p90"], s["p99"]) == (5.5, 6, 10, 10)
    with pytest.raises(ValueError, match="no lengths"):
        sl.stats([])


def test_checked_names_the_file(sl, tmp_path):
    f = tmp_path / "dev.json"
    f.write_text("{}")
    with pytest.raises(ValueError, match="dev.json: SHA-256"):
        sl.checked(f, sl.DEV_SHA256, "SQuAD dev")


@pytest.fixture(scope="module")
def f4p90():
    before = list(sys.path)
    module = _load("r_accf5_f4_p90", "f4_p90.py")
    yield module
    sys.path[:] = before


def test_tokens_at_the_statistic(f4p90):
    """A SQuAD BERT p90 row at the p90 length, a mean at the mean length (rounded); other rows keep seq_len."""
    s = {"mean": 178.49, "p90": 272.0}
    assert f4p90.tokens_at("BERT-Large", "SQuAD v1.1", 384, "p90", s) == 272
    assert f4p90.tokens_at("BERT-Large", "SQuAD v1.1", 384, "mean", s) == 178
    assert f4p90.tokens_at("BERT-Large", None, 384, "", s) == 384
    assert f4p90.tokens_at("ResNet-50", None, None, "p90", s) is None


@pytest.mark.skipif(not (os.environ.get("MLSYS_SQUAD_DEV") and os.environ.get("MLSYS_BERT_VOCAB")),
                    reason="SQuAD dev-v1.1.json and the BERT vocab.txt are not in the repository (README r-accf5)")
def test_squad_dev_as_mlperf_builds_it(sl):
    """MLPerf's 10,833 features from 10,570 questions (mlperf.conf bert performance_sample_count 10833); the mean
    within r-squad's 174.7-178.6 (the paper's 54 % padding share at 384)."""
    s = sl.main(os.environ["MLSYS_SQUAD_DEV"], os.environ["MLSYS_BERT_VOCAB"])
    assert s["count"] == 10833
    assert 174.7 <= s["mean"] <= 178.6
