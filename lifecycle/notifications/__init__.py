"""Notices to the people who must meet an obligation: templates and the channels that carry them."""
