"""The content-calendar scenario: research, plan, draft in parallel, critique, review, publish."""
