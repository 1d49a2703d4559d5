"""Onboarding agents: scheduling, buddy, provisioning, content, check-ins and critic."""
