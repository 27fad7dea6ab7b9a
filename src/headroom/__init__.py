"""headroom: an error-budget engine for SRE and MLOps teams.

SLO specs become live error budgets, burn-rate alerts, release gates and canary verdicts.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
