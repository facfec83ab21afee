"""Case rules: cases and their obligations derived from the campaign plan, the hand-in of
documents, milestones, queries for lists and dashboards, exports."""
