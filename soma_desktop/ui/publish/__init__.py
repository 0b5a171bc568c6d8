"""Publish wizard views, session, reminders and fee previews (Qt side of soma_desktop.publish)."""
