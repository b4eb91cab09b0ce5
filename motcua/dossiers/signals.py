"""Sent after the transaction of a dossier transition commits, so notifications,
monitoring aggregates and the national sync can follow without touching services."""

from django.dispatch import Signal

# kwargs: dossier_id, action, from_status, to_status, event_id
dossier_transitioned = Signal()
