"""Administration: branches, services, counters, devices (pairing), staff, topics and the audit
trail, as pages for coordinators and admins and as a JSON API."""
