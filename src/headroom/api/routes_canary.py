"""The canary judge over HTTP, for Argo Rollouts' web provider and Flagger webhooks.

``POST /api/v1/canary/judge`` with ``{"data": {...judge input...}, "config": {...}}``
(or ``"data_url"`` instead of ``"data"``) answers the ``CanaryReport`` with 200 whatever
the verdict: an Argo ``successCondition: result.verdict == "pass"`` reads it.
``GET /api/v1/canary/judge?data_url=...`` does the same with the default config.

``POST /api/v1/flagger/canary`` takes Flagger's webhook payload; ``metadata.data_url``
names where the judge input is (``metadata.config`` may hold the judge config as JSON).
It answers 200 only for a *pass*; fail, marginal and inconclusive answer 409, which
Flagger counts as a failed check (it has no inconclusive state).

The server fetches ``data_url`` itself, so only URLs under the prefixes it was started
with (``canary_data_url_prefixes``) are allowed; the judge input format is
``canary/rollout.py``'s (JSON, or JSONL rows).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from headroom.api.app import ApiDeps, deps_of
from headroom.api.routes_gate import FlaggerWebhook
from headroom.canary.config import CanaryConfig
from headroom.canary.judge import judge_canary
from headroom.canary.model import CanaryData, CanaryReport
from headroom.canary.projection import BudgetInputs
from headroom.canary.rollout import UrlCanaryData, canary_data_from_json
from headroom.errors import UsageError

__all__ = ["JudgeRequest", "router"]

router = APIRouter(prefix="/api/v1", tags=["canary"])


class JudgeRequest(BaseModel):
    """One judgement: the judge input inline (``data``) or by URL (``data_url``), a config, a budget."""

    model_config = ConfigDict(extra="forbid")

    data: dict[str, Any] | None = None
    data_url: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    budget: BudgetInputs | None = None


def _config(raw: dict[str, Any]) -> CanaryConfig:
    try:
        return CanaryConfig.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise UsageError(f"canary config: {problems}; see docs/canary.md") from error


def _fetch(deps: ApiDeps, url: str) -> CanaryData:
    if not any(url.startswith(prefix) for prefix in deps.canary_data_url_prefixes):
        allowed = ", ".join(deps.canary_data_url_prefixes) or "none configured"
        raise UsageError(
            f"data_url {url!r} is not under an allowed prefix ({allowed}); start the server with it"
        )
    source = UrlCanaryData(url)
    try:
        now = deps.clock()
        return source.fetch(rollout="", run_id="", step=0, weight=0, since=now, until=now)
    finally:
        source.close()


def _judge(deps: ApiDeps, request: JudgeRequest) -> CanaryReport:
    if (request.data is None) == (request.data_url is None):
        raise UsageError("give exactly one of data (the judge input) or data_url")
    data = canary_data_from_json(request.data, "data") if request.data is not None else None
    if data is None:
        assert request.data_url is not None
        data = _fetch(deps, request.data_url)
    return judge_canary(data, _config(request.config), request.budget)


@router.post("/canary/judge", response_model=CanaryReport)
async def judge_post(request: JudgeRequest, deps: ApiDeps = Depends(deps_of)) -> CanaryReport:
    """The judge's report (always 200; read ``verdict``)."""
    return _judge(deps, request)


@router.get("/canary/judge", response_model=CanaryReport)
async def judge_get(data_url: str, deps: ApiDeps = Depends(deps_of)) -> CanaryReport:
    """The judge's report on the input at ``data_url``, with the default config (always 200)."""
    return _judge(deps, JudgeRequest(data_url=data_url))


@router.post("/flagger/canary")
async def flagger_canary(hook: FlaggerWebhook, deps: ApiDeps = Depends(deps_of)) -> JSONResponse:
    """Flagger webhook: 200 when the canary passes, 409 otherwise (the report is the body)."""
    url = hook.metadata.get("data_url")
    if not url:
        raise UsageError("metadata.data_url is missing; set it in the Flagger webhook's metadata")
    try:
        config = json.loads(hook.metadata.get("config", "{}"))
    except json.JSONDecodeError as error:
        raise UsageError(f"metadata.config is not JSON ({error.msg})") from error
    report = _judge(deps, JudgeRequest(data_url=url, config=config))
    return JSONResponse(report.model_dump(mode="json"), status_code=200 if report.verdict == "pass" else 409)
