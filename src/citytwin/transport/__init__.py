"""Regional transport (issue 11, point 4): the metro network as a graph, travel times between
stations, the stations within reach of each jurisdiction, and low-carbon transport indicators
for the carbon pathways.

Modules: :mod:`~citytwin.transport.network` (lines and stations),
:mod:`~citytwin.transport.travel` (time-weighted graph, Dijkstra, all-pairs matrix),
:mod:`~citytwin.transport.places` (station coordinates, jurisdictions, reach),
:mod:`~citytwin.transport.indicators` (public-transport and EV shares as pathway levers),
:mod:`~citytwin.transport.load` (stations as twin entities).
"""

__all__: list[str] = []
