"""Numbering as printed: calls, points and bullets carry ``skos:notation`` as the document numbers
them (a plain literal, "2"), or, where it prints a bullet, dash or paragraph and no number, their
place in that list (``"4"^^hrg:positionNotation``); ``hrg:order`` stays the text order.

Each notation is checked against the text copy its quote is taken from (the selector's prefix
is what the page prints just before the item)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from hrgraph import store as stores
from hrgraph.project import Project
from hrgraph.query import run_query

HRG = "https://w3id.org/hrgraph/ontology#"
ID = "https://w3id.org/hrgraph/id/"
POSITION = HRG + "positionNotation"
PREFIXES = f"""PREFIX hrg: <{HRG}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX document: <{ID}document/>
"""
#: What a page prints before a list item, and before a paragraph.
BULLET = re.compile(r"\n[ \t]*([•–-])[ \t]*$")
NUMBER = re.compile(r"\n[ \t]*(\d+)\.[ \t]*$")
PARAGRAPH = re.compile(r"(\n|[.:;,][ \t]+)$")


def items(project: Project) -> list[dict]:
    """Every point and position of the curated documents with a notation, its text order, its
    parent and the prefix of its quote's selector."""
    rows = run_query(project, PREFIXES + """
        SELECT ?item ?notation ?order ?parent ?prefix WHERE {
          VALUES ?class { hrg:Point hrg:Position }
          ?item a ?class ; skos:notation ?notation ; hrg:order ?order ; hrg:madeIn ?document ;
                hrg:quotedFrom/oa:hasSelector/oa:prefix ?prefix .
          OPTIONAL { ?item hrg:partOf ?part }
          BIND (COALESCE(?part, ?document) AS ?parent)
        }""", store=stores.open_store(project, read_only=True), limit=None).rows
    return [{"item": r["item"].value, "notation": r["notation"].value,
             "positional": r["notation"].datatype.value == POSITION,
             "order": int(r["order"].value), "parent": r["parent"].value,
             "prefix": r["prefix"].value} for r in rows]


def test_bullet_4_of_call_2_is_found_by_notation(built_project: Project) -> None:
    """The issue's question, without knowing the IRIs: the fourth bullet of the 2016
    statement's call 2."""
    rows = run_query(built_project, PREFIXES + """
        SELECT ?bullet ?quote ?order WHERE {
          ?call a hrg:Point ; hrg:madeIn document:concerted-position-2016 ; skos:notation "2" .
          ?bullet hrg:partOf+ ?call ; skos:notation "4"^^hrg:positionNotation ;
                  hrg:quote ?quote ; hrg:order ?order .
        }""", store=stores.open_store(built_project, read_only=True)).rows
    assert [(r["bullet"].value, r["quote"].value[:36], int(r["order"].value)) for r in rows] == [
        (ID + "point/concerted-position-2016-c2-3-b4", "Put an end to the persecution of jou", 6)]


def test_the_roadmap_bullets_keep_their_text_order(built_project: Project) -> None:
    bullets = sorted((i["order"], i["notation"], i["positional"]) for i in items(built_project)
                     if i["parent"] == ID + "demand/concerted-position-2016-c2-3")
    assert bullets == [(n + 2, str(n), True) for n in range(1, 8)]


def test_every_notation_is_what_the_text_prints(built_project: Project) -> None:
    """A plain notation is the number printed before the item; a position notation is given only
    where no number is printed, and counts the items of the same list (same parent, same
    marker) in text order from 1."""
    found = items(built_project)
    assert len(found) == 23  # calls 1-3, 7 bullets; the letter's 8 points; 5 of the position
    lists: dict[tuple, list] = defaultdict(list)
    for item in found:
        number, bullet = NUMBER.search(item["prefix"]), BULLET.search(item["prefix"])
        if not item["positional"]:
            assert number and number.group(1) == item["notation"], item
            continue
        assert not number, f"{item['item']} is printed with a number: give it as printed"
        assert bullet or PARAGRAPH.search(item["prefix"]), item
        lists[item["parent"], bullet.group(1) if bullet else "paragraph"].append(item)
    assert lists
    for key, members in lists.items():
        members.sort(key=lambda i: i["order"])
        assert [m["notation"] for m in members] == [
            str(n) for n in range(1, len(members) + 1)], key


@pytest.mark.parametrize("document", ["concerted-position-2016", "open-letter-2015-12-09",
                                      "joint-position-eu-belarus-dialogue"])
def test_every_point_has_one_notation(built_project: Project, document: str) -> None:
    rows = run_query(built_project, PREFIXES + f"""
        SELECT ?point (COUNT(?notation) AS ?n) WHERE {{
          ?point a hrg:Point ; hrg:madeIn document:{document} .
          OPTIONAL {{ ?point skos:notation ?notation }}
        }} GROUP BY ?point""", store=stores.open_store(built_project, read_only=True)).rows
    assert rows and {r["point"].value: int(r["n"].value) for r in rows} == {
        r["point"].value: 1 for r in rows}
