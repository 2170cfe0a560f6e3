"""Sub-commands of the `ateliers` tool for this module.

Add click groups or commands to COMMANDS; they are added to the main tool.
Use ``environment.transaction(database)`` to work on the database.
"""

COMMANDS = []
