"""Statistics for coordinators: the JSON API and its CSV/XLSX exports, the statistics page with
its charts, the funder report and the live operations board."""
