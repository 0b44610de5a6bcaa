"""hrgraph.names: the same person across scripts and spellings; precision and recall on a frozen
set of labelled name pairs (tests/data/name-pairs.csv: every pair of names of each person in
data/actors/people.ttl, hand-made variants with initials, word order, Łacinka and quotes, random
pairs of different people, and hard negatives; the fictional names are negatives only; then, at
the end, the spellings met entering the fifteen documents of issue 17 and their hard negatives:
people sharing a given name or a surname, feminine forms, one consonant apart)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from hrgraph import names
from hrgraph.errors import InputError
from hrgraph.names import confidence, given_name_class, normalise, phonetic, same_name

PAIRS = Path(__file__).resolve().parent / "data" / "name-pairs.csv"

#: What the matcher achieves on the frozen set (measured on 234 pairs: precision 0.982, recall
#: 0.956; the misses are Marfa/Maryia Rabkova, two given names of one woman, and the misspelling
#: "Zhabchuzhny"; the false matches are the two Statkevich / Stankevich pairs, "low" warnings).
MIN_PRECISION = 0.97
MIN_RECALL = 0.95


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
    ("Aliaksandr Alesin", "Aliaksandra Alesina"),  # a feminine form, not a spelling
    ("Nikolai", "Mikalai"),  # the given-name table alone is no match
    ("Nikolai Dziadok", "Mikalai Statkevich"),
    ("Artsiom Prakapenka", "Aliaksandr Prakapenka"),
])
def test_different_people_with_similar_names(a: str, b: str) -> None:
    assert not same_name(a, b)


@pytest.mark.parametrize("a, b, level", [
    ("Nikolai Statkevich", "Mikalai Statkevich", "high"),  # given names through the table
    ("Николай Статкевич", "Mykalai Statkevich", "high"),
    ("Artsiom Prakapenka", "Артём Прокопенко", "high"),
    ("Vladislav Kovalev", "Uladzislaw Kavalyow", "high"),  # У / В: one name by the table
    ("Nikolai Statkevitch", "Mikalai Statkevich", "low"),  # the table, but surname keys differ
    ("Nikolai Stankevich", "Mikalai Statkevich", "low"),
    ("Mikalai Stankevich", "Mikalai Statkevich", "low"),  # a consonant differs
    ("Ales Bialiastki", "Ales Bialiatski", "high"),  # swapped letters, the same given name
    ("Bialiastki", "Ales Bialiatski", "low"),  # the misspelt surname alone
    ("A. Bialiastki", "Ales Bialiatski", "low"),  # beside an initial
    ("Nikolai Bialiastki", "Mikalai Bialiatski", None),  # the table beside a misspelling
])
def test_confidence_of_given_names_and_misspellings(a: str, b: str, level: str | None) -> None:
    assert confidence(a, b) == level
    assert confidence(b, a) == level


def test_the_given_name_table() -> None:
    assert given_name_class("Мікалай") == given_name_class("Mikołaj") == "Mikalai"
    assert given_name_class("Nikolay") == "Mikalai"
    assert given_name_class("Арцём") == given_name_class("Artemiy") == "Artsiom"
    assert given_name_class("Yauhen") != given_name_class("Yauheniya")
    assert given_name_class("Алесь") is None  # left out on purpose (data/reference/README.md)
    assert given_name_class("Nikolai Statkevich") is None  # one word only
    table = names.load_given_names()
    assert len(set(table.values())) >= 30


@pytest.mark.parametrize("text, line, message", [
    ("class,latin,cyrillic,note\nMikalai,Mikalai;Nikolai,Мікалай,\n,Artsiom,,\n", 3,
     "needs a class"),
    ("class,latin,cyrillic,note\nMikalai,Mikalai;Nikolai Statkevich,,\n", 2, "not one word"),
    ("class,latin,cyrillic,note\nMikalai,Mikalai,,\nNikolai,Nikolai;Mikalaj,,\n", 3,
     "key of class 'Mikalai' (line 2)"),
    ("name,forms\nMikalai,Nikolai\n", 1, "needs the columns"),
])
def test_a_bad_given_name_table_names_file_and_line(tmp_path: Path, text: str, line: int,
                                                     message: str) -> None:
    path = tmp_path / "given-names.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        names.load_given_names(path)
    assert caught.value.path == str(path) and caught.value.line == line


def test_a_missing_given_name_table(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the given-name table"):
        names.load_given_names(tmp_path / "nothing.csv")


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
