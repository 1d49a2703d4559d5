"""The onboarding scenario: plan a new hire's first weeks with five agents, a critic and HR."""
