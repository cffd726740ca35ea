"""Dual carbon: GPC city inventories from activity data, a factor library with provenance,
reference inventories from CEADs, pathways to peak and neutrality, and MRV on the ledger.

Modules: :mod:`~citytwin.carbon.factors` (IPCC 2006, MEE/NBS grid factors, GWP sets),
:mod:`~citytwin.carbon.gpc` (GPC v1.1 structure), :mod:`~citytwin.carbon.calc` (one activity to
emissions), :mod:`~citytwin.carbon.inventory` (inventories and the GPC reporting table),
:mod:`~citytwin.carbon.ceads` (reference inventories), :mod:`~citytwin.carbon.pathway`
(scenarios, Monte Carlo) and :mod:`~citytwin.carbon.mrv` (submission, review, proofs).
Nothing is re-exported here, so that each name above always means its module.
"""

__all__: list[str] = []
