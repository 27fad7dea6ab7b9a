"""The release gate over HTTP: JSON for Argo Rollouts' web provider, status codes for Flagger.

``GET /api/v1/gate?service=checkout&change_type=feature`` (or ``POST`` with the same
fields as JSON) answers the ``GateDecision`` with 200 whatever the decision, so an Argo
``successCondition`` such as ``result.decision == "go"`` or ``result.allowed`` reads it.

``POST /api/v1/flagger/gate`` takes Flagger's webhook payload
``{name, namespace, phase, checksum, metadata}`` and answers 200 when the change may ship
and 403 when it may not (Flagger counts any non-2xx as a failed check, or, for a
``confirm-rollout`` / ``confirm-promotion`` hook, waits). ``metadata.service`` names the
service (default: the canary's ``name``), ``metadata.change_type`` and
``metadata.approved`` (``"true"``) play the CLI's options.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from headroom.api.app import ApiDeps, deps_of
from headroom.errors import UsageError
from headroom.policy.model import GateDecision
from headroom.service.gate import evaluate_gate

__all__ = ["FlaggerWebhook", "GateRequest", "router"]

router = APIRouter(prefix="/api/v1", tags=["gate"])


class GateRequest(BaseModel):
    """The gate's question: which service, which kind of change, approved or not, as of when."""

    model_config = ConfigDict(extra="forbid")

    service: str
    change_type: str = "feature"
    approved: bool = False
    at: datetime | None = None


class FlaggerWebhook(BaseModel):
    """Flagger's webhook payload (``pkg/controller/webhook.go``); unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    name: str
    namespace: str = ""
    phase: str = ""
    checksum: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


def _decide(deps: ApiDeps, request: GateRequest) -> GateDecision:
    if deps.source is None:
        raise UsageError("this server has no SLI source; start it with a store or --prometheus-url")
    at = request.at or deps.clock()
    if at.tzinfo is None:
        raise UsageError(f"at={at.isoformat()} has no time zone; add Z for UTC")
    return evaluate_gate(
        deps.slos,
        deps.source,
        at,
        service=request.service,
        change_type=request.change_type,
        approved=request.approved,
    )


@router.get("/gate", response_model=GateDecision)
async def gate_get(
    service: str,
    change_type: str = "feature",
    approved: bool = False,
    at: datetime | None = None,
    deps: ApiDeps = Depends(deps_of),
) -> GateDecision:
    """The release gate's decision (always 200; read ``decision`` or ``allowed``)."""
    return _decide(deps, GateRequest(service=service, change_type=change_type, approved=approved, at=at))


@router.post("/gate", response_model=GateDecision)
async def gate_post(request: GateRequest, deps: ApiDeps = Depends(deps_of)) -> GateDecision:
    """The release gate's decision for a JSON question (always 200)."""
    return _decide(deps, request)


@router.post("/flagger/gate")
async def flagger_gate(hook: FlaggerWebhook, deps: ApiDeps = Depends(deps_of)) -> JSONResponse:
    """Flagger webhook: 200 when the change may ship, 403 when the error-budget policy stops it."""
    meta = hook.metadata
    request = GateRequest(
        service=meta.get("service", hook.name),
        change_type=meta.get("change_type", "feature"),
        approved=meta.get("approved", "false").strip().lower() in ("true", "1", "yes"),
    )
    decision = _decide(deps, request)
    return JSONResponse(decision.model_dump(mode="json"), status_code=200 if decision.allowed else 403)
