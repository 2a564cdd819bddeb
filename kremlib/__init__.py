"""The mechanisms every app uses: versioning, soft delete, change history, approximate dates, formsets, widgets and
HTTP helpers. Like healthchecks' `hc/lib/`, it imports no app of ours; the apps and the site import it."""
