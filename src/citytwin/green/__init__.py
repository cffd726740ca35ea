"""citytwin.green — green space: park and green area, park area per resident, park service-radius coverage
(GB/T 50563-2010, GB/T 37342-2019) and forest cover, per jurisdiction and per zone."""
