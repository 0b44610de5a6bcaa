"""Named corpora: a manifest of the data files that a set of answers was computed on.

The graph grows: every merged contribution adds a file under ``data/contributions/``. Answers that
are pinned somewhere (the tests' exact answers, ``docs/queries.md``) are pinned on a **corpus**: a
manifest listing the curated data files, one path per line relative to the project root
(``tests/corpus.txt`` for the project's own tests). A contribution merged later is not in the
corpus until a maintainer adds its path, together with the answers it changes.

``Project.open(root, corpus=MANIFEST)`` opens a project whose data files are the manifest's only;
ontology, vocabularies, shapes and queries are always whole (they are code, not contributions), and
confidential contributions are never part of a corpus. Format::

    # comment
    data/actors/people.ttl
    data/contributions/20261201T120000Z-1a2b3c4d.ttl
"""

from __future__ import annotations

import os
from pathlib import Path

from hrgraph.errors import UsageError

__all__ = ["read_manifest"]


def read_manifest(manifest: str | os.PathLike, root: Path) -> frozenset[str]:
    """The data files a manifest lists, as paths relative to ``root`` (POSIX form).

    Raises:
        UsageError: the manifest is missing, or a line names a file that is not an RDF file
            under ``data/`` of ``root``, does not exist, or comes twice (file and line named).
    """
    from hrgraph.project import RDF_SUFFIXES  # project imports this module when opening

    path = Path(manifest)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read the corpus manifest ({error})") from None
    found: set[str] = set()
    for number, line in enumerate(lines, start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        where = f"{path}, line {number}"
        rel = Path(entry)
        if rel.is_absolute() or ".." in rel.parts or rel.parts[:1] != ("data",):
            raise UsageError(f"{where}: {entry!r} is not a path under data/ (write it relative "
                             "to the project root, e.g. data/actors/people.ttl)")
        if rel.suffix not in RDF_SUFFIXES:
            raise UsageError(f"{where}: {entry!r} is not an RDF data file "
                             f"({', '.join(sorted(RDF_SUFFIXES))})")
        if not (root / rel).is_file():
            raise UsageError(f"{where}: {entry!r} does not exist in {root}")
        if rel.as_posix() in found:
            raise UsageError(f"{where}: {entry!r} is listed twice")
        found.add(rel.as_posix())
    return frozenset(found)
