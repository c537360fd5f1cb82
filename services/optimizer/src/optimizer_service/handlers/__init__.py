"""The optimizer's event handlers."""
