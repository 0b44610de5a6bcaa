"""hrgraph: a linked-data knowledge graph of human-rights actors and their demands."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hrgraph")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

# Importing the guard switches off rdflib's fetching of graphs named in SPARQL FROM clauses,
# for every use of the package.
from hrgraph import guard as _guard  # noqa: F401
