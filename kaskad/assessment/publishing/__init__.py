"""Publishing best materials: the worklist, the consent, the published list."""
