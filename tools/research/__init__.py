"""Research-brief tools: deterministic checks and formatting of briefs."""
