"""Pure error-budget math: windows, burn rates, consumption, exhaustion, status.

No I/O, no clock, no environment: every function takes numbers, arrays and frozen
models (and the evaluation instant ``at`` as a parameter) and returns them.
"""
