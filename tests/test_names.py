"""hrgraph.names: the same person across scripts and spellings; precision and recall on a frozen
set of labelled name pairs (tests/data/name-pairs.csv: every pair of names of each person in
data/actors/people.ttl, hand-made variants with initials, word order, Łacinka and quotes, random
pairs of different people, and hard negatives; the fictional names are negatives only)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hrgraph.names import normalise, phonetic, same_name

PAIRS = Path(__file__).resolve().parent / "data" / "name-pairs.csv"

#: What the matcher achieves on the frozen set (measured: precision 1.00, recall 0.947; the misses
#: are Marfa/Maryia Rabkova, two given names of one woman, and the misspelling "Zhabchuzhny").
MIN_PRECISION = 0.97
MIN_RECALL = 0.93


@pytest.mark.parametrize("a, b", [
    ("Алесь Бяляцкі", "Ales Bialiatski"),
    ("Алесь Беляцкий", "Ales Bialiatski"),
    ("A. Bialiatski", "Алесь Бяляцкі"),
    ("Aleś Bialacki", "Ales Bialiatski"),
    ("Bialiatski Ales", "Ales Bialiatski"),
    ("«Ales Bialiatski»", "Ales Bialiatski"),
])
def test_the_same_man_in_scripts_and_spellings(a: str, b: str) -> None:
    assert same_name(a, b)


@pytest.mark.parametrize("a, b", [
    ("Ales Bialiatski", "Ales Mikhalevich"),
    ("Vadzim Zharomski", "Vadim Zhuravsky"),
    ("Ales Bialiatski", "Alesia Bialiatskaya"),
])
def test_different_people_with_similar_names(a: str, b: str) -> None:
    assert not same_name(a, b)


def test_normalise_and_phonetic_keys() -> None:
    assert normalise("Алесь «Бяляцкі»") == "ales bialiatski"
    assert normalise("Michaił Žamčužny") == "mikhail zhamchuzhny"
    assert phonetic("tankachova") == phonetic("tonkacheva")


def test_precision_and_recall_on_the_frozen_pairs() -> None:
    with PAIRS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 100
    tp = fp = fn = 0
    for row in rows:
        predicted, gold = same_name(row["name_a"], row["name_b"]), row["same"] == "true"
        tp += predicted and gold
        fp += predicted and not gold
        fn += gold and not predicted
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"\nname pairs: {len(rows)}, precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= MIN_PRECISION
    assert recall >= MIN_RECALL
