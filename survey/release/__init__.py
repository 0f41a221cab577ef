"""Release: answers reach dashboards only in released batches, as rollup cells with a stored audit decision.

batches.py decides what is due (a meeting's window and the grace period have closed; later,
at least k late answers) and marks the responses; rollups.py writes each batch's cells once
from the raw answers (and rebuilds them); publish.py runs the exact audit over every cell,
with the group's disclosure ledger, and stores the decision, and summaries.py stores the
group's statistics that are no cells (alpha sums, change pairs, engagement counts, by the SQL in
released_answers.py); reader.py and summaries.py are what the dashboard's privacy layer
reads. Raw responses stay the source of truth.
"""
