"""Prometheus rules from SLOs: Sloth-compatible recording and alert rules, and their promtool tests.

Pure: every function takes frozen models and returns data or text; nothing here reads or
writes files (``headroom.service.rules`` does).

``naming``          every rule, group and label name (Sloth's, plus ``headroom*`` ones)
``promql``          the PromQL builder, Go float formatting, ``le`` spellings
``recording``       SLI, metadata and event-weighted period recording rules
``alerts``          multi-window multi-burn-rate alert rules from an alert profile
``render``          SLOs -> rule groups -> YAML (rule file or PrometheusRule)
``promtool_tests``  ``promtool test rules`` scenarios with predicted alerts
"""

from headroom.rules.promtool_tests import RuleTests, build_rule_tests, render_rule_tests
from headroom.rules.render import (
    RuleGroup,
    RuleOptions,
    RuleSet,
    build_rule_set,
    render_prometheus_rule,
    render_rule_file,
)

__all__ = [
    "RuleGroup",
    "RuleOptions",
    "RuleSet",
    "RuleTests",
    "build_rule_set",
    "build_rule_tests",
    "render_prometheus_rule",
    "render_rule_file",
    "render_rule_tests",
]
