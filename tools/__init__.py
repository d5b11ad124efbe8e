"""Developer tools: start the whole platform, fill it with a demo hack day, recount a vote."""
