"""Tests of requests by e-mail, against a real Dovecot on loopback (see conftest.py)."""
