"""booklet: fiches of French and Japanese collectivités in, the Rencontres brochure out.

The build is a pipeline of pure stages; only the last one writes files:
load (`sources`, `project`) → validate (`model`) → order and assemble
(`assemble`) → lay out HTML (`layouts`) → render PDF (`render`) → write
(`commands.build`).
"""

__version__ = "0.1.0"
