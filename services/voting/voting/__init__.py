"""The voting service: rounds, ballots, receipts, counts, results and the audit chain."""
