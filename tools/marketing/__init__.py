"""Marketing tools for the content-calendar scenario."""
