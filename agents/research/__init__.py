"""Research-brief agents: researcher, writer, critic and formatter."""
