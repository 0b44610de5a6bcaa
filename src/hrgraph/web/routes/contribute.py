"""``/validate``: a contributor uploads an RDF file or a spreadsheet and reads the
plain-language report.

An RDF file is checked by :func:`hrgraph.validate.validate_files` in the context of the built
graph (it may refer to people and organisations already there), exactly like
``hrgraph validate FILE``. A spreadsheet in the contribution template (an ``.xlsx`` workbook, a
``.zip`` of CSV files or one ``.csv``: :func:`hrgraph.spreadsheet.is_spreadsheet`, by its name as
the command line decides) is checked like ``hrgraph add --dry-run FILE``
(:func:`hrgraph.contribute.add_contribution` with ``dry_run``): its rows become triples, with the
spreadsheet limits of ``[contributions]``, and the report locates results by sheet, row and
column; a workbook that cannot be read is 400 with the reason. Nothing is merged: the upload is
written to a temporary directory and removed afterwards. Uploads larger than ``upload_limit``
bytes are refused (413); with ``--read-only`` every upload is refused (403).

``/contribute``: the same upload (RDF or spreadsheet), merged — by
:func:`hrgraph.contribute.add_contribution`, the code of ``hrgraph add`` (validated in the
context of the graph, merged as a new store generation that the server's next request reads).
Only with the server's merge token (``HRGRAPH_MERGE_TOKEN`` when ``hrgraph serve`` started; the
form field ``token`` or ``Authorization: Bearer …``): without a configured token merging from
the web is off (403), a missing or wrong token is 401, and nothing is written either way. After
``merge_failures_per_minute`` (5) missing or wrong tokens from one client address
(:func:`hrgraph.web.limits.client_address`: the TCP peer; ``X-Forwarded-For`` only from a
``trusted_proxies`` address) within a minute, every merge request from that address is 429 with
``Retry-After`` — even one with the right token — until the oldest failure is a minute old. The
counts are kept per server process, in memory (:class:`hrgraph.web.limits.FailureLimiter`): a
restart forgets them, and several processes count separately.

Uploaded file names are cut to their last path part, control characters are replaced by ``_``,
and a name longer than :data:`MAX_NAME_BYTES` bytes (UTF-8) is shortened, keeping its ending.
"""

from __future__ import annotations

import dataclasses
import hmac
import re
import tempfile
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hrgraph import contribute, spreadsheet
from hrgraph.errors import InputError, UsageError
from hrgraph.project import RDF_SUFFIXES
from hrgraph.query import shorten
from hrgraph.validate import ValidationReport, validate_files
from hrgraph.web.app import WebSettings, page_routes, state_of
from hrgraph.web.limits import busy

#: Bytes a multipart body may carry beyond the file itself (boundaries, headers).
MULTIPART_OVERHEAD = 16_384
#: Bytes (UTF-8) of an uploaded file's name that are kept; file systems allow 255.
MAX_NAME_BYTES = 100
#: Characters of an ending that can be one of the RDF or spreadsheet endings.
_MAX_SUFFIX = 16
#: What an upload may be: an RDF file, or a spreadsheet in the contribution template.
UPLOAD_SUFFIXES = sorted({*RDF_SUFFIXES, *spreadsheet.SPREADSHEET_SUFFIXES})
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f/]")


def _refuse_oversized(request: Request, limit: int) -> None:
    """413 before reading a body that announces more than an upload of ``limit`` bytes."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit + MULTIPART_OVERHEAD:
        raise HTTPException(413)


def _upload_name(name: str) -> tuple[str, str, str | None]:
    """The uploaded file's own name (no directories, no control characters, at most
    :data:`MAX_NAME_BYTES` bytes), its ending, and why it cannot be read as RDF or as a
    spreadsheet (``None`` when it can)."""
    filename = _UNSAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip() or "upload"
    ending = Path(filename).suffix
    if len(ending) > _MAX_SUFFIX:
        ending = ""
    if len(filename.encode("utf-8")) > MAX_NAME_BYTES:  # keep the start and the ending
        stem = filename[:len(filename) - len(ending)]
        room = MAX_NAME_BYTES - len(ending.encode("utf-8"))
        filename = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore") + ending
    suffix = ending.lower()
    if suffix in UPLOAD_SUFFIXES:
        return filename, suffix, None
    return filename, suffix, (f"{filename}: hrgraph reads RDF files ending in "
                              f"{', '.join(sorted(RDF_SUFFIXES))} and spreadsheets in the "
                              "contribution template ending in "
                              f"{', '.join(sorted(spreadsheet.SPREADSHEET_SUFFIXES))}; this "
                              f"one ends in {suffix or 'none of them'}.")


def _hide(text: str, path: Path, filename: str) -> str:
    """``text`` with the temporary file's path replaced by the uploaded file's name."""
    return text.replace(str(path), filename).replace(str(path.parent) + "/", "")


def _renamed(exc: Exception, path: Path, filename: str) -> Exception:
    """An error about the temporary file, told about the uploaded file instead."""
    if getattr(exc, "path", None):
        exc.path = filename  # type: ignore[attr-defined]
    if isinstance(getattr(exc, "message", None), str):
        exc.message = _hide(exc.message, path, filename)  # type: ignore[attr-defined]
    return exc


def _report_model(report: ValidationReport, filename: str, tmp: Path) -> dict[str, Any]:
    """The page model of a report on the upload stored at ``tmp`` (shown as ``filename``)."""
    results = [dataclasses.replace(r, file=_hide(r.file, tmp, filename) if r.file else r.file)
               for r in report.results]
    report = ValidationReport(results=results, graph=report.graph, prefixes=report.prefixes)
    groups: dict[str, dict[str, Any]] = {}
    for r in results:
        group = groups.setdefault(r.focus_node, {
            "focus": "a nameless resource" if r.focus_node.startswith("_:")
            else shorten(r.focus_node, report.prefixes),
            "where": r.where, "results": []})
        group["results"].append({
            "severity": r.severity, "message": r.message,
            "property": shorten(r.path, report.prefixes) if r.path and not r.path.startswith(
                ("<", "^", "(")) else r.path,
            "value": r.value})
    return {"conforms": report.conforms, "violations": report.violations,
            "warnings": report.warnings, "summary": report.summary(),
            "text": report.to_text(), "groups": list(groups.values())}


async def validate_page(request: Request) -> Response:
    """GET: the upload form. POST: validate the uploaded file and show the report."""
    state = state_of(request)
    settings = state.settings
    model: dict[str, Any] = {"read_only": settings.read_only, "limit": settings.upload_limit,
                             "suffixes": sorted(RDF_SUFFIXES),
                             "sheet_suffixes": sorted(spreadsheet.SPREADSHEET_SUFFIXES),
                             "filename": None, "report": None, "error": None, "text": None}
    if request.method == "GET":
        return state.render(request, "validate.html", model)
    if settings.read_only:
        raise HTTPException(403, "This server is read-only: it accepts no uploads. Run "
                                 "`hrgraph validate FILE` on your own copy instead.")
    _refuse_oversized(request, settings.upload_limit)
    async with request.form(max_files=1, max_fields=5) as form:  # closes the spooled file
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            model["error"] = "Choose a file to check."
            return state.render(request, "validate.html", model, status_code=400)
        data = await upload.read(settings.upload_limit + 1)
        name = upload.filename
    if len(data) > settings.upload_limit:
        raise HTTPException(413)
    filename, suffix, model["error"] = _upload_name(name)
    model["filename"] = filename
    if model["error"]:
        return state.render(request, "validate.html", model, status_code=400)

    def check() -> tuple[dict[str, Any], str | None]:
        with tempfile.TemporaryDirectory(prefix="hrgraph-upload-") as directory:
            path = Path(directory) / f"upload{suffix}"
            path.write_bytes(data)
            try:
                if spreadsheet.is_spreadsheet(path):  # as `hrgraph add --dry-run` reads it
                    result = contribute.add_contribution(state.project, path, dry_run=True,
                                                         max_bytes=settings.upload_limit)
                    return (_report_model(result.report, filename, path),
                            _hide(result.to_text(state.project), path, filename))
                report = validate_files(state.project, [path], store=state.store.get())
            except Exception as exc:  # an HrgraphError with the temp path: show the file name
                raise _renamed(exc, path, filename) from None
            return _report_model(report, filename, path), None

    try:
        model["report"], model["text"] = await state.in_thread(check)
    except InputError as exc:  # the file does not parse: say where, on the same page
        model["error"] = str(exc)
        return state.render(request, "validate.html", model, status_code=400)
    return state.render(request, "validate.html", model)


def _token_of(request: Request, form: Any) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    value = form.get("token")
    return value if isinstance(value, str) else ""


async def contribute_page(request: Request) -> Response:
    """GET: the merge form. POST: check the upload like ``hrgraph add`` and merge it."""
    state = state_of(request)
    settings = state.settings
    enabled = bool(settings.merge_token) and not settings.read_only
    model: dict[str, Any] = {"enabled": enabled, "limit": settings.upload_limit,
                             "suffixes": sorted(RDF_SUFFIXES),
                             "sheet_suffixes": sorted(spreadsheet.SPREADSHEET_SUFFIXES),
                             "filename": None, "report": None, "error": None, "merged": False,
                             "id": None, "text": None}
    if request.method == "GET":
        return state.render(request, "contribute.html", model)
    if not enabled:
        raise HTTPException(403, "Merging from the web is turned off on this server (it was "
                                 "started without HRGRAPH_MERGE_TOKEN, or read-only). Run "
                                 "`hrgraph add FILE` where the project is instead.")
    client = state.client(request.scope)
    wait = state.merge_failures.retry_after(client)
    if wait is not None:  # checked before the token: a right guess must not show either
        raise busy(wait, "Too many wrong merge tokens from this address: try again later.")
    _refuse_oversized(request, settings.upload_limit)
    async with request.form(max_files=1, max_fields=8) as form:
        token = _token_of(request, form)
        if not token or not hmac.compare_digest(token.encode(), settings.merge_token.encode()):
            state.merge_failures.failed(client)
            raise HTTPException(401, "Merging needs this server's merge token: give it in the "
                                     "form's token field or as Authorization: Bearer.",
                                headers={"WWW-Authenticate": 'Bearer realm="hrgraph merge"'})
        upload = form.get("file")
        fields = {name: form.get(name) for name in ("contributor", "message", "source_url")}
        if not isinstance(upload, UploadFile) or not upload.filename:
            model["error"] = "Choose a file to merge."
            return state.render(request, "contribute.html", model, status_code=400)
        data = await upload.read(settings.upload_limit + 1)
        name = upload.filename
    if len(data) > settings.upload_limit:
        raise HTTPException(413)
    fields = {k: v.strip() if isinstance(v, str) and v.strip() else None
              for k, v in fields.items()}
    filename, _suffix, model["error"] = _upload_name(name)
    model["filename"] = filename
    if model["error"]:
        return state.render(request, "contribute.html", model, status_code=400)

    def merge() -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="hrgraph-merge-") as directory:
            path = Path(directory) / filename  # the name is recorded (prov:wasDerivedFrom)
            path.write_bytes(data)
            try:
                result = contribute.add_contribution(
                    state.project, path, source_url=fields["source_url"],
                    contributor=fields["contributor"], message=fields["message"],
                    max_bytes=settings.upload_limit)
            except Exception as exc:
                raise _renamed(exc, path, filename) from None
            return {"merged": result.merged, "id": result.id if result.merged else None,
                    "text": _hide(result.to_text(state.project), path, filename),
                    "report": _report_model(result.report, filename, path)}

    try:
        # Not given up at the query time limit: a merge, once started, finishes.
        model.update(await run_in_threadpool(merge))
    except (InputError, UsageError) as exc:  # unusable file or field: say why, same page
        model["error"] = str(exc)
        return state.render(request, "contribute.html", model, status_code=400)
    return state.render(request, "contribute.html", model,
                        status_code=200 if model["merged"] else 422)


def routes(settings: WebSettings) -> list[Route]:
    """The validation and merge pages (GET form, POST upload) and their JSON twins."""
    limit = settings.upload_limit + MULTIPART_OVERHEAD
    return [*page_routes("/validate", validate_page, name="validate", methods=["GET", "POST"],
                         max_body_size=limit),
            *page_routes("/contribute", contribute_page, name="contribute",
                         methods=["GET", "POST"], max_body_size=limit)]
