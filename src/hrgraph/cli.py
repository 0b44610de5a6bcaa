"""The ``hrgraph`` command: parses arguments, calls the library, prints, maps errors to exit codes.

Nothing here does work of its own; every command is one call into :mod:`hrgraph`.
Errors (:class:`hrgraph.errors.HrgraphError`) become one line on stderr and their exit code
(see docs/design.md); ``--verbose`` adds the traceback.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import click

from hrgraph import __version__
from hrgraph.errors import HrgraphError, ValidationFailed
from hrgraph.project import Project


@dataclass
class Settings:
    """The global options, handed to every command."""

    project_dir: Path
    store: Path | None
    quiet: bool
    verbose: bool
    allow_remote: bool

    def project(self) -> Project:
        return Project.open(self.project_dir, store=self.store)

    def progress(self, message: str) -> None:
        """Show a step of long work on stderr, unless --quiet."""
        if not self.quiet:
            click.echo(f"… {message}", err=True)


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
@click.version_option(__version__, "--version", prog_name="hrgraph")
@click.pass_context
def main(ctx: click.Context, project_dir: Path, store: Path | None, quiet: bool, verbose: bool,
         allow_remote: bool) -> None:
    """hrgraph: a knowledge graph of human-rights actors and their demands.

    \b
    Examples:
      hrgraph build
      hrgraph --store /tmp/hr-store stats
      hrgraph --project ~/hrgraph --quiet build
    """
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = Settings(project_dir=project_dir, store=store, quiet=quiet, verbose=verbose,
                       allow_remote=allow_remote)


@main.command()
@click.pass_obj
def build(settings: Settings) -> None:
    """Load every file into a new store, reason, validate, and swap the store in.

    The old store stays untouched until the new one is complete. Exits with 1 if the data has
    SHACL violations (the new store is still swapped in, so you can query it), 2 for an unusable
    file, 3 if the store is locked or not writable.

    \b
    Examples:
      hrgraph build
      hrgraph --store /tmp/hr-store build
      hrgraph --quiet build && hrgraph stats
    """
    from hrgraph.build import build as build_store

    summary = build_store(settings.project(), progress=settings.progress,
                          allow_remote=settings.allow_remote)
    click.echo(summary.to_text())
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
    result = statistics.stats(open_store(project, read_only=True))
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        click.echo(result.to_text(project))
