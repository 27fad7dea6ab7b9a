"""The HTTP API (FastAPI): the release gate and the canary judge, shaped for Flagger and Argo Rollouts.

``create_app(**deps)`` is the one entry point; ``docs/gate.md`` and ``docs/rollout.md``
show the Flagger webhook and the Argo ``AnalysisTemplate`` that use it.
"""

from headroom.api.app import ApiDeps, create_app

__all__ = ["ApiDeps", "create_app"]
