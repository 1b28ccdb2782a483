"""Thermal ticket printers: addresses, rendering to ESC/POS and transports. No Flask here."""
