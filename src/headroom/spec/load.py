"""Load spec files of any supported format into one :class:`SpecSet`, collecting every issue.

Each YAML document is routed by what it says about itself:

- ``apiVersion: openslo/v1`` (or a list of such objects) -> ``openslo.py``;
- ``version: prometheus/v1`` -> ``sloth.py``;
- ``alert_profiles:`` (and no ``service:``) -> an alert-profile file, noted and skipped
- ``rollout:`` (and no ``slos:``) -> a rollout config, noted and skipped
  (``alerting/profile_files.py`` reads it);
- anything else -> headroom's own format (``headroom_format.py``).

OpenSLO objects from every file are resolved together, so an ``indicatorRef`` may name an
SLI in another file. After all documents, SLO ids (``service/name``) must be unique across
the set. Nothing raises until every file has been read: :func:`load_specs` raises one
:class:`SpecError` holding every error; :func:`validate_specs` returns warnings and
notes (severity ``info``) too.

This module is the shell: it reads files. :func:`parse_spec_texts` is the same without I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from headroom.errors import SpecError, SpecIssue
from headroom.spec.headroom_format import load_headroom_document
from headroom.spec.locations import Issues, YMap, YNode, YScalar, YSeq, parse_yaml
from headroom.spec.model import SLO, SpecSet
from headroom.spec.openslo import OPENSLO_VERSION, OpenSLOObject, load_openslo_objects
from headroom.spec.sloth import SLOTH_VERSION, load_sloth_document

__all__ = ["load_specs", "parse_spec_texts", "validate_specs"]

_SUFFIXES = (".yaml", ".yml")


def load_specs(paths: Sequence[Path | str]) -> SpecSet:
    """Every SLO in ``paths`` (files, or directories of ``*.yaml``/``*.yml``).

    Raises :class:`SpecError` with every error of every file; warnings do not raise.
    """
    spec_set, issues = validate_specs(paths)
    if spec_set is None:
        raise SpecError([i for i in issues if i.severity == "error"])
    return spec_set


def validate_specs(paths: Sequence[Path | str]) -> tuple[SpecSet | None, list[SpecIssue]]:
    """The spec set (None if any error) and every issue, warnings and notes included."""
    texts: list[tuple[str, str]] = []
    read_issues: list[SpecIssue] = []
    for path in _expand(paths, read_issues):
        name = str(path)
        try:
            texts.append((name, path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            read_issues.append(SpecIssue(name, None, "", "file not found", "check the path"))
        except UnicodeDecodeError as exc:
            read_issues.append(
                SpecIssue(name, None, "", f"not UTF-8 text ({exc.reason})", "save the file as UTF-8")
            )
        except OSError as exc:
            read_issues.append(
                SpecIssue(
                    name, None, "", f"cannot read the file: {exc.strerror or exc}", "check its permissions"
                )
            )
    spec_set, issues = parse_spec_texts(texts)
    all_issues = read_issues + issues
    if any(i.severity == "error" for i in read_issues):
        return None, all_issues
    return spec_set, all_issues


def _expand(paths: Sequence[Path | str], issues: list[SpecIssue]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
            if not found:
                issues.append(
                    SpecIssue(
                        str(path), None, "", "directory holds no .yaml or .yml files", "point at spec files"
                    )
                )
            out.extend(found)
        else:
            out.append(path)
    return out


def parse_spec_texts(texts: Sequence[tuple[str, str]]) -> tuple[SpecSet | None, list[SpecIssue]]:
    """Like :func:`validate_specs`, over ``(file name, text)`` pairs already in memory."""
    per_file: list[Issues] = []
    slos: list[SLO] = []
    openslo: list[OpenSLOObject] = []
    for name, text in texts:
        issues = Issues(name)
        per_file.append(issues)
        docs, syntax = parse_yaml(text, name)
        issues.found.extend(syntax)
        if not docs and not syntax:
            issues.warning(None, "", "the file holds no YAML documents", "add service: and slos:")
        for doc in docs:
            slos.extend(_route(doc, issues, openslo))
    slos.extend(load_openslo_objects(openslo))
    _check_duplicates(slos, {i.file: i for i in per_file})
    order = {i.file: n for n, i in enumerate(per_file)}
    found = sorted(
        (issue for i in per_file for issue in i.found), key=lambda x: (order.get(x.file, 0), x.line or 0)
    )
    if any(i.severity == "error" for i in found):
        return None, found
    return SpecSet(slos=tuple(slos), files=tuple(name for name, _ in texts)), found


def _text(doc: YMap, key: str) -> str | None:
    value = doc.get(key)
    return value.text if isinstance(value, YScalar) and not value.is_null else None


def _route(doc: YNode, issues: Issues, openslo: list[OpenSLOObject]) -> list[SLO]:
    """Send one document to its format's loader; OpenSLO objects are gathered for later."""
    if isinstance(doc, YSeq) and len(doc) and all(isinstance(i, YMap) and "apiVersion" in i for i in doc):
        for index, item in enumerate(doc):
            if isinstance(item, YMap) and _api_version_ok(item, issues, f"[{index}]"):
                openslo.append(OpenSLOObject(issues, item, f"[{index}]"))
        return []
    if isinstance(doc, YMap) and "apiVersion" in doc:
        if _api_version_ok(doc, issues, ""):
            openslo.append(OpenSLOObject(issues, doc, ""))
        return []
    if isinstance(doc, YMap) and "version" in doc:
        version = _text(doc, "version")
        if version == SLOTH_VERSION:
            return load_sloth_document(doc, issues)
        issues.error(
            doc.line_of("version"),
            "version",
            f"spec version {version!r} is not known",
            f'Sloth specs say version: "{SLOTH_VERSION}"; headroom\'s own format has no version key',
        )
        return []
    if isinstance(doc, YMap) and "alert_profiles" in doc and not {"service", "services", "slos"} & set(doc):
        issues.info(
            doc.line_of("alert_profiles"),
            "alert_profiles",
            "a file of alert profiles, not SLOs: skipped here",
            "pass it with --profiles FILE to the commands that generate or evaluate alerts",
        )
        return []
    if isinstance(doc, YMap) and "rollout" in doc and not {"services", "slos"} & set(doc):
        issues.info(
            doc.line_of("rollout"),
            "rollout",
            "a rollout config, not SLOs: skipped here",
            "run it with headroom rollout FILE (docs/rollout.md)",
        )
        return []
    return load_headroom_document(doc, issues)


def _api_version_ok(doc: YMap, issues: Issues, path: str) -> bool:
    version = _text(doc, "apiVersion")
    where = f"{path}.apiVersion" if path else "apiVersion"
    if version == OPENSLO_VERSION:
        return True
    if version is not None and version.startswith("openslo/"):
        fix = f"convert it to {OPENSLO_VERSION} (see docs/spec.md)"
        issues.error(doc.line_of("apiVersion"), where, f"OpenSLO {version} is not supported", fix)
    elif version is not None and version.startswith("sloth.slok.dev/"):
        fix = f'write its spec: as a version: "{SLOTH_VERSION}" file (snake_case keys)'
        issues.error(doc.line_of("apiVersion"), where, "Sloth's Kubernetes resource is not supported", fix)
    else:
        fix = f"headroom reads apiVersion: {OPENSLO_VERSION}, version: {SLOTH_VERSION} or its own format"
        issues.error(doc.line_of("apiVersion"), where, f"apiVersion {version!r} is not known", fix)
    return False


def _check_duplicates(slos: list[SLO], issues_by_file: dict[str, Issues]) -> None:
    """SLO ids (``service/name``) are unique across the set; report each repeat at its place."""
    first: dict[str, SLO] = {}
    for slo in slos:
        seen = first.get(slo.id)
        if seen is None:
            first[slo.id] = slo
            continue
        file = slo.location.file if slo.location else ""
        line = slo.location.line if slo.location else None
        issues_by_file.get(file, Issues(file)).error(
            line,
            "name",
            f"SLO {slo.id!r} is defined twice: here and at {seen.location}",
            "give one of them another name (ids are service/name)",
        )
