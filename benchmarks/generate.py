"""Generate a project of realistic, seeded data in hrgraph's own model, for benchmarks.

    python benchmarks/generate.py 1M /tmp/hrgraph-1M [--seed 7] [--no-seed-data]

The output is a directory laid out like a project, so that ``Project.open(dir)`` and
``hrgraph --project dir build`` work on it:

    ontology/, shapes/, queries/   copied from this repository
    data/seed/                     the project's own data (so saved-query examples find rows)
    data/generated/*.nt            generated N-Triples, at most FILE_TRIPLES triples per file
    data/sources/*.txt             the text of each generated document, which the quotes quote
    contribution.ttl               a small contribution (~50 triples) to validate against the graph
    generated.json                 what was generated: counts per class, planted violations

What is generated follows data/documents/*.ttl, data/actors/*.ttl and data/history/*.ttl:
documents (hrg:JointStatement or hrg:OpenLetter, dated by month with xsd:date bounds) with a
publication and its text copy, signatures, positions, numbered points and the demands in them
(action type and topics from the real vocabularies, addressee, actor asked to act, targets), role
claims for the people demands name, citations of earlier documents; people and organisations with
names in English, Belarusian and Russian made from syllable tables; legal provisions of codes;
international mechanisms; web sources with an evidence quality; assessments of demands; curated
reiterations of earlier demands. Every quote is verbatim from the document's text, with the
selector's prefix and suffix taken from that text.

The data is valid against the shapes except for a known share of planted violations
(``PLANTED_SHARE`` of the demands have no ``hrg:madeIn``), which ``generated.json`` and the
command's output report. The same seed and size give byte-identical files.

Output is streamed: only the counts needed to refer back to earlier documents are kept in memory.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
FILE_TRIPLES = 250_000
#: Share of demands generated without hrg:madeIn (each is exactly one sh:Violation).
PLANTED_SHARE = 0.001

REPO = Path(__file__).resolve().parent.parent

HRG = "https://w3id.org/hrgraph/ontology#"
ID = "https://w3id.org/hrgraph/id/"
VOCAB = "https://w3id.org/hrgraph/vocab/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
ELI = "http://data.europa.eu/eli/ontology#"
SCHEMA = "https://schema.org/"
LANG_EN = "http://id.loc.gov/vocabulary/iso639-1/en"
LANG_BE = "http://id.loc.gov/vocabulary/iso639-1/be"
LANG_RU = "http://id.loc.gov/vocabulary/iso639-1/ru"

BELARUS = ID + "place/belarus"
EDITORS = ID + "agent/hrgraph-editors"
SEED_ADDRESSEES = ["organisation/belarusian-authorities", "organisation/european-union",
                   "organisation/united-nations", "organisation/osce",
                   "organisation/council-of-the-eu", "organisation/united-states",
                   "group/international-community"]
SEED_GROUPS = ["group/former-political-prisoners", "group/persons-forced-to-leave",
               "group/belarusian-human-rights-community", "group/foreign-media-journalists"]
SEED_CODES = ["legal/belarus-criminal-code"]
SEED_OPERATORS = ["organisation/un-human-rights-council", "organisation/united-nations",
                  "organisation/osce", "organisation/council-of-the-eu"]

# --- names: (Latin transliteration, Belarusian, Russian) --------------------------------------

GIVEN = [
    ("Aliaksandr", "Аляксандр", "Александр"), ("Siarhei", "Сяргей", "Сергей"),
    ("Uladzimir", "Уладзімір", "Владимир"), ("Mikalai", "Мікалай", "Николай"),
    ("Andrei", "Андрэй", "Андрей"), ("Dzmitry", "Дзмітры", "Дмитрий"),
    ("Ihar", "Ігар", "Игорь"), ("Paval", "Павал", "Павел"), ("Viktar", "Віктар", "Виктор"),
    ("Yury", "Юрый", "Юрий"), ("Maksim", "Максім", "Максим"), ("Vadzim", "Вадзім", "Вадим"),
    ("Ales", "Алесь", "Алесь"), ("Raman", "Раман", "Роман"), ("Zmitser", "Зміцер", "Дмитрий"),
    ("Alena", "Алена", "Елена"), ("Maryia", "Марыя", "Мария"), ("Volha", "Вольга", "Ольга"),
    ("Natallia", "Наталля", "Наталья"), ("Tatsiana", "Тацяна", "Татьяна"),
    ("Iryna", "Ірына", "Ирина"), ("Hanna", "Ганна", "Анна"),
    ("Katsiaryna", "Кацярына", "Екатерина"),
    ("Sviatlana", "Святлана", "Светлана"), ("Nasta", "Наста", "Анастасия"),
]
ROOT_SYLLABLES = [
    ("ka", "ка", "ко"), ("la", "ла", "ло"), ("ma", "ма", "мо"), ("sa", "са", "со"),
    ("ra", "ра", "ро"), ("va", "ва", "во"), ("ba", "ба", "бо"), ("da", "да", "до"),
    ("bi", "бі", "би"), ("li", "лі", "ли"), ("ni", "ні", "ни"), ("ry", "ры", "ры"),
    ("pia", "пя", "пе"), ("sia", "ся", "се"), ("zia", "дзя", "де"), ("lia", "ля", "ле"),
    ("hu", "гу", "гу"), ("tu", "ту", "ту"), ("ku", "ку", "ку"), ("zha", "жа", "жо"),
    ("cha", "ча", "чо"), ("sha", "ша", "ша"), ("mi", "мі", "ми"), ("ta", "та", "то"),
]
CODAS = [("r", "р", "р"), ("l", "л", "л"), ("n", "н", "н"), ("k", "к", "к"), ("s", "с", "с"),
         ("", "", "")]
SURNAME_ENDINGS = [
    ("ski", "скі", "ский"), ("vich", "віч", "вич"), ("enka", "енка", "енко"),
    ("au", "аў", "ов"), ("in", "ін", "ин"), ("chyk", "чык", "чик"), ("ik", "ік", "ик"),
    ("ovich", "овіч", "ович"), ("uk", "ук", "ук"),
]
FEMININE = {"ski": ("skaya", "ская", "ская"), "au": ("ava", "ава", "ова"),
            "in": ("ina", "іна", "ина")}
FEMALE_GIVEN = {"Alena", "Maryia", "Volha", "Natallia", "Tatsiana", "Iryna", "Hanna",
                "Katsiaryna", "Sviatlana", "Nasta"}

ORG_KINDS = [
    ("Human Rights Centre", "Праваабарончы цэнтр", "Правозащитный центр"),
    ("Legal Initiative", "Прававая ініцыятыва", "Правовая инициатива"),
    ("Committee for the Protection of the Repressed", "Камітэт абароны рэпрэсаваных",
     "Комитет защиты репрессированных"),
    ("Association of Journalists", "Асацыяцыя журналістаў", "Ассоциация журналистов"),
    ("Documentation Centre", "Цэнтр дакументавання", "Центр документирования"),
    ("Helsinki Committee", "Хельсінкскі камітэт", "Хельсинкский комитет"),
    ("Foundation for Civic Freedoms", "Фонд грамадзянскіх свабод", "Фонд гражданских свобод"),
]
CITIES = [("Minsk", "Мінск", "Минск"), ("Hrodna", "Гродна", "Гродно"),
          ("Brest", "Брэст", "Брест"), ("Viciebsk", "Віцебск", "Витебск"),
          ("Mahiliou", "Магілёў", "Могилёв"), ("Homiel", "Гомель", "Гомель"),
          ("Pinsk", "Пінск", "Пинск"), ("Baranavichy", "Баранавічы", "Барановичи")]

ROLES = {"journalist": "journalist", "graffiti-artist": "graffiti artist",
         "politician": "politician", "human-rights-activist": "human rights activist",
         "founder": "founder", "political-prisoner": "political prisoner"}
CODES = [("criminal-code", "Criminal Code", "Крымінальны кодэкс", "Уголовный кодекс"),
         ("code-of-administrative-offences", "Code of Administrative Offences",
          "Кодэкс аб адміністрацыйных правапарушэннях", "Кодекс об административных"
          " правонарушениях"),
         ("electoral-code", "Electoral Code", "Выбарчы кодэкс", "Избирательный кодекс")]
STATUSES = ["met", "partly-met", "not-met", "not-met", "not-met", "reversed", "unknown"]
QUALITIES = ["strong", "organisation-site", "intergovernmental", "news-media", "reference",
             "weak", "mirror", "aggregator"]
HOSTS = ["spring96.org", "baj.media", "humanrightshouse.org", "svaboda.org", "belsat.eu",
         "nashaniva.com", "ohchr.org", "osce.org", "eeas.europa.eu", "euroradio.fm"]

# action type -> (target kind, sentence template, topics)
ACTIONS = {
    "release": ("person", "To release {role} {name} and all other political prisoners",
                ["political-prisoners"]),
    "close-criminal-case": ("person", "To close the politically motivated criminal case "
                            "against {role} {name}",
                            ["politically-motivated-prosecution", "fair-trial"]),
    "remove-conviction": ("person", "To remove the conviction of {role} {name} and restore "
                          "all of their civil and political rights", ["rehabilitation"]),
    "public-retrial": ("person", "To ensure a public retrial of the case of {role} {name}",
                       ["fair-trial"]),
    "lift-entry-ban": ("person", "To lift the ban on entering Belarus imposed on {role} {name}",
                       ["freedom-of-movement-and-return"]),
    "end-persecution": ("person", "To end the persecution of {role} {name} for their work",
                        ["human-rights-defenders", "freedom-of-expression-and-media"]),
    "register-organisation": ("organisation", "To register the {name} without further delay",
                              ["registration-of-organisations", "freedom-of-association"]),
    "refrain-from-interference": ("organisation", "To refrain from interfering in the "
                                  "activities of the {name}", ["freedom-of-association"]),
    "repeal": ("provision", "To repeal {name}", ["legislative-reform",
                                                 "unregistered-organisations-law"]),
    "amend": ("provision", "To amend {name} in line with international standards",
              ["legislative-reform"]),
    "harmonise-legislation": ("provision", "To bring {name} into line with the international "
                              "obligations of Belarus", ["legislative-reform"]),
    "renew-mandate": ("mechanism", "To renew the {name}", ["un-mechanisms",
                                                            "international-scrutiny-and-cooperation"]),
    "cooperate-with-mechanism": ("mechanism", "To cooperate fully with the {name}",
                                 ["international-scrutiny-and-cooperation"]),
    "include-in-dialogue": ("group", "To include the {name} as an equal partner in the "
                            "human rights dialogue", ["human-rights-dialogues"]),
    "ensure-safe-return": ("group", "To guarantee the safe return of the {name}",
                           ["freedom-of-movement-and-return"]),
    "introduce-moratorium": (None, "To introduce a moratorium on the death penalty as a first "
                             "step towards its abolition", ["death-penalty"]),
    "develop-plan": (None, "To adopt and make public a plan of measures to improve the human "
                     "rights situation", ["national-human-rights-policy"]),
}
ACTION_NAMES = sorted(ACTIONS)
SUBJECTS = ["political prisoners", "the death penalty", "freedom of association",
            "relations with Belarus", "media freedom"]


def parse_size(text: str) -> int:
    """``10k``, ``1M``, ``250000`` → a number of triples."""
    if text in SIZES:
        return SIZES[text]
    units = {"k": 1_000, "K": 1_000, "M": 1_000_000, "m": 1_000_000}
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


# --- N-Triples output ---------------------------------------------------------------------------


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r"))


class TripleFiles:
    """Writes N-Triples into ``directory/<stem>-NNN.nt``, a new file every ``per_file`` triples."""

    def __init__(self, directory: Path, stem: str, per_file: int = FILE_TRIPLES) -> None:
        self.directory, self.stem, self.per_file = directory, stem, per_file
        self.count = 0
        self._in_file = 0
        self._files = 0
        self._out = None

    def _line(self, line: str) -> None:
        if self._out is None or self._in_file >= self.per_file:
            self.close()
            self._files += 1
            path = self.directory / f"{self.stem}-{self._files:03d}.nt"
            self._out = path.open("w", encoding="utf-8", newline="\n")
            self._in_file = 0
        self._out.write(line)
        self._in_file += 1
        self.count += 1

    def iri(self, s: str, p: str, o: str) -> None:
        self._line(f"<{s}> <{p}> <{o}> .\n")

    def text(self, s: str, p: str, value: str, lang: str | None = None) -> None:
        tag = f"@{lang}" if lang else ""
        self._line(f'<{s}> <{p}> "{_escape(value)}"{tag} .\n')

    def typed(self, s: str, p: str, value: str, datatype: str) -> None:
        self._line(f'<{s}> <{p}> "{_escape(value)}"^^<{datatype}> .\n')

    def a(self, s: str, *classes: str) -> None:
        for cls in classes:
            self.iri(s, RDF_TYPE, cls)

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


# --- the generator -----------------------------------------------------------------------------


@dataclass
class Person:
    iri: str
    names: tuple[str, str, str]


@dataclass
class Named:
    iri: str
    names: tuple[str, str, str]


@dataclass
class Stats:
    """What was generated, for generated.json."""

    triples: int = 0
    seed_triples: int = 0
    classes: Counter = field(default_factory=Counter)
    planted: dict = field(default_factory=dict)
    contribution_triples: int = 0


class Generator:
    """Writes one generated project; see the module docstring."""

    def __init__(self, target: int, out: Path, seed: int = 7) -> None:
        self.target = target
        self.out = out
        self.rng = random.Random(seed)
        self.stats = Stats()
        gen = out / "data" / "generated"
        gen.mkdir(parents=True, exist_ok=True)
        self.sources = out / "data" / "sources"
        self.sources.mkdir(parents=True, exist_ok=True)
        self.actors = TripleFiles(gen, "actors")
        self.documents = TripleFiles(gen, "documents")
        self.history = TripleFiles(gen, "history")
        # Rough sizes: one document with its demands comes to about 420 triples.
        self.n_docs_estimate = max(4, target // 420)
        self.people: list[Person] = []
        self.orgs: list[Named] = []
        self.provisions: list[Named] = []
        self.mechanisms: list[Named] = []
        self.web_sources: list[str] = []
        self.groups = [(ID + g, g.split("/")[1].replace("-", " ")) for g in SEED_GROUPS]
        self.doc_demands: list[int] = []  # demands per generated document, by index
        self.doc_slugs: list[str] = []
        self.doc_bounds: list[tuple[str, str]] = []
        self.planted_demands: list[str] = []
        self.demand_count = 0
        self.targetless = 0  # demands with no target: each is one sh:Warning (as in the data)
        self._slugs: set[str] = set()

    @property
    def written(self) -> int:
        return self.actors.count + self.documents.count + self.history.count

    # ---- helpers

    def slug(self, text: str) -> str:
        base = "".join(c if c.isalnum() else "-" for c in text.lower())
        base = "-".join(part for part in base.split("-") if part)
        candidate, n = base, 1
        while candidate in self._slugs:
            n += 1
            candidate = f"{base}-{n}"
        self._slugs.add(candidate)
        return candidate

    def count(self, cls: str, n: int = 1) -> None:
        self.stats.classes[cls] += n

    def name_person(self) -> tuple[str, str, str]:
        rng = self.rng
        given = rng.choice(GIVEN)
        parts = [rng.choice(ROOT_SYLLABLES) for _ in range(rng.randint(1, 2))]
        coda = rng.choice(CODAS)
        ending = rng.choice(SURNAME_ENDINGS)
        if given[0] in FEMALE_GIVEN and ending[0] in FEMININE:
            ending = FEMININE[ending[0]]
        surname = tuple("".join(p[i] for p in parts) + coda[i] + ending[i] for i in range(3))
        return tuple(f"{given[i]} {surname[i][0].upper()}{surname[i][1:]}" for i in range(3))

    # ---- actors and other things demands refer to

    def name_source(self, iri: str, page: str) -> None:
        """``page`` as the source of ``iri``'s names, rated as news media (a source of names
        must be a web source with its quality: shape NameAndDateSources). No random draw, so
        the rest of the data is what it was before the rating."""
        w = self.actors
        w.iri(iri, DCT + "source", page)
        w.a(page, HRG + "WebSource")
        w.iri(page, HRG + "evidenceQuality", VOCAB + "evidence-quality/news-media")
        w.text(page, DCT + "publisher", page.split("/")[2])

    def write_actors(self) -> None:
        n_people = max(20, self.n_docs_estimate * 3)
        n_orgs = max(10, self.n_docs_estimate // 2)
        w = self.actors
        for _ in range(n_people):
            names = self.name_person()
            iri = ID + "person/" + self.slug(names[0])
            w.a(iri, FOAF + "Person")
            for value, lang in zip(names, ("en", "be", "ru"), strict=True):
                w.text(iri, SKOS + "prefLabel", value, lang)
            if self.rng.random() < 0.3:
                w.text(iri, SKOS + "altLabel", names[0].split()[-1], "en")
            w.text(iri, SKOS + "definition", "Belarusian " + self.rng.choice(list(ROLES.values()))
                   + " named in statements of human-rights organisations.", "en")
            self.name_source(iri, f"https://{self.rng.choice(HOSTS)}/news/"
                                  f"{self.rng.randint(10000, 99999)}")
            self.people.append(Person(iri, names))
            self.count("foaf:Person")
        for _ in range(n_orgs):
            kind = self.rng.choice(ORG_KINDS)
            city = self.rng.choice(CITIES)
            root = self.rng.choice(ROOT_SYLLABLES)[0] + self.rng.choice(ROOT_SYLLABLES)[0]
            label = root.capitalize()
            names = (f"{city[0]} {kind[0]} {label}", f"{kind[1]} «{label}» ({city[1]})",
                     f"{kind[2]} «{label}» ({city[2]})")
            iri = ID + "organisation/" + self.slug(names[0])
            w.a(iri, ORG + "Organization", HRG + "HumanRightsOrganisation")
            for value, lang in zip(names, ("en", "be", "ru"), strict=True):
                w.text(iri, SKOS + "prefLabel", value, lang)
            w.text(iri, SKOS + "altLabel", label.upper(), "en")
            w.text(iri, SKOS + "definition", f"Human-rights organisation based in {city[0]}.",
                   "en")
            w.iri(iri, HRG + "country", BELARUS)
            w.iri(iri, FOAF + "homepage", f"https://{root}.example.org/")
            self.name_source(iri, f"https://{self.rng.choice(HOSTS)}/news/"
                                  f"{self.rng.randint(10000, 99999)}")
            self.orgs.append(Named(iri, names))
            self.count("org:Organization")
        codes = [ID + c for c in SEED_CODES]
        code_names = [("Criminal Code", "Крымінальны кодэкс", "Уголовный кодекс")]
        for slug, en, be, ru in CODES[1:]:
            iri = ID + "legal/belarus-" + slug
            w.a(iri, HRG + "Code", ELI + "LegalResource")
            for value, lang in ((f"{en} of the Republic of Belarus", "en"), (be, "be"),
                                (ru, "ru")):
                w.text(iri, SKOS + "prefLabel", value, lang)
            w.iri(iri, HRG + "jurisdiction", BELARUS)
            codes.append(iri)
            code_names.append((en, be, ru))
            self.count("hrg:Code")
        for _ in range(max(10, self.n_docs_estimate // 4)):
            c = self.rng.randrange(len(codes))
            number = f"{self.rng.randint(1, 450)}" + (f".{self.rng.randint(1, 5)}"
                                                      if self.rng.random() < 0.3 else "")
            en, be, ru = code_names[c]
            names = (f"Article {number} of the {en}", f"Артыкул {number} {be}у",
                     f"Статья {number} {ru}а")
            iri = ID + "legal/" + self.slug(f"belarus-{en}-article-{number}")
            w.a(iri, HRG + "LegalProvision", ELI + "LegalResourceSubdivision")
            for value, lang in zip(names, ("en", "be", "ru"), strict=True):
                w.text(iri, SKOS + "prefLabel", value, lang)
            w.text(iri, HRG + "articleNumber", number)
            w.iri(iri, ELI + "is_part_of", codes[c])
            w.iri(iri, HRG + "jurisdiction", BELARUS)
            w.iri(iri, HRG + "topic", VOCAB + "topic/legislative-reform")
            self.provisions.append(Named(iri, names))
            self.count("hrg:LegalProvision")
        for _ in range(max(5, self.n_docs_estimate // 20)):
            body = self.rng.choice(["UN Working Group", "UN Special Rapporteur",
                                    "OSCE Representative", "Council of Europe Commissioner"])
            subject = self.rng.choice(["arbitrary detention", "freedom of expression",
                                       "human rights defenders", "freedom of assembly",
                                       "torture", "independence of judges"])
            en = f"mandate of the {body} on {subject}"
            iri = ID + "mechanism/" + self.slug(f"{body} {subject}")
            w.a(iri, HRG + "InternationalMechanism")
            w.text(iri, SKOS + "prefLabel", en, "en")
            w.text(iri, SKOS + "definition", f"The international mandate on {subject}.", "en")
            w.iri(iri, HRG + "operatedBy", ID + self.rng.choice(SEED_OPERATORS))
            w.iri(iri, HRG + "topic", VOCAB + "topic/un-mechanisms")
            self.mechanisms.append(Named(iri, (en, en, en)))
            self.count("hrg:InternationalMechanism")
        for i in range(max(20, self.n_docs_estimate)):
            host = self.rng.choice(HOSTS)
            iri = f"https://{host}/en/news/{100000 + i}"
            w.a(iri, HRG + "WebSource")
            w.iri(iri, HRG + "evidenceQuality",
                  VOCAB + "evidence-quality/" + self.rng.choice(QUALITIES))
            w.text(iri, DCT + "publisher", host)
            self.web_sources.append(iri)
            self.count("hrg:WebSource")

    # ---- documents

    def date_of(self, index: int) -> tuple[int, int]:
        months = 26 * 12  # 2000-01 .. 2025-12, in document order
        m = min(months - 1, index * months // self.n_docs_estimate)
        return 2000 + m // 12, m % 12 + 1

    def write_document(self, index: int) -> None:
        rng, w = self.rng, self.documents
        year, month = self.date_of(index)
        last_day = [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                    31][month - 1]
        open_letter = rng.random() < 0.3
        kind = "open-letter" if open_letter else "joint-statement"
        slug = self.slug(f"{kind}-{year}-{month:02d}")
        doc = ID + "document/" + slug
        earliest, latest = f"{year}-{month:02d}-01", f"{year}-{month:02d}-{last_day:02d}"
        signers = rng.sample(self.orgs, k=min(len(self.orgs), rng.randint(2, 8)))
        addressee = ID + rng.choice(SEED_ADDRESSEES)
        title = (f"{'Open letter' if open_letter else 'Joint statement'} of Belarusian human "
                 f"rights organisations on {rng.choice(SUBJECTS)}"
                 f" ({year}-{month:02d})")

        # Compose the text first: quotes are cut from it, prefixes and suffixes come from it.
        parts: list[str] = [title]
        quotes: list[tuple[str, str, str]] = []  # (quote IRI, subject slug, exact)

        def say(text: str, quote_slug: str) -> str:
            parts.append(text)
            quotes.append((ID + "quote/" + quote_slug, quote_slug, text))
            return ID + "quote/" + quote_slug

        position_text = ("We, the representatives of the Belarusian human rights "
                         "organisations, note that there have been no systemic changes to "
                         f"improve the human rights situation in Belarus as of {year}.")
        position_quote = say(position_text, f"{slug}-position-1")
        points = []
        demand_records = []
        n_points = rng.randint(1, 4)
        demand_no = 0
        for p in range(1, n_points + 1):
            point_text = (f"{p}. We call upon {self.label_of(addressee)} to take the following "
                          "steps:")
            point_quote = say(point_text, f"{slug}-point-{p}")
            points.append((p, point_text, point_quote))
            for k in range(1, rng.randint(2, 7)):
                demand_no += 1
                action = rng.choice(ACTION_NAMES)
                target_kind, template, topics = ACTIONS[action]
                target, name, role = None, "", ""
                if target_kind == "person":
                    person = rng.choice(self.people)
                    target, name = person.iri, person.names[0]
                    role = rng.choice(sorted(ROLES))
                elif target_kind == "organisation":
                    org = rng.choice(self.orgs)
                    target, name = org.iri, org.names[0]
                elif target_kind == "provision":
                    prov = rng.choice(self.provisions)
                    target, name = prov.iri, prov.names[0]
                elif target_kind == "mechanism":
                    mech = rng.choice(self.mechanisms)
                    target, name = mech.iri, mech.names[0]
                elif target_kind == "group":
                    target, name = rng.choice(self.groups)
                text = template.format(role=ROLES.get(role, ""), name=name) + ";"
                d_slug = f"{slug}-d{demand_no}"
                quote = say(f"{p}.{k}. " + text, f"{slug}-demand-{demand_no}")
                quotes[-1] = (quote, quotes[-1][1], f"{p}.{k}. " + text)
                demand_records.append((d_slug, p, k, action, target_kind, target, name, role,
                                       topics, f"{p}.{k}. " + text, quote))
        signature_quotes = []
        for o, org in enumerate(signers, start=1):
            signature_quotes.append(say(org.names[0], f"{slug}-signature-{o}"))
        text = "\n\n".join(parts)
        (self.sources / f"{slug}.txt").write_text(text + "\n", encoding="utf-8")

        # The document and its publication.
        w.a(doc, HRG + ("OpenLetter" if open_letter else "JointStatement"), HRG + "Document")
        self.count("hrg:Document")
        w.text(doc, DCT + "title", title, "en")
        w.typed(doc, DCT + "date", f"{year}-{month:02d}", XSD + "gYearMonth")
        w.typed(doc, HRG + "earliestDate", earliest, XSD + "date")
        w.typed(doc, HRG + "latestDate", latest, XSD + "date")
        w.iri(doc, DCT + "language", LANG_EN)
        for org in signers:
            w.iri(doc, HRG + "signatory", org.iri)
        publication = ID + "publication/" + slug
        w.iri(doc, HRG + "hasPublication", publication)
        w.a(publication, HRG + "Publication")
        self.count("hrg:Publication")
        w.iri(publication, HRG + "publicationOf", doc)
        w.iri(publication, SCHEMA + "url", f"https://{rng.choice(HOSTS)}/en/{slug}")
        w.iri(publication, DCT + "publisher", signers[0].iri)
        w.iri(publication, DCT + "language", LANG_EN)
        w.text(publication, HRG + "textCopy", f"data/sources/{slug}.txt")
        if self.doc_slugs and rng.random() < 0.2:  # cite an earlier document
            earlier = rng.randrange(len(self.doc_slugs))
            citation = ID + f"citation/{slug}-cites-{self.doc_slugs[earlier]}"
            w.iri(doc, HRG + "hasCitation", citation)
            w.a(citation, HRG + "Citation")
            self.count("hrg:Citation")
            w.iri(citation, HRG + "citedIn", doc)
            w.iri(citation, HRG + "citedDocument", ID + "document/" + self.doc_slugs[earlier])
            w.text(citation, HRG + "citedAs", "the earlier statement of the organisations", "en")
            w.typed(citation, HRG + "citedDate", self.doc_bounds[earlier][0][:7],
                    XSD + "gYearMonth")

        # Positions, points, demands, role claims, signatures.
        w.a(ID + f"position/{slug}-1", HRG + "Position")
        self.count("hrg:Position")
        self.quoted(ID + f"position/{slug}-1", doc, 1, position_text, position_quote)
        w.text(ID + f"position/{slug}-1", SKOS + "prefLabel",
               "No systemic improvement of human rights", "en")
        w.iri(ID + f"position/{slug}-1", HRG + "topic",
              VOCAB + "topic/civil-and-political-rights")
        for p, point_text, point_quote in points:
            point = ID + f"point/{slug}-{p}"
            w.a(point, HRG + "Point")
            self.count("hrg:Point")
            w.text(point, SKOS + "prefLabel", f"Call {p} to {self.label_of(addressee)}", "en")
            self.quoted(point, doc, p + 1, point_text, point_quote)
            w.iri(point, HRG + "partOf", doc)
            w.text(point, SKOS + "notation", str(p))
        for (d_slug, p, k, action, target_kind, target, name, role, topics, exact,
             quote) in demand_records:
            demand = ID + "demand/" + d_slug
            w.a(demand, HRG + "Demand")
            self.count("hrg:Demand")
            label = exact.split(" ", 1)[1].rstrip(";")
            w.text(demand, SKOS + "prefLabel", label[3].upper() + label[4:], "en")
            self.demand_count += 1
            # Deterministic: the first generated demand, then every 1000th after it
            # (PLANTED_SHARE): small sizes, whose budget the seed data mostly takes, plant one too
            planted = self.demand_count % round(1 / PLANTED_SHARE) == 1
            if planted:
                self.planted_demands.append(demand)
            else:
                w.iri(demand, HRG + "madeIn", doc)
            w.iri(demand, HRG + "partOf", ID + f"point/{slug}-{p}")
            w.typed(demand, HRG + "order", str(k), XSD + "integer")
            w.iri(demand, HRG + "actionType", VOCAB + "action-type/" + action)
            w.iri(demand, HRG + "addressee", addressee)
            w.iri(demand, HRG + "actorAskedToAct",
                  ID + "organisation/belarusian-authorities" if rng.random() < 0.8 else addressee)
            for topic in topics:
                w.iri(demand, HRG + "topic", VOCAB + "topic/" + topic)
            if target is None:
                self.targetless += 1
            else:
                prop = {"person": "concernsPerson", "organisation": "concernsOrganisation",
                        "provision": "concernsLegalProvision", "mechanism": "concernsMechanism",
                        "group": "concernsGroup"}[target_kind]
                w.iri(demand, HRG + prop, target)
            w.text(demand, HRG + "quote", exact, "en")
            w.iri(demand, HRG + "quotedFrom", quote)
            if target_kind == "person":
                self.role_claim(slug, doc, target, role, name, year, month, earliest, latest,
                                publication, text)
        for o, (org, quote) in enumerate(zip(signers, signature_quotes, strict=True), start=1):
            signature = ID + f"signature/{slug}-{o}"
            w.a(signature, HRG + "Signature")
            self.count("hrg:Signature")
            w.iri(signature, HRG + "signedDocument", doc)
            w.iri(signature, HRG + "signer", org.iri)
            w.typed(signature, HRG + "order", str(o), XSD + "integer")
            w.text(signature, HRG + "quote", org.names[0], "en")
            w.iri(signature, HRG + "quotedFrom", quote)
        for quote, _quote_slug, exact in quotes:
            self.selector(quote, publication, text, exact)

        self.doc_slugs.append(slug)
        self.doc_bounds.append((earliest, latest))
        self.doc_demands.append(len(demand_records))
        self.history_for(index, demand_records, latest)

    def label_of(self, iri: str) -> str:
        rest = iri.rsplit("/", 1)[1].replace("-", " ")
        if rest.startswith(("european", "united", "council")):
            return "the " + rest.title().replace(" Of ", " of ").replace(" The ", " the ")
        if rest == "osce":
            return "the OSCE"
        return "the " + rest

    def quoted(self, subject: str, doc: str, order: int, exact: str, quote: str) -> None:
        w = self.documents
        w.iri(subject, HRG + "madeIn", doc)
        w.typed(subject, HRG + "order", str(order), XSD + "integer")
        w.text(subject, HRG + "quote", exact, "en")
        w.iri(subject, HRG + "quotedFrom", quote)

    def selector(self, quote: str, publication: str, text: str, exact: str) -> None:
        w = self.documents
        start = text.find(exact)
        selector = quote + "-selector"
        w.a(quote, OA + "SpecificResource")
        w.iri(quote, OA + "hasSource", publication)
        w.iri(quote, OA + "hasSelector", selector)
        w.a(selector, OA + "TextQuoteSelector")
        w.text(selector, OA + "exact", exact)
        if start > 0:
            w.text(selector, OA + "prefix", text[max(0, start - 32):start])
        end = start + len(exact)
        if end < len(text):
            w.text(selector, OA + "suffix", text[end:end + 32])

    def role_claim(self, slug: str, doc: str, person: str, role: str, name: str, year: int,
                   month: int, earliest: str, latest: str, publication: str, text: str) -> None:
        w = self.documents
        claim = ID + f"role-claim/{slug}-{person.rsplit('/', 1)[1]}-{role}"
        if claim in self._slugs:  # the same person with the same role twice in one document
            return
        self._slugs.add(claim)
        w.a(claim, HRG + "RoleClaim")
        self.count("hrg:RoleClaim")
        w.iri(claim, HRG + "holder", person)
        w.iri(claim, HRG + "role", VOCAB + "role/" + role)
        w.iri(claim, HRG + "attestedIn", doc)
        w.typed(claim, HRG + "asOf", f"{year}-{month:02d}", XSD + "gYearMonth")
        w.typed(claim, HRG + "earliestDate", earliest, XSD + "date")
        w.typed(claim, HRG + "latestDate", latest, XSD + "date")
        exact = f"{ROLES[role]} {name}"
        quote = ID + f"quote/{claim.rsplit('/', 1)[1]}"
        w.text(claim, HRG + "quote", exact, "en")
        w.iri(claim, HRG + "quotedFrom", quote)
        self.selector(quote, publication, text, exact)

    # ---- history: assessments and reiterations

    def history_for(self, index: int, demands: list, latest: str) -> None:
        rng, w = self.rng, self.history
        year = int(latest[:4])
        for record in demands:
            demand = ID + "demand/" + record[0]
            if rng.random() < 0.3 and year < 2025:
                for step in range(1 if rng.random() < 0.8 else 2):
                    y = min(2025, year + 1 + step + rng.randint(0, 2))
                    day = f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                    assessment = ID + f"assessment/{record[0]}-{day}"
                    w.a(assessment, HRG + "Assessment")
                    self.count("hrg:Assessment")
                    w.iri(assessment, HRG + "assessedDemand", demand)
                    status = rng.choice(STATUSES)
                    w.iri(assessment, HRG + "status", VOCAB + "status/" + status)
                    # a status that held on one day, shown by evidence of that day
                    for prop in ("periodStart", "periodEnd"):
                        w.typed(assessment, HRG + prop, day, XSD + "date")
                    w.typed(assessment, DCT + "date", day, XSD + "date")
                    for bound in ("earliestDate", "startLatestDate", "endEarliestDate",
                                  "latestDate"):
                        w.typed(assessment, HRG + bound, day, XSD + "date")
                    w.text(assessment, SKOS + "note", f"{status.replace('-', ' ').capitalize()}"
                           f" as of {day}, according to the sources given.", "en")
                    for source in rng.sample(self.web_sources, k=rng.randint(1, 3)):
                        w.iri(assessment, HRG + "evidence", source)
                    w.iri(assessment, PROV + "wasAttributedTo", EDITORS)
                    w.typed(assessment, PROV + "generatedAtTime", "2026-11-25T00:00:00Z",
                            XSD + "dateTime")
            if index > 5 and rng.random() < 0.1:
                earlier_doc = rng.randrange(index)
                if self.doc_demands[earlier_doc] == 0 or \
                        self.doc_bounds[earlier_doc][0] > latest:
                    continue
                earlier = ID + (f"demand/{self.doc_slugs[earlier_doc]}-d"
                                f"{rng.randint(1, self.doc_demands[earlier_doc])}")
                w.iri(demand, HRG + "reiterates", earlier)
                reiteration = ID + "reiteration/" + record[0]
                w.a(reiteration, HRG + "Reiteration")
                self.count("hrg:Reiteration")
                w.iri(reiteration, HRG + "laterDemand", demand)
                w.iri(reiteration, HRG + "earlierDemand", earlier)
                w.text(reiteration, HRG + "basis", "Same action, same target and the same "
                       "wording as the earlier demand.", "en")
                w.iri(reiteration, PROV + "wasAttributedTo", EDITORS)

    # ---- the whole project

    def run(self) -> Stats:
        self.write_actors()
        index = 0
        while self.written < self.target - self.stats.seed_triples:
            self.write_document(index)
            index += 1
        for writer in (self.actors, self.documents, self.history):
            writer.close()
        self.write_contribution()
        self.stats.triples = self.written
        self.stats.planted = {
            "demands without hrg:madeIn": len(self.planted_demands),
            "expected sh:Violation results": len(self.planted_demands),
            "examples": self.planted_demands[:5],
            "generated demands without a target (one sh:Warning each)": self.targetless,
        }
        return self.stats

    def write_contribution(self) -> None:
        """A new document with two demands about existing people, as a contributor sends it."""
        person = self.people[0]
        org = self.orgs[0]
        slug = "contribution-statement-2026"
        doc, pub = ID + "document/" + slug, ID + "publication/" + slug
        text = ("Statement of 2026\n\n1. To release journalist " + person.names[0] +
                ";\n\n2. To register the " + org.names[0] + " without further delay;")
        lines = [
            f"<{doc}> a <{HRG}JointStatement>, <{HRG}Document> ;",
            f'  <{DCT}title> "Statement of 2026"@en ;',
            f'  <{DCT}date> "2026-01"^^<{XSD}gYearMonth> ;',
            f'  <{HRG}earliestDate> "2026-01-01"^^<{XSD}date> ;',
            f'  <{HRG}latestDate> "2026-01-31"^^<{XSD}date> ;',
            f"  <{DCT}language> <{LANG_EN}> ;",
            f"  <{HRG}signatory> <{org.iri}> ;",
            f"  <{HRG}hasPublication> <{pub}> .",
            f"<{pub}> a <{HRG}Publication> ; <{HRG}publicationOf> <{doc}> ;",
            f"  <{SCHEMA}url> <https://example.org/{slug}> ;",
            f'  <{HRG}textCopy> "data/sources/{slug}.txt" .',
        ]
        demands = [("1", "release", "concernsPerson", person.iri, "political-prisoners",
                    f"To release journalist {person.names[0]};"),
                   ("2", "register-organisation", "concernsOrganisation", org.iri,
                    "freedom-of-association", f"To register the {org.names[0]} without "
                                              "further delay;")]
        for n, action, prop, target, topic, exact in demands:
            demand = ID + f"demand/{slug}-d{n}"
            quote = ID + f"quote/{slug}-demand-{n}"
            start = text.find(exact)
            lines += [
                f"<{demand}> a <{HRG}Demand> ;",
                f'  <{SKOS}prefLabel> "{_escape(exact[3].upper() + exact[4:].rstrip(";"))}"@en ;',
                f"  <{HRG}madeIn> <{doc}> ;",
                f'  <{HRG}order> "{n}"^^<{XSD}integer> ;',
                f"  <{HRG}actionType> <{VOCAB}action-type/{action}> ;",
                f"  <{HRG}addressee> <{ID}organisation/belarusian-authorities> ;",
                f"  <{HRG}actorAskedToAct> <{ID}organisation/belarusian-authorities> ;",
                f"  <{HRG}topic> <{VOCAB}topic/{topic}> ;",
                f"  <{HRG}{prop}> <{target}> ;",
                f'  <{HRG}quote> "{_escape(exact)}"@en ;',
                f"  <{HRG}quotedFrom> <{quote}> .",
                f"<{quote}> a <{OA}SpecificResource> ; <{OA}hasSource> <{pub}> ;",
                f"  <{OA}hasSelector> <{quote}-selector> .",
                f"<{quote}-selector> a <{OA}TextQuoteSelector> ;",
                f'  <{OA}exact> "{_escape(exact)}" ;',
                f'  <{OA}prefix> "{_escape(text[max(0, start - 32):start])}" .',
            ]
        path = self.out / "contribution.ttl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        import pyoxigraph as ox

        self.stats.contribution_triples = len(list(ox.parse(path=str(path),
                                                            format=ox.RdfFormat.TURTLE)))


def copy_model(out: Path, *, seed_data: bool) -> int:
    """Copy ontology/, shapes/, queries/ (and the project's data as data/seed/); seed triples."""
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(REPO / name, out / name, dirs_exist_ok=True)
    if not seed_data:
        return 0
    seed = out / "data" / "seed"
    shutil.copytree(REPO / "data", seed, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("sources", "LICENSE"))
    import pyoxigraph as ox

    return sum(len(list(ox.parse(path=str(p), format=ox.RdfFormat.TURTLE)))
               for p in seed.rglob("*.ttl"))


def generate(size: int, out: Path, *, seed: int = 7, seed_data: bool = True) -> dict:
    """Generate a project of about ``size`` data triples into ``out`` (emptied first)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    seed_triples = copy_model(out, seed_data=seed_data)
    generator = Generator(size, out, seed=seed)
    generator.stats.seed_triples = seed_triples
    stats = generator.run()
    summary = {
        "size": size,
        "seed": seed,
        "data_triples": stats.triples + seed_triples,
        "generated_triples": stats.triples,
        "seed_triples": seed_triples,
        "documents": len(generator.doc_slugs),
        "classes": dict(sorted(stats.classes.items())),
        "planted": stats.planted,
        "contribution": {"file": "contribution.ttl", "triples": stats.contribution_triples},
    }
    (out / "generated.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", help="10k, 100k, 1M, 10M or a number of triples")
    parser.add_argument("out", type=Path, help="directory to write the project into")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-seed-data", action="store_true",
                        help="do not copy the project's own data into data/seed/ (the generated "
                             "data refers to some seed entities, so this adds violations)")
    args = parser.parse_args(argv)
    summary = generate(parse_size(args.size), args.out, seed=args.seed,
                       seed_data=not args.no_seed_data)
    print(f"wrote {summary['data_triples']:,} data triples ({summary['generated_triples']:,} "
          f"generated, {summary['seed_triples']:,} seed) in {summary['documents']:,} documents "
          f"to {args.out}")
    print(f"planted: {summary['planted']['demands without hrg:madeIn']} demands without "
          f"hrg:madeIn = {summary['planted']['expected sh:Violation results']} expected "
          "violations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
