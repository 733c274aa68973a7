"""The sources of report figures, one module per app (each registers itself on import)."""

from kaskad.reports.sources import (  # noqa: F401
    assessment,
    cascade,
    catalogue,
    certificates,
    delivery,
    learning,
    library,
    networks,
    registry,
)
