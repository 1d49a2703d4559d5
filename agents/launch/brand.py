"""Brand brief: the product's own facts from the reviewed brand documents, cited.

Code only: the brand documents are the authority on what the product is, so their fact
lines are carried as written rather than paraphrased by a model.
"""

from __future__ import annotations

from typing import Any

from baton.agents.launch.common import cite_line, result
from baton.agents.launch.researcher import fact_lines_of
from baton.audit import agent_node
from baton.context import RunContext


@agent_node("brand")
def brand_brief(p: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Collect the product's fact lines from the brand documents."""
    lines = [
        cite_line(line, [cid]) for cid, text in p["sources"].items() for line in fact_lines_of(text)
    ]
    return result(p, "\n".join(lines), "code")
