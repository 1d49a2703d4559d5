"""Content-calendar agents: strategy, research, coordinator, drafter and reviewer."""
