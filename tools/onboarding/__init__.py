"""HR tools for the onboarding scenario."""
