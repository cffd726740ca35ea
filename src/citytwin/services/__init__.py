"""citytwin.services — shared public services: facilities with kind, capacity and occupancy; nearest-facility
distance, 15-minute reach and cross-border sharing across jurisdictions; the medical-institution registry."""
