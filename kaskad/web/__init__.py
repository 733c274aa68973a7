"""The presentation layer above every app: navigation, the home page and its work list.

It assembles what several apps offer (docs/adr/0003-layers.md), so that no app has to know
the apps above it.
"""
