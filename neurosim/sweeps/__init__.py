"""Work in progress (issue 5/7); see the issue notes."""
