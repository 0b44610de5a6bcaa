"""The ``hrgraph`` command: parses arguments, calls the library, prints, maps errors to exit codes.

Nothing here does work of its own; every command is one call into :mod:`hrgraph`.
Errors (:class:`hrgraph.errors.HrgraphError`) become one line on stderr and their exit code
(see docs/design.md); ``--verbose`` adds the traceback.

Why one module: every command is a thin block over the library (parsing options, printing, exit
codes), and keeping them together keeps their options and errors consistent.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import click

from hrgraph import __version__, progress
from hrgraph.errors import HrgraphError, UsageError, ValidationFailed
from hrgraph.project import Project


@dataclass
class Settings:
    """The global options, handed to every command."""

    project_dir: Path
    store: Path | None
    quiet: bool
    verbose: bool
    allow_remote: bool
    corpus: Path | None = None

    def project(self) -> Project:
        return Project.open(self.project_dir, store=self.store, corpus=self.corpus)

    def progress(self, message: str) -> None:
        """Show a step of long work on stderr, unless --quiet."""
        if not self.quiet:
            click.echo(f"… {message}", err=True)


def _server(project: Project):
    """The SPARQL server the commands use as their store (``HRGRAPH_ENDPOINT`` or
    ``[store]`` of hrgraph.toml: :mod:`hrgraph.backend`), with the authentication its server
    asks for; None for the embedded store."""
    from hrgraph.backend import auth_scheme, configured

    server = configured(project)
    return auth_scheme(server) if server is not None else None


def _publish_merge(settings: Settings, project: Project, contribution_id: str) -> None:
    """After a merge, publish to the server the commands use as their store, if any; when that
    fails, take the contribution out again, so that the store here and the server agree."""
    server = _server(project)
    if server is None:
        return
    from hrgraph.backend import publish
    from hrgraph.contribute import remove_contribution
    from hrgraph.store import open_store

    try:
        click.echo(publish(project, open_store(project, read_only=True), server,
                           progress=settings.progress).to_text())
    except HrgraphError as exc:
        remove_contribution(project, contribution_id, force=True)
        raise type(exc)(f"{exc}; nothing was merged") from None


#: A time limit: seconds, more than zero.
SECONDS = click.FloatRange(min=0, min_open=True)
#: A row limit: zero or more.
ROWS = click.IntRange(min=0)


def _utf8_text(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse option text that is not valid UTF-8 (it arrives with surrogate escapes)."""
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise click.BadParameter("not valid UTF-8 text") from None
    return value


class _ClickHandler(logging.Handler):
    """Writes hrgraph's log records to the current stderr (click's, so tests capture them)."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)


def _log_to_stderr(level: int) -> None:
    logger = logging.getLogger("hrgraph")
    logger.setLevel(level)
    if not any(isinstance(h, _ClickHandler) for h in logger.handlers):
        logger.addHandler(_ClickHandler())


class _Group(click.Group):
    """A click group that turns HrgraphError into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except HrgraphError as exc:
            settings = ctx.find_object(Settings)
            if settings is not None and settings.verbose:
                traceback.print_exc()
            click.echo(f"hrgraph: error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
              default=".", show_default=True, help="The project directory.")
@click.option("--store", type=click.Path(path_type=Path), envvar="HRGRAPH_STORE",
              help="The store directory [env HRGRAPH_STORE; default PROJECT/.hrgraph/store].")
@click.option("-q", "--quiet", is_flag=True, help="Print no progress, only results and errors.")
@click.option("-v", "--verbose", is_flag=True, help="Print details, and tracebacks of errors.")
@click.option("--allow-remote", is_flag=True,
              help="Let JSON-LD files use remote or local contexts by URL (off by default).")
@click.option("--corpus", type=click.Path(dir_okay=False, path_type=Path),
              help="Use only the data files this manifest lists (e.g. tests/corpus.txt).")
@click.version_option(__version__, "--version", prog_name="hrgraph")
@click.pass_context
def main(ctx: click.Context, project_dir: Path, store: Path | None, quiet: bool, verbose: bool,
         allow_remote: bool, corpus: Path | None) -> None:
    """hrgraph: a knowledge graph of human-rights actors and their demands.

    \b
    Examples:
      hrgraph build
      hrgraph --store /tmp/hr-store stats
      hrgraph --project ~/hrgraph --quiet build
      hrgraph --corpus tests/corpus.txt --store /tmp/corpus-store build
    """
    _log_to_stderr(logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING)
    progress.silence(quiet)
    ctx.obj = Settings(project_dir=project_dir, store=store, quiet=quiet, verbose=verbose,
                       allow_remote=allow_remote, corpus=corpus)


@main.command()
@click.option("--full", is_flag=True,
              help="Load every file again, even when only some data files changed.")
@click.pass_obj
def build(settings: Settings, full: bool) -> None:
    """Load every file into a new store, reason, validate, and swap the store in.

    When only data files changed since the last build, only they are loaded again and only what
    they can affect is reasoned over and validated again; the result is the same. The old store
    stays untouched until the new one is complete. Exits with 1 if the data has SHACL violations
    (the new store is still swapped in, so you can query it), 2 for an unusable file, 3 if the
    store is locked or not writable.

    \b
    Examples:
      hrgraph build
      hrgraph build --full
      hrgraph --store /tmp/hr-store build
      hrgraph --quiet build && hrgraph stats
    """
    from hrgraph.build import build as build_store

    project = settings.project()
    server = _server(project)
    summary = build_store(project, progress=settings.progress,
                          allow_remote=settings.allow_remote, full=full)
    click.echo(summary.to_text())
    if server is not None:  # the local store is the working copy; the server the store
        from hrgraph.backend import publish
        from hrgraph.store import open_store

        settings.progress(f"publishing to {server.query}")
        pushed = publish(project, open_store(project, read_only=True), server,
                         progress=settings.progress)
        click.echo(pushed.to_text())
        for note in pushed.notes:
            click.echo(note)
    if summary.violations:
        raise ValidationFailed(f"{summary.violations} SHACL violations: "
                               "run `hrgraph validate` to see them")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_obj
def stats(settings: Settings, as_json: bool) -> None:
    """Count instances per class (asserted and inferred types) and triples per named graph.

    \b
    Examples:
      hrgraph stats
      hrgraph stats --json
    """
    from hrgraph import stats as statistics
    from hrgraph.store import open_store

    project = settings.project()
    server = _server(project)
    if server is not None:
        from hrgraph.backend import remote_stats

        result = remote_stats(project, server)
    else:
        result = statistics.stats(open_store(project, read_only=True), project)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        click.echo(result.to_text(project))


@main.command("vocab")
@click.argument("scheme", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text",
              show_default=True, help="How to print the list.")
@click.pass_obj
def vocab_command(settings: Settings, scheme: str | None, fmt: str) -> None:
    """List the vocabularies, or every concept of vocabulary SCHEME.

    SCHEME is the path segment of its IRIs (action-type, topic, status …) or its file's name
    (action-types). For each concept: IRI, preferred, alternative and hidden labels,
    definition, broader concepts. Any label (or the IRI) is a value the spreadsheets accept.
    Reads the vocabulary files: no built store needed.

    \b
    Examples:
      hrgraph vocab
      hrgraph vocab action-type
      hrgraph vocab topics --format csv > topics.csv
    """
    from hrgraph import vocab

    click.echo(vocab.render(settings.project(), scheme, fmt), nl=False)


@main.command("docs")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=Path("site"),
              show_default=True, help="The folder to write the pages to.")
@click.pass_obj
def docs_command(settings: Settings, output: Path) -> None:
    """Write HTML documentation of the ontology and the vocabularies (with pyLODE).

    DIR/ontology.html (every class and property), DIR/vocabularies/NAME.html (every concept),
    DIR/queries.html (docs/queries.md) and DIR/index.html. Needs pyLODE:
    pip install 'hrgraph[docs]'. Markup in descriptions is shown as text, never run.

    \b
    Examples:
      hrgraph docs
      hrgraph docs -o /tmp/hrgraph-docs
    """
    from hrgraph.ontodocs import write_docs

    click.echo(write_docs(settings.project(), output).to_text())


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--source-url", metavar="URL", callback=_utf8_text,
              help="Where the contributed facts come from.")
@click.option("--contributor", metavar="NAME", callback=_utf8_text,
              help="Who contributes: a person, an organisation or a pseudonym (recorded as given).")
@click.option("--message", metavar="TEXT", callback=_utf8_text, help="Why, in a sentence.")
@click.option("--dry-run", is_flag=True, help="Only check; write nothing.")
@click.option("--confidential", is_flag=True,
              help="Keep it private (also implied by hrg:confidential true in the file).")
@click.option("--max-bytes", type=click.IntRange(min=1), metavar="N",
              help="Refuse larger files [default: hrgraph.toml [contributions] max_bytes, 5 MB].")
@click.pass_obj
def add(settings: Settings, file: Path, source_url: str | None, contributor: str | None,
        message: str | None, dry_run: bool, confidential: bool, max_bytes: int | None) -> None:
    """Check FILE in the context of the graph and merge it as a contribution.

    FILE is RDF (Turtle, JSON-LD, N-Triples, RDF/XML …) or a spreadsheet (.xlsx, or a .zip or
    folder of CSV files) in the template of docs/contributing.md (data/templates/). It is
    merged into data/contributions/ and the store together, or not at all. Exits with 1 for a
    violation (nothing is merged), 2 for an unusable file.

    \b
    Examples:
      hrgraph add --dry-run new-people.ttl
      hrgraph add statement.jsonld --source-url https://example.org/s --contributor "Viasna"
      hrgraph add data/templates/contribution-template.xlsx --message "2017 statement"
    """
    from hrgraph.contribute import add_contribution

    project = settings.project()
    result = add_contribution(project, file, source_url=source_url, contributor=contributor,
                              message=message, dry_run=dry_run, confidential=confidential,
                              allow_remote=settings.allow_remote, max_bytes=max_bytes)
    if (dry_run or settings.verbose) and result.resolutions:
        click.echo(result.resolutions_text())
    click.echo(result.to_text(project))
    if result.merged:
        _publish_merge(settings, project, result.id)
    if not result.conforms:
        count = result.report.violations
        raise ValidationFailed(f"{count} violation{'s' if count != 1 else ''}: nothing was merged")


@main.command("draft")
@click.argument("text", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The workbook to write: .xlsx, .zip of CSV files, or a folder.")
@click.option("--gold", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              multiple=True, help="Also compare the candidates with a gold CSV of tests/gold/ "
              "(recall, precision, targets and action types right).")
@click.pass_obj
def draft_command(settings: Settings, text: Path, output: Path, gold: tuple[Path, ...]) -> None:
    """Draft a contribution spreadsheet from a statement's text, by rules, for a person to check.

    Fills the template from TEXT (UTF-8): the document row (from a Title:/Date:/Source: header
    when the file has one), one candidate demand per bullet or sentence that asks for something
    with its exact quote, the people, organisations, provisions and mechanisms it names (matched
    to the graph's names in any script, or proposed as new), an action type and topics. Every
    suggestion starts with [?]: `hrgraph add` refuses the workbook until a person has checked
    each and deleted its mark. Needs a built store; nothing is fetched.

    \b
    Examples:
      hrgraph draft data/sources/hrc-belarus-mandate-2021-03-24.txt -o draft.xlsx
      hrgraph draft statement.txt -o draft.zip --gold tests/gold/hrc-mandate-2021-demands.csv
    """
    from hrgraph import draft as drafting
    from hrgraph.errors import StoreError
    from hrgraph.store import open_store

    project = settings.project()
    store = open_store(project, read_only=True)
    result = drafting.draft_file(project, text, store=store)
    try:
        rows = drafting.write_draft(project, result, output)
    except OSError as exc:
        raise StoreError(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"{output}: {', '.join(f'{n} {sheet}' for sheet, n in rows.items())}; "
               f"{len(result.candidates)} candidate demands. Every [?] value is a suggestion: "
               "check it and delete the mark, then `hrgraph add --dry-run` the workbook.")
    for path in gold:
        demands = drafting.read_gold(path)
        exists = drafting.known_iris(store)
        click.echo(f"{path.name}: {drafting.score(result, demands, exists).to_text()}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON.")
@click.option("--export", "export_id", metavar="ID",
              help="Write contribution ID (or a graph IRI) back into the spreadsheet template.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="With --export: FILE.xlsx, FILE.zip (CSV files) or a folder of CSV files.")
@click.pass_obj
def contributions(settings: Settings, as_json: bool, export_id: str | None,
                  output: Path | None) -> None:
    """List the merged contributions, oldest first (confidential ones marked).

    \b
    Examples:
      hrgraph contributions
      hrgraph contributions --json
      hrgraph contributions --export 20250101T120000Z-1a2b3c4d -o statement.xlsx
    """
    from hrgraph.contribute import list_contributions, recover

    project = settings.project()
    if export_id or output:
        from hrgraph.spreadsheet import export_template

        if not (export_id and output):
            raise UsageError("--export ID and -o FILE go together")
        done = export_template(project, export_id, output)
        click.echo(f"wrote {output}: " + ", ".join(f"{n} {k}" for k, n in done.rows.items()))
        if done.left_out:
            click.echo(f"Warning: {len(done.left_out)} triples have no column in the template "
                       "and were left out.", err=True)
        return
    if project.store_path.exists():
        recover(project)
    found = list_contributions(project)
    if as_json:
        click.echo(json.dumps([{k: str(v) if isinstance(v, Path) else v
                                for k, v in vars(c).items()} for c in found], indent=1))
        return
    for c in found:
        flag = " [confidential]" if c.confidential else ""
        who = f" by {c.contributor}" if c.contributor else ""
        click.echo(f"{c.id}{flag}  {c.created}{who}  {c.source_file or ''}"
                   + (f"  {c.message}" if c.message else ""))
    if not found:
        click.echo("no contributions merged yet")


@main.command()
@click.argument("contribution_id", metavar="ID")
@click.option("--force", is_flag=True, help="Remove it even if later contributions use it.")
@click.pass_obj
def remove(settings: Settings, contribution_id: str, force: bool) -> None:
    """Take contribution ID out: its file, its named graph and what it alone entailed.

    Refused if a later contribution refers to something it introduced, unless --force.

    \b
    Examples:
      hrgraph contributions
      hrgraph remove 20250101T120000Z-1a2b3c4d
    """
    from hrgraph.contribute import remove_contribution

    project = settings.project()
    info = remove_contribution(project, contribution_id, force=force)
    click.echo(f"removed contribution {info.id}")
    server = _server(project)
    if server is not None:
        from hrgraph.backend import publish
        from hrgraph.store import open_store

        try:
            click.echo(publish(project, open_store(project, read_only=True), server,
                               progress=settings.progress).to_text())
        except HrgraphError as exc:
            raise type(exc)(f"{exc}; the contribution is removed here but the server still has "
                            "it: run `hrgraph build` to publish again") from None


@main.group("import")
def import_group() -> None:
    """Import a document of another kind as a contribution (checked, merged, removable)."""


@import_group.command("upr")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--state-under-review", metavar="NAME", callback=_utf8_text,
              help="The state reviewed, if no page header names it (a name of the registry).")
@click.option("--cycle", type=click.IntRange(min=1), metavar="N",
              help="The UPR cycle, if no page header gives it.")
@click.option("--session", type=click.IntRange(min=1), metavar="N",
              help="The Working Group's session, if no page header gives it.")
@click.option("--date", metavar="DATE", help="The report's date (YYYY, YYYY-MM or YYYY-MM-DD); "
              "without it the date is unknown (never read from the file).")
@click.option("--dry-run", is_flag=True, help="Only check; write nothing.")
@click.pass_obj
def import_upr_command(settings: Settings, file: Path, state_under_review: str | None,
                       cycle: int | None, session: int | None, date: str | None,
                       dry_run: bool) -> None:
    """Import FILE, a UPR "Thematic list of recommendations" (.docx) published by OHCHR.

    Each numbered recommendation becomes a demand recommended by its states, with the
    reviewed state's position, themes, groups of persons and SDGs (docs/upr.md); the text is
    stored in data/sources/ for the quotes. Merged as a contribution (`hrgraph remove ID` takes
    it out again, text copy included); the same file again changes nothing. Exits with 1 for
    a violation, 2 for a file that cannot be read (the message names table and row).

    \b
    Examples:
      hrgraph import upr --dry-run thematic-list.docx
      hrgraph import upr list.docx --state-under-review Slovenia --cycle 3 --session 34
    """
    from hrgraph.upr_import import import_upr

    project = settings.project()
    settings.progress(f"reading {file}")
    result = import_upr(project, file, state_under_review=state_under_review, cycle=cycle,
                        session=session, date=date, dry_run=dry_run)
    if result.added is not None:
        click.echo(result.added.to_text(project))
        if result.added.merged:
            _publish_merge(settings, project, result.added.id)
    click.echo(result.summary())
    if result.added is not None and not result.added.conforms:
        count = result.added.report.violations
        raise ValidationFailed(f"{count} violation{'s' if count != 1 else ''}: nothing was merged")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text",
              show_default=True, help="How to print the report.")
@click.pass_obj
def validate(settings: Settings, files: tuple[Path, ...], fmt: str) -> None:
    """Check the data against the SHACL shapes and the checks in queries/checks/.

    Without FILES, validates the built store. With FILES, validates just those files in the
    context of the rest of the project (they may refer to anything already in it), reporting
    only on them. Exits with 1 if there is a violation.

    \b
    Examples:
      hrgraph validate
      hrgraph validate data/documents/concerted-position-2016.ttl
      hrgraph validate --format json new-statement.ttl
    """
    from hrgraph import validate as validation
    from hrgraph.store import open_store

    project = settings.project()
    if files:
        store = open_store(project, read_only=True) if project.store_path.exists() else None
        report = validation.validate_files(project, list(files), store=store,
                                           allow_remote=settings.allow_remote)
    else:
        report = validation.validate_store(project, open_store(project, read_only=True))
    output = {"text": report.to_text, "json": report.to_json, "turtle": report.to_turtle}[fmt]()
    click.echo(output.rstrip("\n"))
    if not report.conforms:  # the report ends with its counts already: no second line for them
        click.get_current_context().exit(report.exit_code)


@main.command()
@click.argument("name", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of the query (repeat for several, or for a list).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "md"]),
              default=None, help="How to print the result [default: from the --output file's "
              "ending (.csv, .json, .md; .txt and others: table), else table].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the result to this file instead of standard output.")
@click.option("--timeout", type=SECONDS, default=30.0, show_default=True, metavar="SECONDS",
              help="Stop the query after this many seconds.")
@click.option("--limit", type=ROWS, default=10_000, show_default=True,
              help="Return at most this many rows.")
@click.option("--allow-service", is_flag=True,
              help="Let the query call other SPARQL endpoints with SERVICE (off by default).")
@click.option("--wide", is_flag=True,
              help="Print the table whole, however wide (by default it fits the terminal, "
                   "long cells cut with …).")
@click.option("--list", "list_only", is_flag=True, help="List the saved queries and exit.")
@click.option("--endpoint", metavar="URL",
              help="Run the query against this SPARQL 1.1 endpoint instead of the store.")
@click.option("--include-confidential", is_flag=True,
              help="Also read the private graphs (confidential data), for the organisation's "
                   "own checks; never for answers that leave it.")
@click.pass_obj
def query(settings: Settings, name: str | None, params: tuple[str, ...], fmt: str | None,
          output: Path | None, timeout: float, limit: int, allow_service: bool, wide: bool,
          list_only: bool, endpoint: str | None, include_confidential: bool) -> None:
    """Run a saved query (by NAME from queries/, or a FILE.rq) over the built store.

    Confidential data (in private graphs) is never read, unless --include-confidential. A table
    printed to a terminal (or with $COLUMNS set) fits its width unless --wide. An IRI parameter
    takes a full IRI, a prefixed name as the tables print them (hrid:organisation/viasna,
    topic:death-penalty) or a name (Viasna); a name that fits several entities is refused, with
    their IRIs.

    \b
    Examples:
      hrgraph query --list
      hrgraph query demands-by-topic --param topic=https://w3id.org/hrgraph/vocab/topic/death-penalty
      hrgraph query my-question.rq --format csv > answer.csv
      hrgraph query signatories -o signatories.csv
      hrgraph query checks/demand-without-quote --format json
      hrgraph query signatories --endpoint http://localhost:7878/query
    """
    from hrgraph import query as queries

    project = settings.project()
    if list_only:
        if not project.is_project:
            raise UsageError(f"{project.root} is not an hrgraph project (no hrgraph.toml, "
                             "data/, ontology/, shapes/ or queries/): run the command in one, "
                             "or give --project DIR")
        click.echo(_query_list(queries.list_queries(project), queries.prefixes(project)))
        return
    if not name:
        raise UsageError("name a saved query or an .rq file (see `hrgraph query --list`)")
    saved = queries.find_query(project, name)
    values: dict[str, str | list[str]] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {item!r}: write it as NAME=VALUE")
        declared = saved.params.get(key)
        if key in values or (declared is not None and declared.multiple):
            previous = values.get(key, [])
            values[key] = [*([previous] if isinstance(previous, str) else previous), value]
        else:
            values[key] = value
    server = None if endpoint else _server(project)
    if endpoint or server:
        if include_confidential:
            raise UsageError("--include-confidential reads the local store's private graphs; "
                             "it cannot go with --endpoint or HRGRAPH_ENDPOINT")
        from hrgraph import backend
        from hrgraph.remote import run_remote

        result = run_remote(project, saved, values, endpoint or server.query, timeout=timeout,
                            limit=limit, allow_service=allow_service,
                            credentials=None if endpoint else server.credentials,
                            dataset=None if endpoint else backend.query_dataset(project, server))
    else:
        result = queries.run_saved(project, saved, values, timeout=timeout, limit=limit,
                                   allow_service=allow_service,
                                   include_confidential=include_confidential)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    fmt = fmt or _format_for(output)
    if fmt == "table":
        width = None if wide or output is not None else _terminal_width()
        text = result.to_table(width=width)
    else:
        text = {"csv": result.to_csv, "json": result.to_json, "md": result.to_markdown}[fmt]()
    text = text.rstrip("\n") + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        from hrgraph.export import write_atomically

        write_atomically(output, text.encode("utf-8"),  # StoreError, exit 3, as documented
                         private=include_confidential)
    if result.note and (output is not None or fmt in {"csv", "json"}):
        click.echo(result.note, err=True)  # tables and Markdown on the terminal say it already


def _terminal_width() -> int | None:
    """The columns a table printed to standard output may take: $COLUMNS, or the terminal's;
    ``None`` (no limit) when standard output is a pipe or a file and $COLUMNS is not set."""
    import os
    import shutil
    import sys

    if not os.environ.get("COLUMNS", "").strip().isdigit() and not sys.stdout.isatty():
        return None
    return max(shutil.get_terminal_size().columns, 20)


#: Output format by the ending of the --output file; any other ending gets a text table.
_FORMAT_BY_SUFFIX = {".csv": "csv", ".json": "json", ".md": "md", ".txt": "table"}


def _format_for(output: Path | None) -> str:
    """The output format implied by an --output file name (``table`` when there is none)."""
    if output is None:
        return "table"
    return _FORMAT_BY_SUFFIX.get(output.suffix.lower(), "table")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (only this machine by default).")
@click.option("--port", type=int, default=8000, show_default=True, help="Port to listen on.")
@click.option("--read-only", is_flag=True,
              help="Accept no uploads (the /validate page only explains how to validate).")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Allow cross-origin requests from ORIGIN (repeat; off by default).")
@click.option("--timeout", type=SECONDS, default=10.0, show_default=True, metavar="SECONDS",
              help="Stop a query after this many seconds.")
@click.option("--limit", type=ROWS, default=10_000, show_default=True,
              help="Return at most this many rows per query.")
@click.option("--poll", type=SECONDS, default=5.0, show_default=True, metavar="SECONDS",
              help="With HRGRAPH_ENDPOINT: how often to ask the server for a new publication.")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, read_only: bool,
          cors_origins: tuple[str, ...], timeout: float, limit: int, poll: float) -> None:
    """Serve the built graph on the web: SPARQL endpoint, linked-data pages, query API, browser.

    Pages: / (start), /demands, /search?q=, /dashboard, /network, /query, /validate,
    /id/... (every entity; Turtle, JSON-LD, N-Triples by Accept or extension), /sparql,
    /api/queries, /api/openapi.json. The store is opened read-only, and read again when
    `hrgraph build`, `add` or `remove` publish a new one (no restart). With HRGRAPH_MERGE_TOKEN
    set, POST /contribute with that token merges an upload as `hrgraph add` does. With
    HRGRAPH_ENDPOINT set, the pages read a local mirror of the server (.hrgraph/mirror, or
    --store), made at start and again whenever the server's publication changes.

    \b
    Examples:
      hrgraph serve
      hrgraph serve --port 8080 --read-only
      hrgraph --store /tmp/hr-store serve --host 0.0.0.0 --cors-origin https://example.org
    """
    import os

    import uvicorn

    from hrgraph.web import WebSettings, create_app

    project = settings.project()
    server = _server(project)
    if server is not None:  # pages from a local mirror of the server, followed
        from hrgraph import mirror

        project = mirror.mirror_project(project, settings.store)
        settings.progress(f"mirroring {server.query}")
        mirror.sync(project, server)
        mirror.Follower(project, server, interval=poll).start()
        read_only = True  # merges go to the working copy (`hrgraph add`), not to a mirror
    app = create_app(project, WebSettings(
        read_only=read_only, cors_origins=cors_origins, query_timeout=timeout,
        result_limit=limit, merge_token=os.environ.get("HRGRAPH_MERGE_TOKEN") or None))
    settings.progress(f"serving on http://{host}:{port}/ (Ctrl-C stops)")
    # proxy_headers=False: uvicorn would otherwise take X-Forwarded-For from 127.0.0.1 as the
    # client's address; only [web] trusted_proxies decides that (web.limits.client_address).
    uvicorn.run(app, host=host, port=port, log_level="warning" if settings.quiet else "info",
                access_log=settings.verbose, proxy_headers=False)


def _query_list(saved: list, prefix_map: dict[str, str]) -> str:
    """One line per saved query (name and summary), with its parameters below: type, whether
    required, default and example (IRIs as prefixed names, which the parameters accept)."""
    from hrgraph.query import shorten

    def shown(param, value) -> str:
        if param.type == "iri" and isinstance(value, str):
            short = shorten(value, prefix_map)
            return value if short.startswith("<") else short
        return str(value)

    lines = []
    for q in saved:
        lines.append(f"{q.name:<36} {q.summary}")
        for p in q.params.values():
            details = [p.type + (", required" if p.required else "")]
            if p.multiple:
                details.append("repeat for several")
            if p.default not in (None, "", []):
                defaults = p.default if isinstance(p.default, list) else [p.default]
                details.append("default " + " ".join(shown(p, d) for d in defaults))
            example = (f" (e.g. {shown(p, p.example)})"
                       if p.example not in (None, "", p.default) else "")
            lines.append(f"    --param {p.name}=…  {', '.join(details)}{example}")
    width = _terminal_width()
    if width is not None:  # long lines go on below, indented, rather than past the edge
        import textwrap

        lines = [part for line in lines for part in textwrap.wrap(
            line, width, subsequent_indent=" " * (8 if line.startswith(" ") else
                                                   37 if width >= 72 else 4),
            break_long_words=False, break_on_hyphens=False) or [""]]
    return "\n".join(lines) if lines else "no saved queries in queries/"


# --- publishing: export, release, diff, push (hrgraph.export, .describe, .diff, .remote) ---------


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld", "xml"]),
              default="ttl", show_default=True, help="The RDF format to write.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--graph", "graphs", multiple=True, metavar="NAME",
              help="Export this graph (IRI, or name like shapes/core, or folder like data) "
                   "instead of the public ones; repeat for several.")
@click.option("--include-inferred", is_flag=True, help="Add the inferred graph.")
@click.option("--include-confidential", is_flag=True,
              help="Also export the private graphs (confidential data), for the organisation's "
                   "own backups; without it, naming a private graph is refused.")
@click.option("--named-graphs", is_flag=True,
              help="JSON-LD: keep the named graphs (one @graph each) instead of writing every "
                   "triple once in the default graph.")
@click.pass_obj
def export_command(settings: Settings, fmt: str, output: Path | None, graphs: tuple[str, ...],
                   include_inferred: bool, include_confidential: bool,
                   named_graphs: bool) -> None:
    """Export the data, ontology and vocabulary graphs; confidential data is left out.

    Confidential data lives in private graphs (…/graph/private/…): exported only with
    --include-confidential.

    The same graphs always give the same bytes. N-Quads and TriG keep the named graphs; JSON-LD
    gives every triple once in its default graph, as Turtle does, so that any JSON-LD or RDF
    reader sees the data (--named-graphs keeps the graphs), and embeds the context of
    ontology/context.jsonld.

    \b
    Examples:
      hrgraph export --format nt -o hrgraph.nt
      hrgraph export --format jsonld --include-inferred -o hrgraph.jsonld
      hrgraph export --format jsonld --named-graphs -o hrgraph-graphs.jsonld
      hrgraph export --graph shapes --format ttl
      hrgraph export --include-confidential --include-inferred --format nq -o backup.nq
    """
    from hrgraph import export as exports
    from hrgraph.store import open_store

    project = settings.project()
    result = exports.export(project, open_store(project, read_only=True), fmt, output=output,
                            graphs=graphs, include_inferred=include_inferred,
                            include_confidential=include_confidential, named_graphs=named_graphs,
                            stream=None if output else sys.stdout.buffer)
    if output is None:
        sys.stdout.buffer.flush()
    else:
        settings.progress(f"wrote {result.quads} quads from {len(result.graphs)} graphs to "
                          f"{output} ({result.size:,} bytes)")


@main.command("release")
@click.argument("version")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="The release folder to write [default: PROJECT/releases/VERSION].")
@click.option("--date", "issued", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The release date, YYYY-MM-DD [default: today].")
@click.option("--endpoint", metavar="URL", help="A SPARQL endpoint to name in the description.")
@click.pass_obj
def release_command(settings: Settings, version: str, output: Path | None, issued,
                    endpoint: str | None) -> None:
    """Write a release folder: every export format, ontology, shapes, description, citation.

    JSON-LD, Turtle, N-Triples and RDF/XML hold every triple once, in the default graph (any
    JSON-LD or RDF reader sees the data); TriG and N-Quads keep the named graphs (for JSON-LD
    with named graphs: hrgraph export --format jsonld --named-graphs).

    The description (description.ttl) is VoID and DCAT 3 with counts, sizes and SHA-256
    checksums, and says what each file holds; CITATION.cff has what a DOI deposit needs;
    CHANGELOG.md says what changed since the previous release folder next to this one, if there
    is one.

    \b
    Examples:
      hrgraph release 0.1.0
      hrgraph release 0.2.0 --date 2026-12-01 -o releases/0.2.0
    """
    from hrgraph import describe
    from hrgraph.store import open_store

    project = settings.project()
    result = describe.release(project, open_store(project, read_only=True), version, output,
                              issued=issued.date() if issued else None, endpoint=endpoint,
                              progress=settings.progress)
    click.echo(f"wrote {result.folder}: {len(result.files)} files, {result.counts.triples} "
               f"triples" + (f", changes since {result.previous.name} in CHANGELOG.md"
                             if result.previous else ""))


@main.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "nt"]), default="text",
              show_default=True, help="Sentences, or the raw triples added (+) and removed (-).")
@click.option("--exit-code", is_flag=True,
              help="Exit with 1 if there are differences and 0 if there are none (like git diff).")
@click.pass_context
def diff_command(ctx: click.Context, old: Path, new: Path, fmt: str, exit_code: bool) -> None:
    """Say what changed between two exports, or two release folders, of the same format.

    Exits with 0 whether or not they differ, unless --exit-code is given; 2 when the two cannot
    be compared (different formats, a file and a folder).

    \b
    Examples:
      hrgraph diff releases/0.1.0 releases/0.2.0
      hrgraph diff old.nt new.nt --format nt
      hrgraph diff old.ttl new.ttl --exit-code || echo changed
    """
    from hrgraph import diff as diffs

    result = diffs.diff(old, new)
    click.echo(result.to_text() if fmt == "text" else result.to_nt(), nl=False)
    if exit_code and result.changed:
        ctx.exit(1)


@main.command("push")
@click.argument("url")
@click.option("--graph", metavar="IRI", help="Put every triple into this graph instead of the "
              "graph of its file.")
@click.option("--replace", is_flag=True, help="Replace the target graphs (written to temporary "
              "graphs first, then moved into place) instead of adding to them.")
@click.option("--update-endpoint", is_flag=True,
              help="URL is a SPARQL Update endpoint (INSERT DATA), not a Graph Store.")
@click.option("--update-url", metavar="URL", help="The SPARQL Update endpoint for --replace "
              "[default: URL's sibling /update].")
@click.option("--query-url", metavar="URL", help="The query endpoint used to verify the counts "
              "[default: URL's sibling /query].")
@click.option("--no-inferred", is_flag=True, help="Send only the asserted graphs.")
@click.option("--batch-size", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Triples per request.")
@click.option("--timeout", type=SECONDS, default=30.0, show_default=True, metavar="SECONDS",
              help="Seconds a request may take.")
@click.option("--retries", type=click.IntRange(min=0), default=2, show_default=True,
              help="Retries of a request after a transient error (no connection, a time-out, "
                   "HTTP 5xx).")
@click.pass_obj
def push_command(settings: Settings, url: str, graph: str | None, replace: bool,
                 update_endpoint: bool, update_url: str | None, query_url: str | None,
                 no_inferred: bool, batch_size: int, timeout: float, retries: int) -> None:
    """Send the graph (asserted and inferred graphs) to a SPARQL server.

    By the SPARQL 1.1 Graph Store Protocol (URL like http://host:7878/store), or by SPARQL
    Update with --update-endpoint. Credentials only from the environment: HRGRAPH_PUSH_TOKEN,
    or HRGRAPH_PUSH_USER and HRGRAPH_PUSH_PASSWORD. Confidential entries are never sent.
    Exits with 3 if the server cannot be reached, refuses or fails.

    \b
    Examples:
      hrgraph push http://localhost:7878/store
      hrgraph push http://localhost:7878/store --replace
      HRGRAPH_PUSH_TOKEN=… hrgraph push https://example.org/ds/update --update-endpoint
    """
    from hrgraph import remote
    from hrgraph.store import open_store

    project = settings.project()
    summary = remote.push(project, open_store(project, read_only=True), url, graph=graph,
                          replace=replace, update_endpoint=update_endpoint,
                          update_url=update_url, query_url=query_url,
                          include_inferred=not no_inferred, batch_size=batch_size,
                          timeout=timeout, attempts=retries + 1, progress=settings.progress)
    click.echo(summary.to_text())
