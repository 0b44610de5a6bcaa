"""``/validate``: a contributor uploads an RDF file and reads the plain-language report.

The file is checked by :func:`hrgraph.validate.validate_files` in the context of the built graph
(it may refer to people and organisations already there), exactly like
``hrgraph validate FILE``. Nothing is merged: the upload is written to a temporary directory and
removed afterwards. Uploads larger than ``upload_limit`` bytes are refused (413); with
``--read-only`` every upload is refused (403).
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hrgraph.errors import InputError
from hrgraph.project import RDF_SUFFIXES
from hrgraph.query import shorten
from hrgraph.validate import ValidationReport, validate_files
from hrgraph.web.app import WebSettings, page_routes, state_of

#: Bytes a multipart body may carry beyond the file itself (boundaries, headers).
MULTIPART_OVERHEAD = 16_384


def _report_model(report: ValidationReport, filename: str, tmp: str) -> dict[str, Any]:
    results = [dataclasses.replace(r, file=filename if r.file and tmp in r.file else r.file)
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
                             "suffixes": sorted(RDF_SUFFIXES), "filename": None, "report": None,
                             "error": None}
    if request.method == "GET":
        return state.render(request, "validate.html", model)
    if settings.read_only:
        raise HTTPException(403, "This server is read-only: it accepts no uploads. Run "
                                 "`hrgraph validate FILE` on your own copy instead.")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > settings.upload_limit + MULTIPART_OVERHEAD:
        raise HTTPException(413)
    async with request.form(max_files=1, max_fields=5) as form:  # closes the spooled file
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            model["error"] = "Choose a file to check."
            return state.render(request, "validate.html", model, status_code=400)
        data = await upload.read(settings.upload_limit + 1)
        name = upload.filename
    if len(data) > settings.upload_limit:
        raise HTTPException(413)
    filename = Path(name.replace("\\", "/")).name or "upload"
    suffix = Path(filename).suffix.lower()
    model["filename"] = filename
    if suffix not in RDF_SUFFIXES:
        model["error"] = (f"{filename}: hrgraph reads RDF files ending in "
                          f"{', '.join(sorted(RDF_SUFFIXES))}; this one ends in "
                          f"{suffix or 'nothing'}.")
        return state.render(request, "validate.html", model, status_code=400)

    def check() -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="hrgraph-upload-") as directory:
            path = Path(directory) / f"upload{suffix}"
            path.write_bytes(data)
            try:
                report = validate_files(state.project, [path], store=state.store.get())
            except Exception as exc:  # an HrgraphError with the temp path: show the file name
                if hasattr(exc, "path") and exc.path:
                    exc.path = filename
                raise
            return _report_model(report, filename, directory)

    try:
        model["report"] = await state.in_thread(check)
    except InputError as exc:  # the file does not parse: say where, on the same page
        model["error"] = str(exc)
        return state.render(request, "validate.html", model, status_code=400)
    return state.render(request, "validate.html", model)


def routes(settings: WebSettings) -> list[Route]:
    """The validation page (GET form, POST upload) and its JSON twin."""
    return page_routes("/validate", validate_page, name="validate", methods=["GET", "POST"],
                       max_body_size=settings.upload_limit + MULTIPART_OVERHEAD)
