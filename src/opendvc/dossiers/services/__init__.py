"""Every write to a dossier goes through one named function here (web, API, CLI and tasks alike).

- `submission`: drafts, submitting online, registering counter and postal dossiers, dossier codes.
- `actions`: the status machine (receive … return the result), supplements, apologies, ratings.
- `deadlines`: the due date of a dossier from its procedure, receipt, pauses and apology letters.
- `files`: checking and storing uploads, reusing files from the applicant's document store.
- `sync`: dossiers pushed by agencies' own systems.
"""
