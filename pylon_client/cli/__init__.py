"""The ``pylon`` command line (``pylon = pylon_client.cli.main:main``).

``main`` builds the parser and runs a command; ``parser``, ``common``, ``progress`` and
``kinds`` are what the commands share; each other module is one group of commands:
``objects`` (list/get/create/update/delete/search of tasks, projects, milestones, accounts,
contacts), ``tasks``, ``conversation``, ``export`` (``pylon issues export``),
``issues_sync`` (``pylon issues sync``) and ``bulk``. Nothing here is an import API.
"""
