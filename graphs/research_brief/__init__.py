"""The research-brief scenario: research, draft, critique, human review, publish."""
