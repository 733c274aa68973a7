"""The resource library: materials, publications and search that understands Kazakh and Russian."""
