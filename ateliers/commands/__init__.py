"""Sub-commands of the ateliers tool, one file per module."""
