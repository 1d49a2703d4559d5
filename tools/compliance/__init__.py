"""Compliance-report tools: obligations, period data, figures with provenance, the report
critic, personal-data detection, two-person approval and exactly-once distribution.

Everything that decides (which clauses apply, every figure, every breach, whether a draft
may be approved or sent) is computed here, in code, from the reviewed obligations register
and the period's data; the model only writes prose around these figures.
"""
