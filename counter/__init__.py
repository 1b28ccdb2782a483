"""The counter: staff call, serve and transfer tickets (JSON API now; the console page later)."""
